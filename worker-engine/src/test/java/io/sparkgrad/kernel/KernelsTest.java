package io.sparkgrad.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.TestSupport;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Kernels against naive reference loops, on both sides of the Java/OpenBLAS size threshold. */
class KernelsTest {

    /** op(A) @ op(B) by the textbook triple loop in double, batch axes broadcast. */
    private static double[] reference(Tensor a, Tensor b, boolean ta, boolean tb, int[] outShape) {
        int[] as = a.shape();
        int[] bs = b.shape();
        int m = outShape[outShape.length - 2];
        int n = outShape[outShape.length - 1];
        int k = ta ? as[as.length - 2] : as[as.length - 1];
        int batch = 1;
        for (int i = 0; i < outShape.length - 2; i++) {
            batch *= outShape[i];
        }
        int aBatch = a.size() / (as[as.length - 2] * as[as.length - 1]);
        int bBatch = b.size() / (bs[bs.length - 2] * bs[bs.length - 1]);
        double[] out = new double[batch * m * n];
        for (int t = 0; t < batch; t++) {
            int ao = (aBatch == 1 ? 0 : t % aBatch) * m * k;
            int bo = (bBatch == 1 ? 0 : t % bBatch) * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        double av = ta ? a.getFlat(ao + p * m + i) : a.getFlat(ao + i * k + p);
                        double bv = tb ? b.getFlat(bo + j * k + p) : b.getFlat(bo + p * n + j);
                        s += av * bv;
                    }
                    out[t * m * n + i * n + j] = s;
                }
            }
        }
        return out;
    }

    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    // small (Java kernel) and large (BLAS backend: 3*40*37*33 > 32^3 per batch element)
                    b.add(Arguments.of(dt, ta, tb, new int[] {3, 4, 5}, 1));
                    b.add(Arguments.of(dt, ta, tb, new int[] {3, 40, 37, 33}, 3));
                    b.add(Arguments.of(dt, ta, tb, new int[] {2, 64, 48, 40}, 1));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} ta={1} tb={2} dims={3} batch={4}")
    @MethodSource("shapes")
    void matmulMatchesReference(DType dt, boolean ta, boolean tb, int[] dims, int batchA) {
        int m = dims[dims.length - 3];
        int k = dims[dims.length - 2];
        int n = dims[dims.length - 1];
        int batch = dims.length == 4 ? dims[0] : 1;
        // A has batchA batch elements (1 means broadcast), B has the full batch
        int[] aShape = batchA == 1 && dims.length == 4 ? new int[] {ta ? k : m, ta ? m : k}
                : dims.length == 4 ? new int[] {batch, ta ? k : m, ta ? m : k} : new int[] {ta ? k : m, ta ? m : k};
        int[] bShape = dims.length == 4 ? new int[] {batch, tb ? n : k, tb ? k : n} : new int[] {tb ? n : k, tb ? k : n};
        Tensor a = Tensor.randn(1, dt, aShape);
        Tensor b = Tensor.randn(2, dt, bShape);
        Tensor c = MatMul.matmul(a, b, ta, tb);
        int[] outShape = dims.length == 4 ? new int[] {batch, m, n} : new int[] {m, n};
        assertArrayEquals(outShape, c.shape());
        assertEquals(dt, c.dtype());
        double[] want = reference(a, b, ta, tb, outShape);
        double tol = dt == DType.FLOAT32 ? 1e-4 : 1e-12;
        TestSupport.assertClose(want, c, tol);
    }

    @Test
    void reductionsAndDataMovement() {
        Tensor x = Tensor.arange(0, 24, 1, DType.FLOAT64);
        Tensor x3 = Movement.reshape(x, new int[] {2, 3, 4});
        // sum over axis 1: out[i, l] = sum_j (12 i + 4 j + l) = 36 i + 12 + 3 l
        TestSupport.assertClose(new double[] {12, 15, 18, 21, 48, 51, 54, 57}, new int[] {2, 4},
                Reductions.sum(x3, new int[] {1}, false), 0);
        TestSupport.assertClose(new double[] {276}, new int[] {1, 1, 1}, Reductions.sum(x3, new int[0], true), 0);
        TestSupport.assertClose(new double[] {11, 23}, new int[] {2, 1, 1}, Reductions.max(x3, new int[] {1, 2}, true), 0);
        // transpose [2,3,4] -> [4,2,3]: out[l, i, j] = 12 i + 4 j + l
        Tensor t = Movement.transpose(x3, new int[] {2, 0, 1});
        assertArrayEquals(new int[] {4, 2, 3}, t.shape());
        assertEquals(12 * 1 + 4 * 2 + 3, t.at(3, 1, 2));
        Tensor s = Movement.slice(x3, new int[] {1, 1, 2}, new int[] {1, 2, 2});
        TestSupport.assertClose(new double[] {18, 19, 22, 23}, new int[] {1, 2, 2}, s, 0);
        Tensor p = Movement.pad(s, new int[] {1, 1, 2}, new int[] {2, 3, 4});
        for (int i = 0; i < 24; i++) {
            int a = i / 12;
            int j = (i / 4) % 3;
            int l = i % 4;
            boolean inside = a == 1 && j >= 1 && l >= 2;
            assertEquals(inside ? i : 0, p.getFlat(i), "pad element " + i);
        }
        Tensor cat = Movement.concat(new Tensor[] {Movement.reshape(x, new int[] {4, 6}), Tensor.zeros(DType.FLOAT64, 4, 1)}, 1);
        assertArrayEquals(new int[] {4, 7}, cat.shape());
        assertEquals(13, cat.at(2, 1));
        assertEquals(0, cat.at(2, 6));
        Tensor bc = Movement.broadcastTo(Tensor.of(1.0, 2.0), new int[] {3, 2});
        TestSupport.assertClose(new double[] {1, 2, 1, 2, 1, 2}, bc, 0);
        Tensor g = Movement.gather(Movement.reshape(x, new int[] {4, 6}), Tensor.of(5f, 0f, 2f, 3f));
        TestSupport.assertClose(new double[] {5, 6, 14, 21}, g, 0);
        Tensor oh = Movement.oneHot(Tensor.of(2f, 0f), 3, DType.FLOAT32);
        TestSupport.assertClose(new double[] {0, 0, 1, 1, 0, 0}, new int[] {2, 3}, oh, 0);
        assertTrue(Elementwise.cast(Tensor.of(0.0, -2.0), DType.BOOL).dtype() == DType.BOOL);
        TestSupport.assertClose(new double[] {0, 1}, Elementwise.cast(Tensor.of(0.0, -2.0), DType.BOOL), 0);
        assertEquals(6, Movement.reshape(x3, new int[] {-1, 4}).shape(0));
    }

    @Test
    void lastAxisReductionsMatchTheGenericWalk() {
        // the last-axis fast path against a reduction over the same values moved to axis 0
        java.util.Random r = new java.util.Random(7);
        float[] v = new float[3 * 4 * 5];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        v[7] = Float.NaN; // row 1 of the last axis: NaN wins the max
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Elementwise.cast(Tensor.wrap(v.clone(), 3, 4, 5), dt);
            Tensor moved = Movement.transpose(x, new int[] {2, 0, 1});
            for (boolean keep : new boolean[] {false, true}) {
                Tensor s = Reductions.sum(x, new int[] {-1}, keep);
                Tensor m = Reductions.max(x, new int[] {2}, keep);
                assertArrayEquals(keep ? new int[] {3, 4, 1} : new int[] {3, 4}, s.shape());
                Tensor sRef = Reductions.sum(moved, new int[] {0}, false);
                Tensor mRef = Reductions.max(moved, new int[] {0}, false);
                for (int i = 0; i < 12; i++) {
                    double want = 0;
                    double wantMax = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < 5; k++) {
                        double e = x.getFlat(i * 5 + k);
                        want += e;
                        wantMax = Double.isNaN(e) || Double.isNaN(wantMax) ? Double.NaN : Math.max(wantMax, e);
                    }
                    double rounded = dt == DType.FLOAT32 ? (float) want : want;
                    assertEquals(rounded, s.getFlat(i), 0, "sum row " + i);
                    assertEquals(sRef.getFlat(i), s.getFlat(i), 0, "sum row " + i + " vs the walk");
                    assertEquals(wantMax, m.getFlat(i), 0, "max row " + i);
                    assertEquals(mRef.getFlat(i), m.getFlat(i), 0, "max row " + i + " vs the walk");
                }
            }
            assertTrue(Double.isNaN(Reductions.max(x, new int[] {2}, false).getFlat(1)));
        }
        // a vector's max and an empty last axis
        assertEquals(3.0, Reductions.max(Tensor.of(1f, 3f, -2f), new int[] {0}, false).item());
        assertArrayEquals(new int[] {2}, Reductions.sum(Tensor.zeros(DType.FLOAT32, 2, 0), new int[] {1}, false).shape());
    }

    /**
     * A sum over the leading axes (the bias gradient) takes rows four at a time; each column must
     * still be the plain sum in row order, bitwise, whatever the row count modulo 4. The values
     * span 2^-40 to 2^40, so a different order of adds would round differently.
     */
    @Test
    void leadingAxesSumsAreTheRowOrderSumsBitwise() {
        java.util.Random r = new java.util.Random(11);
        int[][] shapes = {{7, 5}, {8, 3}, {1, 4}, {9, 2, 3}, {6}, {0, 3}, {3, 0}};
        int[][] axes = {{0}, {0}, {0}, {0, 1}, {0}, {0}, {0}};
        for (int c = 0; c < shapes.length; c++) {
            int n = 1;
            for (int d : shapes[c]) {
                n *= d;
            }
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 10));
            }
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tensor x = Elementwise.cast(Tensor.wrap(v.clone(), shapes[c]), dt);
                Tensor s = Reductions.sum(x, axes[c], false);
                int cols = s.size();
                int rows = cols == 0 ? 0 : n / cols;
                for (int j = 0; j < cols; j++) {
                    double want = 0;
                    for (int k = 0; k < rows; k++) {
                        want += x.getFlat(k * cols + j);
                    }
                    double rounded = dt == DType.FLOAT32 ? (float) want : want;
                    String at = dt + " " + java.util.Arrays.toString(shapes[c]) + " column " + j;
                    assertEquals(Double.doubleToRawLongBits(rounded), Double.doubleToRawLongBits(s.getFlat(j)), at);
                }
            }
        }
    }

    /**
     * A one-element first operand ({@code 1 - y*y}) takes its own loop; it must give, bit for bit,
     * what the same value spelled out at the full shape gives through the same-shape loop, for
     * every binary op, with the output shape still the broadcast one.
     */
    @Test
    void aScalarFirstOperandMatchesTheSameShapeLoopForEveryOp() {
        float[] ys = {-2.5f, -0f, 0f, 1e-30f, 3f, Float.NaN, Float.POSITIVE_INFINITY, 0.75f};
        for (Elementwise.Binary op : Elementwise.Binary.values()) {
            for (float c : new float[] {0.999f, -0f, 2f, Float.NaN}) {
                for (int[][] shapes : new int[][][] {{{}, {8}}, {{1, 1}, {2, 4}}, {{1}, {2, 1, 4}}}) {
                    Tensor y = Tensor.wrap(ys.clone(), shapes[1]);
                    Tensor scalar = Tensor.wrap(new float[] {c}, shapes[0]);
                    Tensor got = Elementwise.binary(op, scalar, y);
                    Tensor want = Elementwise.binary(op, Movement.broadcastTo(scalar, shapes[1]), y);
                    assertArrayEquals(shapes[1], got.shape(), op + " shape");
                    assertEquals(want.dtype(), got.dtype(), op + " dtype");
                    for (int i = 0; i < ys.length; i++) {
                        assertEquals(Float.floatToRawIntBits(want.floatStorage()[i]),
                                Float.floatToRawIntBits(got.floatStorage()[i]), op + " " + c + " op " + ys[i]);
                    }
                }
            }
        }
    }
}
