package io.sparkgrad.nn;

import static io.sparkgrad.TestSupport.assertClose;
import static io.sparkgrad.TestSupport.f64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.DType;
import io.sparkgrad.Parameter;
import io.sparkgrad.Tensor;
import io.sparkgrad.Value;
import io.sparkgrad.ops.GradOperation;
import io.sparkgrad.ops.Ops;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The member order of cells: registered members, then fields in class-file (source) order. */
class CellMemberOrderTest {

    static Parameter scalar(double v, String name) {
        return new Parameter(f64(new double[] {v}, 1), name);
    }

    /** Fields declared in neither alphabetical nor any other natural order, with a non-member between. */
    static final class Unsorted extends Cell {
        final Parameter zeta = scalar(1, "zeta");
        final Dense alpha = Dense.builder(2, 1).seed(3).dtype(DType.FLOAT64).build();
        final int notAMember = 7;
        final Parameter mid = scalar(2, "mid");
        final Parameter beta = scalar(3, "beta");

        @Override
        public Tensor construct(Tensor... in) {
            return Ops.add(Ops.mul(Ops.add(alpha.apply(in[0]), zeta), mid), beta);
        }
    }

    @Test
    void fieldsInSourceOrderNotAlphabetical() throws IOException {
        Unsorted net = new Unsorted();
        assertEquals(List.of("zeta", "alpha", "notAMember", "mid", "beta"),
                FieldOrder.fieldNamesInClassFile(Unsorted.class));
        assertEquals(List.of("zeta", "alpha.weight", "alpha.bias", "mid", "beta"),
                List.copyOf(net.parametersAndNames().keySet()));
        assertEquals(List.of(net.zeta, net.alpha.weight(), net.alpha.bias(), net.mid, net.beta), net.parameters());
        assertEquals(List.of("alpha"), List.copyOf(net.cellsAndNames().keySet()));
        // the gradients come back in that order: d/dzeta = mid = 2, d/dmid = alpha(x) + zeta, d/dbeta = 1
        Tensor x = f64(new double[] {1, 2}, 1, 2);
        double ax = net.alpha.apply(x).item();
        Value g = new GradOperation(false, true, false).apply(net, net.trainableParamTuple()).call(x);
        assertClose(new double[] {2}, new int[] {1}, g.get(0).tensor(), 1e-12);
        assertClose(new double[] {2, 4}, new int[] {1, 2}, g.get(1).tensor(), 1e-12); // mid * x
        assertClose(new double[] {2}, new int[] {1}, g.get(2).tensor(), 1e-12); // d/dbias = mid
        assertClose(new double[] {ax + 1}, new int[] {1}, g.get(3).tensor(), 1e-12);
        assertClose(new double[] {1}, new int[] {1}, g.get(4).tensor(), 1e-12);
    }

    abstract static class Base extends Cell {
        final Parameter q = scalar(1, "q");
        final Parameter a = scalar(2, "a");
    }

    abstract static class Middle extends Base {
        final Dense m = Dense.builder(1, 1).seed(1).build();
    }

    static final class Leaf extends Middle {
        final Parameter c = scalar(3, "c");
        final Parameter b = scalar(4, "b");

        @Override
        public Tensor construct(Tensor... in) {
            return in[0];
        }
    }

    @Test
    void superclassFieldsFirstEachInSourceOrder() {
        Leaf leaf = new Leaf();
        assertEquals(List.of("q", "a", "m.weight", "m.bias", "c", "b"), List.copyOf(leaf.parametersAndNames().keySet()));
        assertEquals(List.of(leaf.q, leaf.a, leaf.m.weight(), leaf.m.bias(), leaf.c, leaf.b), leaf.parameters());
        assertEquals(List.of(1.0, 2.0, 3.0, 4.0), List.of(leaf.q.item(), leaf.a.item(), leaf.c.item(), leaf.b.item()));
    }

    static final class Containers extends Cell {
        final List<Parameter> scales = List.of(scalar(5, "s0"), scalar(6, "s1"));
        final Cell[] layers = {Dense.builder(2, 2).seed(1).build(), new ReLU(), Dense.builder(2, 1).seed(2).build()};
        final List<Object> mixed = List.of("not a member", scalar(7, "m1"));

        @Override
        public Tensor construct(Tensor... in) {
            return in[0];
        }
    }

    @Test
    void listsAndArraysOfMembersByIndex() {
        Containers net = new Containers();
        assertEquals(List.of("scales.0", "scales.1", "layers.0.weight", "layers.0.bias", "layers.2.weight",
                "layers.2.bias", "mixed.1"), List.copyOf(net.parametersAndNames().keySet()));
        assertSame(net.scales.get(1), net.parametersAndNames().get("scales.1"));
        assertSame(((Dense) net.layers[2]).bias(), net.parametersAndNames().get("layers.2.bias"));
        assertEquals(7.0, net.parametersAndNames().get("mixed.1").item());
        assertEquals(List.of("layers.0", "layers.1", "layers.2"), List.copyOf(net.cellsAndNames().keySet()));
    }

    static final class Registered extends Cell {
        final Parameter fieldOnly = scalar(1, "fieldOnly");
        final Parameter both;
        final Dense head;

        Registered() {
            insertParamToCell("second", scalar(2, "second"));
            head = insertChildToCell("head", Dense.builder(1, 1).seed(4).build());
            both = insertParamToCell("renamed", scalar(3, "both")); // a field holding a registered member
            insertParamToCell("first", scalar(4, "first"));
        }

        @Override
        public Tensor construct(Tensor... in) {
            return in[0];
        }
    }

    @Test
    void registeredMembersFirstInRegistrationOrderThenFields() {
        Registered net = new Registered();
        assertEquals(List.of("second", "head.weight", "head.bias", "renamed", "first", "fieldOnly"),
                List.copyOf(net.parametersAndNames().keySet()));
        assertEquals(List.of(2.0, 3.0, 4.0, 1.0), List.of(net.parametersAndNames().get("second").item(),
                net.parametersAndNames().get("renamed").item(), net.parametersAndNames().get("first").item(),
                net.parametersAndNames().get("fieldOnly").item()));
        assertSame(net.both, net.parametersAndNames().get("renamed"));
        assertSame(net.head.weight(), net.parametersAndNames().get("head.weight"));
        assertEquals(List.of("head"), List.copyOf(net.cellsAndNames().keySet()));
        assertEquals(6, net.trainableParamTuple().size());
    }

    static final class Misregistered extends Cell {
        final Parameter x = scalar(1, "x");

        @Override
        public Tensor construct(Tensor... in) {
            return in[0];
        }
    }

    @Test
    void registrationErrors() {
        Misregistered net = new Misregistered();
        net.insertParamToCell("a", scalar(1, "a"));
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> net.insertParamToCell("a", scalar(2, "a")));
        assertTrue(dup.getMessage().contains("'a'"), dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.insertChildToCell("a", new ReLU()));
        assertThrows(IllegalArgumentException.class, () -> net.insertParamToCell("fc.w", scalar(1, "w")));
        assertThrows(IllegalArgumentException.class, () -> net.insertParamToCell("", scalar(1, "w")));
        assertThrows(NullPointerException.class, () -> net.insertParamToCell("n", null));
        assertEquals(List.of("a", "x"), List.copyOf(net.parametersAndNames().keySet()));
        // a field whose name is registered for another object
        net.insertParamToCell("x", scalar(9, "other"));
        IllegalStateException clash = assertThrows(IllegalStateException.class, net::parametersAndNames);
        assertTrue(clash.getMessage().contains("'x'"), clash.getMessage());
    }

    static class Hidden extends Cell {
        final Parameter p = scalar(1, "p");

        @Override
        public Tensor construct(Tensor... in) {
            return in[0];
        }
    }

    static final class Hiding extends Hidden {
        final Parameter p = scalar(2, "p"); // hides Hidden.p
    }

    @Test
    void aHiddenFieldHoldingAMemberIsAnErrorNotALostParameter() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Hiding().parametersAndNames());
        assertTrue(e.getMessage().contains("'p'"), e.getMessage());
    }

    static final class Shared extends Cell {
        final Parameter w = scalar(2, "w");
        final Dense d = Dense.builder(1, 1).seed(5).build();
        final List<Parameter> again = List.of(scalar(3, "v"), w);
        final Parameter tiedBias;
        final Dense dAgain;

        Shared() {
            tiedBias = d.bias();
            dAgain = d;
        }

        @Override
        public Tensor construct(Tensor... in) {
            return Ops.mul(d.apply(in[0]), Ops.add(w, tiedBias));
        }
    }

    @Test
    void aParameterReachableTwiceIsListedOnceUnderItsFirstName() {
        Shared net = new Shared();
        assertEquals(List.of("w", "d.weight", "d.bias", "again.0"), List.copyOf(net.parametersAndNames().keySet()));
        assertEquals(List.of(net.w, net.d.weight(), net.d.bias(), net.again.get(0)), net.trainableParams());
        assertEquals(4, net.trainableParamTuple().size());
    }

    /** Defines a class from its bytes in a loader that serves no resources, as for runtime-generated classes. */
    static final class NoResourceLoader extends ClassLoader {
        NoResourceLoader() {
            super(CellMemberOrderTest.class.getClassLoader());
        }

        Class<?> redefine(Class<?> c) throws IOException {
            byte[] b;
            try (InputStream in = c.getResourceAsStream("/" + c.getName().replace('.', '/') + ".class")) {
                b = in.readAllBytes();
            }
            return defineClass(c.getName(), b, 0, b.length);
        }

        @Override
        public URL getResource(String name) {
            return null;
        }
    }

    public static final class GeneratedUnregistered extends Cell {
        public final Parameter p = new Parameter(Tensor.of(1f), "p"); // public API only: another runtime package

        @Override
        public Tensor construct(Tensor... in) {
            return in[0];
        }
    }

    public static final class GeneratedRegistered extends Cell {
        public final Parameter second;
        public final Parameter first;
        public final int count = 2;

        public GeneratedRegistered() {
            second = insertParamToCell("second", new Parameter(Tensor.of(2f), "second"));
            first = insertParamToCell("first", new Parameter(Tensor.of(1f), "first"));
        }

        @Override
        public Tensor construct(Tensor... in) {
            return in[0];
        }
    }

    static Cell instantiate(Class<?> c) throws ReflectiveOperationException {
        var ctor = c.getDeclaredConstructor();
        ctor.setAccessible(true);
        return (Cell) ctor.newInstance();
    }

    @Test
    void unreadableClassBytesFailClearlyUnlessEveryMemberIsRegistered() throws Exception {
        NoResourceLoader loader = new NoResourceLoader();
        Cell unregistered = instantiate(loader.redefine(GeneratedUnregistered.class));
        assertTrue(unregistered.getClass() != GeneratedUnregistered.class);
        IllegalStateException e = assertThrows(IllegalStateException.class, unregistered::parametersAndNames);
        assertTrue(e.getMessage().contains(GeneratedUnregistered.class.getName())
                && e.getMessage().contains("'p'") && e.getMessage().contains("insertParamToCell(\"p\""),
                e.getMessage());
        // registered members need no class bytes: the order is the registration order
        Cell registered = instantiate(loader.redefine(GeneratedRegistered.class));
        assertEquals(List.of("second", "first"), List.copyOf(registered.parametersAndNames().keySet()));
        assertEquals(List.of(2.0, 1.0), List.of(registered.parameters().get(0).item(),
                registered.parameters().get(1).item()));
        // the same classes on the ordinary class path list by field order
        assertEquals(List.of("p"), List.copyOf(new GeneratedUnregistered().parametersAndNames().keySet()));
    }
}
