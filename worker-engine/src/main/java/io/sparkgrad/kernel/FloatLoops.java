package io.sparkgrad.kernel;

import io.sparkgrad.kernel.Elementwise.Binary;

/**
 * The FLOAT32 binary loops of {@link Elementwise}, one method per access pattern, each with a
 * plain loop per common op so the JIT compiles (and, for the first two, vectorises) it without a
 * call per element; other ops go through {@link Binary#apply}. Comparisons write 0 or 1 through an
 * int select ({@code x > y ? 1 : 0}) rather than a float one ({@code ? 1f : 0f}), which is a branch
 * on x86 and mispredicts on random signs. Measured (BENCHMARKS.md, 2026-12-07): this made relu's
 * mask, where the select is multiplied, 3.5x faster (since 2026-12-08 {@link Fused} masks with
 * min/max, which C2 vectorises); a comparison stored into a Bool tensor
 * ({@code ElementwiseBench.gtZero}) is still about 8 ns per element, so the JIT still branches there.
 */
final class FloatLoops {
    private FloatLoops() {
    }

    /** {@code o = x op y} over equal-length arrays, one shared index. */
    static void sameShape(Binary op, float[] x, float[] y, float[] o) {
        int n = o.length;
        switch (op) {
            case ADD:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] + y[i];
                }
                break;
            case SUB:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] - y[i];
                }
                break;
            case MUL:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] * y[i];
                }
                break;
            case DIV:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] / y[i];
                }
                break;
            default:
                strided(op, x, 0, 1, y, 0, 1, o, 0, n);
        }
    }

    /**
     * A row where both operands are contiguous (e.g. a bias row added to each row of a matrix): the
     * loops the JIT vectorises. Returns false for ops without one.
     */
    private static boolean contiguous(Binary op, float[] x, int xo, float[] y, int yo, float[] o, int oo, int len) {
        switch (op) {
            case ADD:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j] + y[yo + j];
                }
                return true;
            case SUB:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j] - y[yo + j];
                }
                return true;
            case MUL:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j] * y[yo + j];
                }
                return true;
            case DIV:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j] / y[yo + j];
                }
                return true;
            default:
                return false;
        }
    }

    /** {@code o = x op c} for a scalar {@code c} (e.g. {@code ge(x, 0)}, {@code add(e, 1)}). */
    static void withScalar(Binary op, float[] x, float c, float[] o) {
        int n = o.length;
        switch (op) {
            case ADD:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] + c;
                }
                break;
            case SUB:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] - c;
                }
                break;
            case MUL:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] * c;
                }
                break;
            case GE:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] >= c ? 1 : 0;
                }
                break;
            case GT:
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] > c ? 1 : 0;
                }
                break;
            default:
                strided(op, x, 0, 1, new float[] {c}, 0, 0, o, 0, n);
        }
    }

    /** One row of a broadcast: {@code o[oo+j] = x[xo+j*sx] op y[yo+j*sy]} for {@code j < len}. */
    static void strided(Binary op, float[] x, int xo, int sx, float[] y, int yo, int sy, float[] o, int oo, int len) {
        if (sx == 1 && sy == 1 && contiguous(op, x, xo, y, yo, o, oo, len)) {
            return;
        }
        switch (op) {
            case ADD:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] + y[yo + j * sy];
                }
                break;
            case SUB:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] - y[yo + j * sy];
                }
                break;
            case MUL:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] * y[yo + j * sy];
                }
                break;
            case DIV:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] / y[yo + j * sy];
                }
                break;
            case GT:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] > y[yo + j * sy] ? 1 : 0;
                }
                break;
            case GE:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] >= y[yo + j * sy] ? 1 : 0;
                }
                break;
            case LT:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] < y[yo + j * sy] ? 1 : 0;
                }
                break;
            case LE:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = x[xo + j * sx] <= y[yo + j * sy] ? 1 : 0;
                }
                break;
            default:
                for (int j = 0; j < len; j++) {
                    o[oo + j] = (float) op.apply(x[xo + j * sx], y[yo + j * sy]);
                }
        }
    }
}
