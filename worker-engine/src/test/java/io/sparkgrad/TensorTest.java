package io.sparkgrad;

import static io.sparkgrad.TestSupport.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.format.MindSporeRepr;
import io.sparkgrad.ops.Ops;
import org.junit.jupiter.api.Test;

/** Factories, accessors, broadcasting and the two printed forms. */
class TensorTest {

    @Test
    void factories() {
        Tensor z = Tensor.zeros(2, 3);
        assertArrayEquals(new int[] {2, 3}, z.shape());
        assertEquals(DType.FLOAT32, z.dtype());
        assertClose(new double[6], z, 0);
        assertClose(new double[] {1, 1, 1}, Tensor.ones(DType.FLOAT64, 3), 0);
        assertEquals(DType.FLOAT64, Tensor.ones(DType.FLOAT64, 3).dtype());
        assertClose(new double[] {2.5, 2.5}, Tensor.full(2.5, DType.FLOAT32, 2), 0);
        Tensor s = Tensor.scalar(7);
        assertEquals(0, s.rank());
        assertEquals(1, s.size());
        assertEquals(7, s.item());
        assertClose(new double[] {0, 1, 2, 3}, new int[] {4}, Tensor.arange(4.0), 0);
        assertClose(new double[] {1, 1.5, 2, 2.5}, Tensor.arange(1, 3, 0.5, DType.FLOAT64), 0);
        assertClose(new double[] {5, 3, 1}, Tensor.arange(5, 0, -2, DType.FLOAT32), 0);
        assertEquals(0, Tensor.arange(3, 1, 1, DType.FLOAT32).size());
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 1, 0, DType.FLOAT32));
        assertClose(new double[] {0, 0}, Tensor.zerosLike(Tensor.of(3.0, 4.0)), 0);
        assertEquals(DType.FLOAT64, Tensor.onesLike(Tensor.of(3.0, 4.0)).dtype());
        Tensor m = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
        assertEquals(6, m.at(1, 2));
        assertEquals(3, m.shape(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> m.at(2, 0));
        assertThrows(IllegalStateException.class, m::item);
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[][] {{1, 2}, {3}}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrapBool(new float[] {2}, 1));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(-1, 2));
        // the shape array is copied: reusing it for another tensor leaves this one intact
        int[] shape = {2, 3};
        Tensor first = Tensor.wrap(new float[6], shape);
        shape[0] = 3;
        Tensor second = Tensor.wrap(new double[9], shape);
        assertArrayEquals(new int[] {2, 3}, first.shape());
        assertArrayEquals(new int[] {3, 3}, second.shape());
        int[] padShape = {3, 2};
        Tensor padded = io.sparkgrad.ops.Primitives.pad(new int[] {1, 0}, padShape).apply(Tensor.ones(2, 2));
        padShape[0] = 7;
        assertArrayEquals(new int[] {3, 2}, padded.shape());
        // of() copies, wrap() does not
        float[] data = {1, 2};
        Tensor copied = Tensor.of(data);
        Tensor wrapped = Tensor.wrap(data, 2);
        data[0] = 9;
        assertEquals(1, copied.getFlat(0));
        assertEquals(9, wrapped.getFlat(0));
    }

    @Test
    void seededRandomFactoriesAreReproducible() {
        Tensor a = Tensor.randn(42, 1000);
        Tensor b = Tensor.randn(42, 1000);
        Tensor c = Tensor.randn(43, 1000);
        TestSupport.assertBitwiseEqual(a, b);
        assertFalse(Ops.eq(a, c).all());
        double mean = Ops.mean(Tensor.randn(7, DType.FLOAT64, 20000)).item();
        double var = Ops.mean(Ops.square(Tensor.randn(7, DType.FLOAT64, 20000))).item() - mean * mean;
        assertEquals(0, mean, 0.03); // 4 standard errors of the mean
        assertEquals(1, var, 0.05);
        Tensor u = Tensor.uniform(5, -2, 3, DType.FLOAT64, 20000);
        TestSupport.assertBitwiseEqual(u, Tensor.uniform(5, -2, 3, DType.FLOAT64, 20000));
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < u.size(); i++) {
            min = Math.min(min, u.getFlat(i));
            max = Math.max(max, u.getFlat(i));
        }
        assertTrue(min >= -2 && max < 3);
        assertTrue(min < -1.99 && max > 2.99);
        assertEquals(0.5, Ops.mean(u).item(), 0.05);
        assertThrows(IllegalArgumentException.class, () -> Tensor.uniform(1, 2, 2, 3));
    }

    @Test
    void broadcasting() {
        Tensor a = Tensor.of(new float[][] {{1}, {2}, {3}}); // [3,1]
        Tensor b = Tensor.of(10f, 20f, 30f, 40f); // [4]
        Tensor s = Ops.add(a, b);
        assertClose(new double[] {11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43}, new int[] {3, 4}, s, 0);
        Tensor p = Ops.mul(Tensor.arange(0, 6, 1, DType.FLOAT64), Tensor.scalar(2, DType.FLOAT64));
        assertClose(new double[] {0, 2, 4, 6, 8, 10}, p, 0);
        Tensor r3 = Ops.sub(Tensor.ones(2, 1, 3), Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}}));
        assertArrayEquals(new int[] {2, 2, 3}, r3.shape());
        assertClose(new double[] {0, -1, -2, -3, -4, -5, 0, -1, -2, -3, -4, -5}, r3, 0);
        assertClose(new double[] {1, 1, 1, 1}, new int[] {2, 2}, Ops.broadcastTo(Tensor.scalar(1), 2, 2), 0);
        // float32 arithmetic is single precision: 0.1f + 0.2f is the float sum, not 0.3
        assertEquals(0.1f + 0.2f, (float) Ops.add(Tensor.of(0.1f), Tensor.of(0.2f)).getFlat(0));
    }

    @Test
    void mindSporeRepr() {
        assertEquals("Tensor(shape=[4], dtype=Float32, value= [ 0.00000000e+00,  1.00000000e+00,  2.00000000e+00,  "
                + "3.00000000e+00])", Tensor.arange(4.0).toString());
        assertEquals("Tensor(shape=[], dtype=Float32, value= 28)", Tensor.scalar(28).toString());
        assertEquals("Tensor(shape=[4], dtype=Bool, value= [ True,  True,  True,  True])",
                Tensor.ones(DType.BOOL, 4).toString());
        assertEquals("Tensor(shape=[2], dtype=Bool, value= [False,  True])", Tensor.wrapBool(new float[] {0, 1}, 2).toString());
        assertEquals("Tensor(shape=[2], dtype=Float32, value= [-1.50000000e+00,  2.15359993e+01])",
                Tensor.of(-1.5f, 21.536f).toString());
        assertEquals("Tensor(shape=[1], dtype=Float64, value= [ 1.23456789e-05])", Tensor.of(1.23456789e-5).toString());
        assertEquals("Tensor(shape=[], dtype=Float32, value= 2.5)", Tensor.scalar(2.5).toString());
        // scalars as C++ streams print them: %g with 6 significant digits
        String[][] scalars = {{"0.333333", "0.3333333333333333"}, {"1.23457e+06", "1234567"}, {"1e-05", "1e-5"},
            {"0.0001", "1e-4"}, {"100000", "1e5"}, {"1e+06", "1e6"}, {"-0.5", "-0.5"}, {"nan", "NaN"},
            {"-inf", "-Infinity"}, {"0", "0"}, {"2.71828", "2.718281828459045"}, {"-1.5e+20", "-1.5e20"}};
        for (String[] c : scalars) {
            assertEquals("Tensor(shape=[], dtype=Float64, value= " + c[0] + ")",
                    Tensor.scalar(Double.parseDouble(c[1]), DType.FLOAT64).toString(), c[1]);
        }
        assertEquals("Tensor(shape=[], dtype=Float32, value= 0.1)", Tensor.scalar(0.1).toString());
        assertEquals("Tensor(shape=[], dtype=Bool, value= True)", Tensor.scalar(1, DType.BOOL).toString());
        // a matrix starts on its own line, one row per line (MindSpore's Tensor::ToStringRepr)
        assertEquals("Tensor(shape=[2, 2], dtype=Float32, value=\n[[ 1.00000000e+00, -2.00000000e+00],\n"
                + " [ 3.00000000e+00,  4.00000000e+00]])", Tensor.of(new float[][] {{1, -2}, {3, 4}}).toString());
        assertEquals("Tensor(shape=[2, 1, 2], dtype=Float32, value=\n[[[ 1.00000000e+00,  2.00000000e+00]],\n"
                + " [[ 3.00000000e+00,  4.00000000e+00]]])", Tensor.wrap(new float[] {1, 2, 3, 4}, 2, 1, 2).toString());
        // a vector breaks its line after every 12 elements
        StringBuilder want = new StringBuilder("Tensor(shape=[13], dtype=Float32, value= [");
        for (int i = 0; i < 13; i++) {
            want.append(String.format(java.util.Locale.ROOT, " %.8e", (double) i)); // " 1.20000000e+01"
            want.append(i < 12 ? ", " : "");
            want.append(i == 11 ? "\n " : "");
        }
        assertEquals(want.append("])").toString(), Tensor.arange(13).toString());
        // the older release format in the first seed: no sign space, three exponent digits
        MindSporeRepr old = MindSporeRepr.builder().signSpace(false).exponentDigits(3).build();
        assertEquals("Tensor(shape=[1], dtype=Float32, value= [3.00000000e+000])", old.repr(Tensor.of(3f)));
        assertEquals("Parameter (name=w, shape=(1,), dtype=Float32, requires_grad=True)",
                new Parameter(Tensor.of(5f), "w").toString());
        assertEquals("Parameter (name=k, shape=(2, 3), dtype=Float64, requires_grad=False)",
                new Parameter(Tensor.zeros(DType.FLOAT64, 2, 3), "k", false).toString());
        assertEquals("(Tensor(shape=[], dtype=Float32, value= 1),)", Tuple.of(Tensor.scalar(1)).toString());
    }

    @Test
    void numpyStr() {
        assertEquals("[5.]", Tensor.of(5f).str());
        assertEquals("[0. 1. 2. 3.]", Tensor.arange(4.0).str());
        assertEquals("[-1.5   2.    0.25]", Tensor.of(-1.5f, 2f, 0.25f).str());
        assertEquals("[[2.211 0.51  1.49 ]\n [5.588 2.68  4.07 ]]",
                Tensor.of(new float[][] {{2.211f, 0.51f, 1.49f}, {5.588f, 2.68f, 4.07f}}).str());
        // the seed's float32 row sum 0.11 + 3.3 + 1.1 is not the float nearest 4.51
        float rowSum = (0.11f + 3.3f) + 1.1f;
        assertNotEquals(4.51f, rowSum);
        assertEquals("[4.5099998]", Tensor.of(rowSum).str());
        assertEquals("[4.51]", Tensor.of(4.51f).str());
        assertEquals("[0.1]", Tensor.of(0.1f).str());
        assertEquals("[0.1]", Tensor.of(0.1).str());
        assertEquals("[0.3]", Tensor.of(0.1 + 0.2).str()); // float64 0.30000000000000004 rounds to 8 decimals
        assertEquals("[0.12345679]", Tensor.of(0.123456789).str());
        assertEquals("[ True False]", Tensor.wrapBool(new float[] {1, 0}, 2).str());
        assertEquals("28.0", Tensor.scalar(28).str());
        assertEquals("[[[1. 2.]]\n\n [[3. 4.]]]", Tensor.wrap(new float[] {1, 2, 3, 4}, 2, 1, 2).str());
        // scientific notation when the magnitudes call for it, as NumPy does
        assertEquals("[1.5e-05 1.0e+00]", Tensor.of(1.5e-5, 1.0).str());
        assertEquals("[1.e-05 1.e+00]", Tensor.of(1e-5, 1.0).str());
        assertEquals("[1.e+10 2.e+10]", Tensor.of(1e10, 2e10).str());
        assertEquals("[nan  1.]", Tensor.of(Float.NaN, 1f).str());
        // NumPy wraps at 75 columns: print(np.arange(20.)) and print(np.arange(40.).reshape(2, 20))
        assertEquals("[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17.\n 18. 19.]",
                Tensor.arange(20).str());
        assertEquals("[[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17.\n"
                + "  18. 19.]\n"
                + " [20. 21. 22. 23. 24. 25. 26. 27. 28. 29. 30. 31. 32. 33. 34. 35. 36. 37.\n"
                + "  38. 39.]]", Ops.reshape(Tensor.arange(40), 2, 20).str());
        assertEquals("[0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1.  1.1 1.2 1.3 1.4 1.5 1.6 1.7 1.8\n 1.9]",
                Tensor.arange(0.1, 1.95, 0.1, DType.FLOAT64).str());
        assertEquals("[-inf  0.5  nan]", Tensor.of(Float.NEGATIVE_INFINITY, 0.5f, Float.NaN).str());
        assertEquals("[ inf 10.5]", Tensor.of(Float.POSITIVE_INFINITY, 10.5f).str());
    }

    @Test
    void largeTensorsPrintSummarisedAsNumPyAndMindSporeDo() {
        // NumPy: threshold 1000 elements, 3 edge items per axis; the format is chosen on what is shown
        assertEquals("[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]", Tensor.arange(2000).str());
        assertEquals("Tensor(shape=[2000], dtype=Float32, value= [ 0.00000000e+00,  1.00000000e+00,  2.00000000e+00, ..., "
                + " 1.99700000e+03,  1.99800000e+03,  1.99900000e+03])", Tensor.arange(2000).toString());
        String m = Ops.reshape(Tensor.arange(1200), 30, 40).str();
        String[] lines = m.split("\n");
        assertEquals(7, lines.length, m);
        assertEquals(" ...", lines[3]);
        assertEquals("[[0.000e+00 1.000e+00 2.000e+00 ... 3.700e+01 3.800e+01 3.900e+01]", lines[0]);
        assertEquals(" [1.160e+03 1.161e+03 1.162e+03 ... 1.197e+03 1.198e+03 1.199e+03]]", lines[6]);
        // at the threshold nothing is cut
        assertFalse(Tensor.arange(1000).str().contains("..."));
    }
}
