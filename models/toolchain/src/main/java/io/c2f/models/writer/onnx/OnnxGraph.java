package io.c2f.models.writer.onnx;

import com.google.protobuf.ByteString;
import io.c2f.models.writer.Half;
import io.c2f.models.writer.WeightType;
import io.c2f.models.writer.onnx.proto.AttributeProto;
import io.c2f.models.writer.onnx.proto.GraphProto;
import io.c2f.models.writer.onnx.proto.ModelProto;
import io.c2f.models.writer.onnx.proto.NodeProto;
import io.c2f.models.writer.onnx.proto.OperatorSetIdProto;
import io.c2f.models.writer.onnx.proto.TensorProto;
import io.c2f.models.writer.onnx.proto.TensorShapeProto;
import io.c2f.models.writer.onnx.proto.TypeProto;
import io.c2f.models.writer.onnx.proto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX graph under construction (opset {@value #OPSET}, IR version {@value #IR_VERSION}):
 * named inputs and outputs, initializers, and single-output nodes in topological order. Tensors
 * are handles (ints) that map to unique value names.
 *
 * <p>Learned weights follow the model's {@link WeightType}: fp32 initializers, or fp16
 * initializers each followed by a Cast to float, which ONNX Runtime folds into a float constant when
 * it loads the graph; the file then holds the same fp16 bits as the TFLite model.
 */
public final class OnnxGraph {
    public static final int OPSET = 17;
    public static final int IR_VERSION = 8;

    private final WeightType weightType;
    private final List<String> names = new ArrayList<>();
    private final Set<String> used = new HashSet<>();
    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<ValueInfoProto> outputs = new ArrayList<>();
    private final Map<String, Integer> constants = new HashMap<>();
    private final Map<String, Integer> opCounts = new HashMap<>();

    public OnnxGraph(WeightType weightType) {
        this.weightType = weightType;
    }

    private int value(String name) {
        if (!used.add(name)) {
            throw new IllegalArgumentException("value name '" + name + "' used twice in the graph");
        }
        names.add(name);
        return names.size() - 1;
    }

    public String name(int tensor) {
        return names.get(tensor);
    }

    /** A graph input; each dim is an Integer (fixed) or a String (a symbolic name such as "batch"). */
    public int input(String name, TensorProto.DataType type, Object... dims) {
        inputs.add(valueInfo(name, type, dims));
        return value(name);
    }

    /** Makes {@code tensor} the graph output {@code name} (through an Identity when the name differs). */
    public void output(String name, int tensor, TensorProto.DataType type, Object... dims) {
        int named = name(tensor).equals(name) ? tensor : node("Identity", name, new int[] {tensor});
        outputs.add(valueInfo(name(named), type, dims));
    }

    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof Integer i) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(i));
            } else if (d instanceof String s) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(s));
            } else {
                throw new IllegalArgumentException("dim " + d + " of " + name + " is neither a number nor a name");
            }
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
    }

    /** A learned weight under its parameter name, stored as the model's weight type (see class comment). */
    public int weight(String key, float[] data, long... dims) {
        checkSize(key, data.length, dims);
        Integer cached = constants.get("w:" + key);
        if (cached != null) {
            return cached;
        }
        int out;
        if (weightType == WeightType.FP32) {
            out = initializer(key, TensorProto.DataType.FLOAT, floatBytes(data), dims);
        } else {
            ByteBuffer bytes = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : data) {
                bytes.putShort(Half.fromFloat(v));
            }
            int half = initializer(key + "/fp16", TensorProto.DataType.FLOAT16, bytes.array(), dims);
            out = node("Cast", key, new int[] {half}, attr("to", TensorProto.DataType.FLOAT.getNumber()));
        }
        constants.put("w:" + key, out);
        return out;
    }

    /** A float32 constant at full precision (frequencies, norm scales); one per key. */
    public int constant(String key, float[] data, long... dims) {
        checkSize(key, data.length, dims);
        Integer cached = constants.get("f:" + key);
        if (cached != null) {
            return cached;
        }
        int t = initializer(key, TensorProto.DataType.FLOAT, floatBytes(data), dims);
        constants.put("f:" + key, t);
        return t;
    }

    /** A 1-D int64 constant (shapes, axes, pads), shared by value. */
    public int constantInt64(long... values) {
        String key = "i64" + Arrays.toString(values).replace(" ", "");
        Integer cached = constants.get(key);
        if (cached != null) {
            return cached;
        }
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        int t = initializer(key, TensorProto.DataType.INT64, bytes.array(), values.length);
        constants.put(key, t);
        return t;
    }

    private int initializer(String name, TensorProto.DataType type, byte[] raw, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        initializers.add(t.build());
        return value(name);
    }

    private static byte[] floatBytes(float[] data) {
        ByteBuffer bytes = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data);
        return bytes.array();
    }

    private static void checkSize(String key, int length, long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != length) {
            throw new IllegalArgumentException("constant '" + key + "' has " + length + " values, shape "
                    + Arrays.toString(dims) + " needs " + n);
        }
    }

    /** A node with one output named after its op and position; -1 in {@code in} is an omitted optional input. */
    public int node(String op, int[] in, AttributeProto... attributes) {
        return node(op, op + "_" + nodes.size(), in, attributes);
    }

    /** A node whose output gets {@code outputName} (unique in the graph). */
    public int node(String op, String outputName, int[] in, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_" + nodes.size());
        for (int i : in) {
            n.addInput(i < 0 ? "" : name(i));
        }
        int out = value(outputName);
        n.addOutput(outputName);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        nodes.add(n.build());
        opCounts.merge(op, 1, Integer::sum);
        return out;
    }

    public static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    public static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    public static AttributeProto attrInts(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** How many nodes of each op type the graph has so far. */
    public Map<String, Integer> opHistogram() {
        return Map.copyOf(opCounts);
    }

    /** The finished model: this graph, the default-domain operator set {@value #OPSET}. */
    public ModelProto toModel(String graphName, String docString) {
        if (outputs.isEmpty()) {
            throw new IllegalStateException("graph " + graphName + " has no outputs");
        }
        GraphProto graph = GraphProto.newBuilder().setName(graphName).addAllNode(nodes)
                .addAllInitializer(initializers).addAllInput(inputs).addAllOutput(outputs).build();
        return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("c2f-models-toolchain")
                .setProducerVersion("1").setDocString(docString).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).build();
    }
}
