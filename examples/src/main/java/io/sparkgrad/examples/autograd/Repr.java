package io.sparkgrad.examples.autograd;

import io.sparkgrad.TensorFormat;
import io.sparkgrad.Tuple;
import io.sparkgrad.Value;

/**
 * Python's repr of a gradient result (a Tensor or a tuple of them) in a chosen
 * {@link TensorFormat}. {@code Tuple.toString()} always uses the current MindSpore repr and
 * {@code TensorFormat} formats only single tensors, so printing a tuple the way an older
 * MindSpore release did needs this small helper. (The engine could offer it as
 * {@code TensorFormat.repr(Value)}.)
 */
final class Repr {
    private Repr() {
    }

    /** {@code (a, b)}, {@code (a,)} for one element, or the tensor's repr, each element in {@code format}. */
    static String of(TensorFormat format, Value v) {
        if (!v.isTuple()) {
            return format.repr(v.tensor());
        }
        Tuple t = (Tuple) v;
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < t.arity(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(of(format, t.get(i)));
        }
        if (t.arity() == 1) {
            sb.append(',');
        }
        return sb.append(')').toString();
    }
}
