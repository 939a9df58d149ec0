package io.sparkgrad.spark.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Adam;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.nn.Dense;
import io.sparkgrad.nn.Optimizer;
import io.sparkgrad.ops.Ops;
import io.sparkgrad.spark.ModelSpec;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint written by one JVM loads into another with the same parameter names in the same
 * order: the parameter layout is a property of the model's code, not of the JVM that ran it.
 */
class CrossJvmCheckpointTest {
    static final long STEP = 3;

    /** Fields in non-alphabetical order, a ModelSpec body and a plain Dense. */
    static final class Net extends Cell {
        final Parameter temperature = new Parameter(Tensor.of(1.5f), "temperature");
        final Cell body = ModelSpec.parse("mlp:4,3", 5, 3, 7L).create();
        final Dense head = Dense.builder(3, 2).seed(11).build();

        @Override
        public Tensor construct(Tensor... in) {
            return Ops.mul(head.apply(body.apply(in[0])), temperature);
        }
    }

    /** The model trained for {@link #STEP} deterministic Adam steps, and its optimizer. */
    static Optimizer train(Net net) {
        ParameterTuple params = net.trainableParamTuple();
        Optimizer opt = Adam.builder(params, 0.01).build();
        for (int k = 1; k <= STEP; k++) {
            List<Tensor> g = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                g.add(Tensor.randn(1000L * k + i, params.get(i).shape()));
            }
            opt.step(g);
        }
        return opt;
    }

    /** The writer JVM: trains a {@link Net} and writes its checkpoint to the directory {@code args[0]}. */
    public static void main(String[] args) throws Exception {
        Net net = new Net();
        Optimizer opt = train(net);
        new CheckpointStore(args[0]).write(Checkpoint.of(STEP, 1, 42L, "cross-jvm", net.trainableParamTuple(),
                opt.exportState()));
        System.out.println(String.join(",", net.trainableParamNames()));
    }

    @Test
    void checkpointFromAnotherJvmHasTheSameNamesInTheSameOrder(@TempDir Path dir) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens")) { // the test JVM's own flags (sparkgrad.addOpens in the parent pom)
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"),
                CrossJvmCheckpointTest.class.getName(), dir.toString()));
        File out = dir.resolve("writer.out").toFile();
        File err = dir.resolve("writer.err").toFile();
        Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("writer JVM did not finish in 120 s; stderr:\n" + Files.readString(err.toPath()));
        }
        assertEquals(0, p.exitValue(), () -> "writer JVM failed; stderr:\n" + readQuietly(err));

        List<String> expectedNames = List.of("temperature", "body.0.weight", "body.0.bias", "body.2.weight",
                "body.2.bias", "head.weight", "head.bias");
        assertEquals(String.join(",", expectedNames), Files.readString(out.toPath()).strip());
        Checkpoint c = new CheckpointStore(dir.toString()).read(STEP);
        assertEquals(expectedNames, c.paramNames());

        // a fresh model in this JVM: the same names, and the checkpoint restores into it
        Net fresh = new Net();
        ParameterTuple params = fresh.trainableParamTuple();
        assertEquals(expectedNames, params.names());
        Optimizer opt = Adam.builder(params, 0.01).build();
        float[] before = params.flatten();
        c.restoreInto(params, opt);

        // the values are those of the same training run here, parameter by parameter
        Net reference = new Net();
        Optimizer refOpt = train(reference);
        float[] expected = reference.trainableParamTuple().flatten();
        assertEquals(4 * 5 + 4 + 3 * 4 + 3 + 2 * 3 + 2 + 1, expected.length);
        assertArrayEquals(expected, c.values());
        assertArrayEquals(expected, params.flatten());
        assertFalse(Arrays.equals(before, expected), "training moved the parameters");
        assertArrayEquals(reference.head.weight().toFloatArray(), fresh.head.weight().toFloatArray());
        assertEquals(refOpt.exportState().step(), opt.exportState().step());
        assertTrue(opt.exportState().step() == STEP);
    }

    private static String readQuietly(File f) {
        try {
            return Files.readString(f.toPath());
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
