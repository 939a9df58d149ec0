package io.sparkgrad.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkgrad.DType;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.nn.OptimizerState;
import io.sparkgrad.spark.ModelSpec;
import io.sparkgrad.spark.checkpoint.Checkpoint;
import io.sparkgrad.spark.checkpoint.CheckpointCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;

/**
 * Save and load of SparkGrad stages, with no Java serialization. A saved stage is a directory:
 * <ul>
 *   <li>{@code metadata/part-00000}: one line of JSON in the layout of Spark's
 *       {@code DefaultParamsWriter} ({@code class}, {@code timestamp}, {@code sparkVersion},
 *       {@code uid}, {@code paramMap}, {@code defaultParamMap}, each param value in its own
 *       {@code Param.jsonEncode}), which is what {@code Pipeline} and {@code PipelineModel} read to
 *       find a stage's class; a model adds its spec, {@code dtype} (what it computes in, see
 *       {@code Precision}; absent reads as FLOAT32), kind, class count, the standardisation's
 *       mean and std (doubles, written so they read back exactly) and {@code labelScale}
 *       ({@code {mean, std}} of a regression target, {@link LabelScale}; absent reads as the
 *       identity);</li>
 *   <li>{@code parameters.sgck} (models): the trained parameters in SparkGrad's checkpoint format
 *       ({@link CheckpointCodec}: step 0, parameter names and shapes, CRC32C-checked on load).</li>
 * </ul>
 * All I/O goes through the Hadoop FileSystem of the path, so file://, hdfs:// and the rest work.
 */
final class ModelIO {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String METADATA = "metadata";
    static final String PARAMETERS = "parameters.sgck";
    /** The layout version of a saved SparkGrad stage. */
    static final int LAYOUT_VERSION = 1;

    private ModelIO() {
    }

    /** Writes an estimator: metadata only. */
    static final class ParamsWriter extends MLWriter {
        private final Params stage;

        ParamsWriter(Params stage) {
            this.stage = stage;
        }

        @Override
        public void saveImpl(String path) {
            writeMetadata(stage, metadata(stage, sparkSession().version()), path, sparkSession().sparkContext()
                    .hadoopConfiguration());
        }
    }

    /** Writes a model: metadata with its shape and scaling, and the parameters as a checkpoint. */
    static final class ModelWriter extends MLWriter {
        private final SparkGradModel model;

        ModelWriter(SparkGradModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            Configuration conf = sparkSession().sparkContext().hadoopConfiguration();
            ObjectNode m = metadata(model, sparkSession().version());
            ModelSpec spec = model.spec();
            m.put("sparkgradLayout", LAYOUT_VERSION);
            m.put("modelSpec", spec.text());
            m.put("inputDim", spec.inputDim());
            ArrayNode widths = m.putArray("widths");
            for (int w : spec.widths()) {
                widths.add(w);
            }
            m.put("specSeed", spec.seed());
            m.put("dtype", spec.dtype().name());
            m.put("kind", model.kind().name());
            m.put("numClasses", model.numClasses());
            m.put("standardized", model.standardized());
            ArrayNode mean = m.putArray("mean");
            ArrayNode std = m.putArray("std");
            for (double v : model.mean()) {
                mean.add(v);
            }
            for (double v : model.std()) {
                std.add(v);
            }
            ObjectNode ls = m.putObject("labelScale");
            ls.put("mean", model.labelScale().mean());
            ls.put("std", model.labelScale().std());
            writeMetadata(model, m, path, conf);
            ParameterTuple tuple = spec.create().trainableParamTuple();
            tuple.load(model.weights());
            Checkpoint cp = Checkpoint.of(0, 0, spec.seed(), spec.text(), tuple,
                    new OptimizerState("none", 0, 0, Map.of()));
            Path file = new Path(path, PARAMETERS);
            try (OutputStream out = file.getFileSystem(conf).create(file, false)) {
                CheckpointCodec.encode(cp, out);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the parameters of " + model.uid() + " to " + path, e);
            }
        }
    }

    /** Reads an estimator. */
    static final class EstimatorReader extends MLReader<SparkGradEstimator> {
        @Override
        public SparkGradEstimator load(String path) {
            JsonNode m = readMetadata(path, SparkGradEstimator.class, sparkSession().sparkContext().hadoopConfiguration());
            SparkGradEstimator e = new SparkGradEstimator(m.get("uid").asText());
            setParams(e, m);
            return e;
        }
    }

    /** Reads a model: metadata, then the parameters, checked against the spec's names and shapes. */
    static final class ModelReader extends MLReader<SparkGradModel> {
        @Override
        public SparkGradModel load(String path) {
            return readModel(path, sparkSession().sparkContext().hadoopConfiguration());
        }
    }

    /** Reads a saved model through the file system {@code conf} resolves {@code path} to; no Spark needed. */
    static SparkGradModel readModel(String path, Configuration conf) {
        JsonNode m = readMetadata(path, SparkGradModel.class, conf);
        int[] widths = new int[m.get("widths").size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = m.get("widths").get(i).asInt();
        }
        ModelSpec spec = new ModelSpec(m.get("modelSpec").asText(), m.get("inputDim").asInt(), widths,
                m.get("specSeed").asLong(), DType.valueOf(m.path("dtype").asText(DType.FLOAT32.name())));
        ParameterTuple tuple = spec.create().trainableParamTuple();
        Path file = new Path(path, PARAMETERS);
        try (InputStream in = file.getFileSystem(conf).open(file)) {
            CheckpointCodec.decode(in.readAllBytes(), file.toString()).restoreInto(tuple, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the parameters " + file + ": " + e.getMessage(), e);
        }
        SparkGradModel model = new SparkGradModel(m.get("uid").asText(), spec, tuple.flatten(),
                new Standardization(doubles(m.get("mean")), doubles(m.get("std"))), m.get("standardized").asBoolean(),
                BlockScorer.Kind.valueOf(m.get("kind").asText()), m.get("numClasses").asInt(),
                m.has("labelScale") ? new LabelScale(m.get("labelScale").get("mean").asDouble(),
                        m.get("labelScale").get("std").asDouble()) : LabelScale.IDENTITY);
        setParams(model, m);
        return model;
    }

    private static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).asDouble();
        }
        return d;
    }

    /** Spark's metadata fields for {@code stage}: explicitly set params and defaults apart. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static ObjectNode metadata(Params stage, String sparkVersion) {
        ObjectNode m = JSON.createObjectNode();
        m.put("class", stage.getClass().getName());
        m.put("timestamp", System.currentTimeMillis());
        m.put("sparkVersion", sparkVersion);
        m.put("uid", stage.uid());
        ObjectNode set = m.putObject("paramMap");
        ObjectNode defaults = m.putObject("defaultParamMap");
        for (Param p : stage.params()) {
            try {
                if (stage.isSet(p)) {
                    set.set(p.name(), JSON.readTree(p.jsonEncode(stage.get(p).get())));
                }
                if (stage.hasDefault(p)) {
                    defaults.set(p.name(), JSON.readTree(p.jsonEncode(stage.getDefault(p).get())));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return m;
    }

    private static void writeMetadata(Params stage, ObjectNode m, String path, Configuration conf) {
        Path dir = new Path(path, METADATA);
        try {
            FileSystem fs = dir.getFileSystem(conf);
            try (OutputStream out = fs.create(new Path(dir, "part-00000"), false)) {
                out.write((JSON.writeValueAsString(m) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            fs.create(new Path(dir, "_SUCCESS"), false).close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metadata of " + stage.uid() + " to " + dir, e);
        }
    }

    static JsonNode readMetadata(String path, Class<?> expected, Configuration conf) {
        Path file = new Path(new Path(path, METADATA), "part-00000");
        JsonNode m;
        try (InputStream in = file.getFileSystem(conf).open(file)) {
            m = JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String cls = m.path("class").asText();
        if (!cls.equals(expected.getName())) {
            throw new IllegalArgumentException(path + " holds a " + cls + ", not a " + expected.getName());
        }
        if (m.has("sparkgradLayout") && m.get("sparkgradLayout").asInt() > LAYOUT_VERSION) {
            throw new IllegalArgumentException(path + " was saved in layout " + m.get("sparkgradLayout").asInt()
                    + "; this SparkGrad reads layouts up to " + LAYOUT_VERSION);
        }
        return m;
    }

    /** Sets the saved params and defaults on a fresh stage (values decoded by each param). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void setParams(Params stage, JsonNode m) {
        for (String section : new String[] {"defaultParamMap", "paramMap"}) {
            Iterator<Map.Entry<String, JsonNode>> it = m.path(section).fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                Param p = stage.getParam(e.getKey());
                Object v = p.jsonDecode(e.getValue().toString());
                if (section.equals("paramMap")) {
                    stage.set(p, v);
                } else {
                    stage.setDefault(p, v);
                }
            }
        }
    }
}
