package io.c2f.models.writer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.SubGraph;

/**
 * The operators of a subgraph counted by type, read from the model file itself: what the runtime
 * will execute per invoke (the op count of a forward pass, before any delegate fuses or folds).
 *
 * <pre>
 * java -cp c2f-models.jar io.c2f.models.writer.OpCensus FILE.tflite [FILE.tflite ...]
 * </pre>
 * prints, per model and per view (the fixed-resolution graphs of MODEL_FORMAT.md) and for the
 * shape-free root, each op type's count and the total.
 */
public final class OpCensus {
    private OpCensus() {
    }

    /** Op type name -> count for subgraph {@code subgraphIndex} of {@code model}, sorted by name. */
    public static Map<String, Integer> count(ByteBuffer model, int subgraphIndex) {
        Model m = Model.getRootAsModel(model.duplicate().order(ByteOrder.LITTLE_ENDIAN));
        if (subgraphIndex < 0 || subgraphIndex >= m.subgraphsLength()) {
            throw new IllegalArgumentException("model has " + m.subgraphsLength() + " subgraphs, asked for " + subgraphIndex);
        }
        SubGraph g = m.subgraphs(subgraphIndex);
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < g.operatorsLength(); i++) {
            Operator op = g.operators(i);
            OperatorCode code = m.operatorCodes((int) op.opcodeIndex());
            int builtin = Math.max(code.builtinCode(), code.deprecatedBuiltinCode());
            counts.merge(BuiltinOperator.name(builtin), 1, Integer::sum);
        }
        return counts;
    }

    /** Total operators of a census. */
    public static int total(Map<String, Integer> census) {
        return census.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The census of each fixed-resolution view ("res32x32", ...) and of the shape-free root ("shape_free"). */
    public static Map<String, Map<String, Integer>> ofFile(byte[] model) {
        Map<String, Map<String, Integer>> out = new TreeMap<>();
        out.put("shape_free", count(ByteBuffer.wrap(model), 0));
        for (String key : GraphBuilder.viewOffsets(model).keySet()) {
            out.put(key, count(GraphBuilder.view(model, key), 0));
        }
        return out;
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: OpCensus FILE.tflite [FILE.tflite ...]");
            System.exit(2);
        }
        for (String file : args) {
            Map<String, Map<String, Integer>> census = ofFile(Files.readAllBytes(Path.of(file)));
            System.out.println(file);
            for (Map.Entry<String, Map<String, Integer>> graph : census.entrySet()) {
                System.out.printf(Locale.ROOT, "  %s: %d ops%n", graph.getKey(), total(graph.getValue()));
                graph.getValue().forEach((op, n) -> System.out.printf(Locale.ROOT, "    %-26s %5d%n", op, n));
            }
        }
    }
}
