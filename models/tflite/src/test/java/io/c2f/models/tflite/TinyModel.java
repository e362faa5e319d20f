package io.c2f.models.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.schema.AddOptionsT;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.Conv2DOptionsT;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.SignatureDefT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorMapT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * Writes tiny float32 TFLite models with the schema object API, for tests. Buffer 0 is the empty
 * sentinel the format requires; every subgraph may reference any buffer (shared weights).
 */
final class TinyModel {
    private final List<BufferT> buffers = new ArrayList<>();
    private final Map<Integer, Integer> opcodeIndex = new LinkedHashMap<>();
    private final List<Graph> graphs = new ArrayList<>();
    private final List<SignatureDefT> signatures = new ArrayList<>();

    TinyModel() {
        buffers.add(new BufferT());
    }

    /** Adds a constant buffer holding raw bytes and returns its index. */
    int constantBytes(byte... values) {
        int[] data = new int[values.length];
        for (int i = 0; i < data.length; i++) {
            data[i] = values[i] & 0xff;
        }
        BufferT buffer = new BufferT();
        buffer.setData(data);
        buffers.add(buffer);
        return buffers.size() - 1;
    }

    /** Adds a constant buffer holding the floats (little-endian) and returns its index. */
    int constant(float... values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putFloat(v);
        }
        int[] data = new int[values.length * 4];
        for (int i = 0; i < data.length; i++) {
            data[i] = bytes.get(i) & 0xff;
        }
        BufferT buffer = new BufferT();
        buffer.setData(data);
        buffers.add(buffer);
        return buffers.size() - 1;
    }

    Graph graph(String name) {
        Graph graph = new Graph(graphs.size(), name);
        graphs.add(graph);
        return graph;
    }

    /** Exposes a subgraph as a signature; tensors are named by their key in the maps. */
    TinyModel signature(String key, Graph graph, Map<String, Integer> inputs, Map<String, Integer> outputs) {
        SignatureDefT signature = new SignatureDefT();
        signature.setSignatureKey(key);
        signature.setSubgraphIndex(graph.index);
        signature.setInputs(tensorMaps(inputs));
        signature.setOutputs(tensorMaps(outputs));
        signatures.add(signature);
        return this;
    }

    private static TensorMapT[] tensorMaps(Map<String, Integer> map) {
        return map.entrySet().stream().map(e -> {
            TensorMapT t = new TensorMapT();
            t.setName(e.getKey());
            t.setTensorIndex(e.getValue());
            return t;
        }).toArray(TensorMapT[]::new);
    }

    private int opcode(int builtin) {
        return opcodeIndex.computeIfAbsent(builtin, b -> opcodeIndex.size());
    }

    byte[] toBytes() {
        return toModelT().serializeToBinary();
    }

    ModelT toModelT() {
        ModelT model = new ModelT();
        model.setVersion(3);
        model.setDescription("c2f tiny test model");
        model.setBuffers(buffers.toArray(BufferT[]::new));
        model.setOperatorCodes(opcodeIndex.keySet().stream().map(builtin -> {
            OperatorCodeT code = new OperatorCodeT();
            code.setBuiltinCode(builtin);
            code.setDeprecatedBuiltinCode((byte) Math.min(builtin, BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES));
            code.setVersion(1);
            return code;
        }).toArray(OperatorCodeT[]::new));
        model.setSubgraphs(graphs.stream().map(Graph::toSubGraph).toArray(SubGraphT[]::new));
        model.setSignatureDefs(signatures.toArray(SignatureDefT[]::new));
        return model;
    }

    /** The model in a direct native-order buffer, as the Interpreter wants it. */
    ByteBuffer toBuffer() {
        byte[] bytes = toBytes();
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
        buffer.put(bytes).rewind();
        return buffer;
    }

    final class Graph {
        final int index;
        private final String name;
        private final List<TensorT> tensors = new ArrayList<>();
        private final List<OperatorT> operators = new ArrayList<>();
        private int[] inputs = new int[0];
        private int[] outputs = new int[0];

        private Graph(int index, String name) {
            this.index = index;
            this.name = name;
        }

        /** A tensor of any type (TensorType), fixed shape. */
        int typedTensor(String tensorName, byte type, int[] shape, int buffer) {
            int index = tensor(tensorName, shape, buffer);
            tensors.get(index).setType(type);
            return index;
        }

        /** A float32 tensor; a -1 in shape makes that dimension free (shape 1, signature -1). */
        int tensor(String tensorName, int[] shape, int buffer) {
            TensorT tensor = new TensorT();
            tensor.setName(tensorName);
            tensor.setType(TensorType.FLOAT32);
            int[] concrete = shape.clone();
            boolean dynamic = false;
            for (int i = 0; i < concrete.length; i++) {
                if (concrete[i] < 0) {
                    concrete[i] = 1;
                    dynamic = true;
                }
            }
            tensor.setShape(concrete);
            if (dynamic) {
                tensor.setShapeSignature(shape.clone());
            }
            tensor.setBuffer(buffer);
            tensors.add(tensor);
            return tensors.size() - 1;
        }

        int tensor(String tensorName, int... shape) {
            return tensor(tensorName, shape, 0);
        }

        Graph io(int[] in, int[] out) {
            inputs = in;
            outputs = out;
            return this;
        }

        Graph op(int builtin, byte optionsType, Object options, int[] in, int[] out) {
            OperatorT op = new OperatorT();
            op.setOpcodeIndex(opcode(builtin));
            op.setInputs(in);
            op.setOutputs(out);
            if (options != null) {
                BuiltinOptionsUnion union = new BuiltinOptionsUnion();
                union.setType(optionsType);
                union.setValue(options);
                op.setBuiltinOptions(union);
            }
            operators.add(op);
            return this;
        }

        Graph add(int a, int b, int out) {
            return op(BuiltinOperator.ADD, BuiltinOptions.AddOptions, new AddOptionsT(), new int[] {a, b}, new int[] {out});
        }

        /** 3x3 (or any) SAME-padded, stride-1 conv; filter is OHWI, bias [O]. */
        Graph conv(int in, int filter, int bias, int out) {
            Conv2DOptionsT options = new Conv2DOptionsT();
            options.setPadding(Padding.SAME);
            options.setStrideH(1);
            options.setStrideW(1);
            options.setDilationHFactor(1);
            options.setDilationWFactor(1);
            return op(BuiltinOperator.CONV_2D, BuiltinOptions.Conv2DOptions, options,
                    new int[] {in, filter, bias}, new int[] {out});
        }

        private SubGraphT toSubGraph() {
            SubGraphT graph = new SubGraphT();
            graph.setName(name);
            graph.setTensors(tensors.toArray(TensorT[]::new));
            graph.setOperators(operators.toArray(OperatorT[]::new));
            graph.setInputs(inputs);
            graph.setOutputs(outputs);
            return graph;
        }
    }
}
