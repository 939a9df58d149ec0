package io.sparkgrad.ml;

import java.util.Arrays;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Column checks and output columns for {@code transformSchema}; every error names the column. */
final class Schemas {
    private Schemas() {
    }

    static void requireVector(StructType schema, String col, String role) {
        DataType t = type(schema, col, role);
        if (!t.equals(SQLDataTypes.VectorType())) {
            throw new IllegalArgumentException(role + " column '" + col + "' must be of type ml Vector ("
                    + SQLDataTypes.VectorType().simpleString() + ") but is " + t.catalogString()
                    + "; assemble it with VectorAssembler");
        }
    }

    static void requireNumeric(StructType schema, String col, String role) {
        DataType t = type(schema, col, role);
        if (!(t instanceof NumericType)) {
            throw new IllegalArgumentException(role + " column '" + col + "' must be numeric but is " + t.catalogString());
        }
    }

    static void requireBoolean(StructType schema, String col, String role) {
        DataType t = type(schema, col, role);
        if (!t.equals(DataTypes.BooleanType)) {
            throw new IllegalArgumentException(role + " column '" + col + "' must be boolean but is " + t.catalogString());
        }
    }

    private static DataType type(StructType schema, String col, String role) {
        if (!Arrays.asList(schema.fieldNames()).contains(col)) {
            throw new IllegalArgumentException(role + " column '" + col + "' does not exist; the columns are "
                    + Arrays.toString(schema.fieldNames()));
        }
        return schema.apply(col).dataType();
    }

    /** {@code schema} with an output column appended; refuses a name that exists. */
    static StructType append(StructType schema, String col, DataType type, String role) {
        if (col.isEmpty()) {
            return schema;
        }
        if (Arrays.asList(schema.fieldNames()).contains(col)) {
            throw new IllegalArgumentException(role + " column '" + col + "' already exists; set another name");
        }
        return schema.add(new StructField(col, type, false, org.apache.spark.sql.types.Metadata.empty()));
    }

    /** The output columns of a model, in MLlib's order: rawPrediction, probability, prediction. */
    static StructType output(StructType schema, SparkGradParams p) {
        requireVector(schema, p.getFeaturesCol(), "features");
        StructType s = schema;
        if (p.isClassification()) {
            s = append(s, p.getRawPredictionCol(), SQLDataTypes.VectorType(), "rawPrediction");
            s = append(s, p.getProbabilityCol(), SQLDataTypes.VectorType(), "probability");
        }
        return append(s, p.getPredictionCol(), DataTypes.DoubleType, "prediction");
    }

    /** The estimator's check: input columns, then the output columns a model will add. */
    static StructType fitting(StructType schema, SparkGradParams p) {
        requireVector(schema, p.getFeaturesCol(), "features");
        requireNumeric(schema, p.getLabelCol(), "label");
        if (!p.getWeightCol().isEmpty()) {
            requireNumeric(schema, p.getWeightCol(), "weight");
        }
        if (!p.getValidationIndicatorCol().isEmpty()) {
            requireBoolean(schema, p.getValidationIndicatorCol(), "validationIndicator");
        } else if (p.getEarlyStoppingRounds() > 0) {
            throw new IllegalArgumentException("earlyStoppingRounds " + p.getEarlyStoppingRounds()
                    + " needs a validation set: set validationIndicatorCol");
        }
        return output(schema, p);
    }
}
