package io.c2f.models.bench;

import io.c2f.models.writer.GraphBuilder;
import io.c2f.models.writer.Half;
import io.c2f.models.writer.MacCounter;
import io.c2f.models.writer.Subgraph;
import io.c2f.models.writer.WeightType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.tensorflow.lite.schema.BatchMatMulOptions;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.ConcatenationOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.ReducerOptions;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorType;

/**
 * The ops of some kinds of a graph, and nothing else: a model that holds each op of those kinds of
 * subgraph 0 of a model file with its input shapes, options and constant inputs as the file stores
 * them (fp16 behind DEQUANTIZE or float32). Each op reads graph inputs of its inputs' shapes (one input
 * per shape) and writes a graph output of its own, so no op is dead and none of the others runs.
 * With CONV_2D alone it is the hardware ceiling of the graph's convolutions.
 */
final class OpsOnlyModel {
    /** The op kinds this model can hold. */
    static final Set<Integer> SUPPORTED = Set.of(BuiltinOperator.CONV_2D, BuiltinOperator.CONCATENATION,
            BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, BuiltinOperator.BATCH_MATMUL, BuiltinOperator.SOFTMAX,
            BuiltinOperator.MEAN, BuiltinOperator.ADD, BuiltinOperator.SUB, BuiltinOperator.MUL, BuiltinOperator.DIV,
            BuiltinOperator.MAXIMUM, BuiltinOperator.SQRT, BuiltinOperator.LOGISTIC);

    /** The written model, how many ops it holds and their MACs (CONV_2D and BATCH_MATMUL). */
    record Ops(byte[] model, int ops, long macs) {
    }

    /**
     * What selects an op: its kind, its first and second inputs' shapes (second null for one input)
     * and, for CONV_2D, its filter's shape (OHWI) and stride (otherwise null and 0).
     */
    record OpShape(int kind, int[] input, int[] second, int[] filter, int stride) {
        /** A binary op whose second input is smaller than its first: XNNPACK runs it row by row. */
        boolean broadcasts() {
            return second != null && !Arrays.equals(input, second);
        }

        /** "3x3 32->64 at 32x32 stride 1" for a conv. */
        String convLabel() {
            return filter[1] + "x" + filter[2] + " " + filter[3] + "->" + filter[0] + " at " + input[1] + "x" + input[2]
                    + (stride != 1 ? " stride " + stride : "");
        }
    }

    /** The shape of every op of the file's subgraph 0 (a model, or a view's slice of one). */
    static List<OpShape> shapes(ByteBuffer view) {
        OpsOnlyModel o = new OpsOnlyModel(view);
        List<OpShape> out = new ArrayList<>();
        for (int i = 0; i < o.g.operatorsLength(); i++) {
            out.add(o.opShape(o.g.operators(i)));
        }
        return out;
    }

    private OpShape opShape(Operator op) {
        int kind = builtin(op);
        int[] input = shape(g.tensors(op.inputs(0)));
        int[] second = op.inputsLength() > 1 ? shape(g.tensors(op.inputs(1))) : null;
        if (kind != BuiltinOperator.CONV_2D) {
            return new OpShape(kind, input, second, null, 0);
        }
        Conv2DOptions o = (Conv2DOptions) op.builtinOptions(new Conv2DOptions());
        return new OpShape(kind, input, second, shape(g.tensors(op.inputs(1))), o.strideH());
    }

    private final Model m;
    private final SubGraph g;
    private final Map<Integer, Integer> dequantizedFrom = new HashMap<>(); // float32 tensor -> its fp16 source
    private final Subgraph s;
    private final Map<String, Integer> inputByShape = new LinkedHashMap<>();
    private final GraphBuilder builder = new GraphBuilder(WeightType.FP16);

    private OpsOnlyModel(ByteBuffer view) {
        m = Model.getRootAsModel(view.duplicate().order(ByteOrder.LITTLE_ENDIAN));
        g = m.subgraphs(0);
        for (int i = 0; i < g.operatorsLength(); i++) {
            Operator op = g.operators(i);
            if (builtin(op) == BuiltinOperator.DEQUANTIZE) {
                dequantizedFrom.put(op.outputs(0), op.inputs(0));
            }
        }
        s = builder.addSubgraph("ops");
    }

    /**
     * The ops of subgraph 0 of {@code view} (a model, or a view's slice of one) that {@code select}
     * picks, each of a {@link #SUPPORTED} kind.
     */
    static Ops of(ByteBuffer view, Predicate<OpShape> select) {
        return new OpsOnlyModel(view).write(select);
    }

    private Ops write(Predicate<OpShape> select) {
        int ops = 0;
        for (int i = 0; i < g.operatorsLength(); i++) {
            Operator op = g.operators(i);
            int kind = builtin(op);
            if (!select.test(opShape(op))) {
                continue;
            }
            s.output("y" + ops, copy(op, kind, i));
            ops++;
        }
        if (ops == 0) {
            throw new IllegalArgumentException("the graph has no op of those asked for");
        }
        byte[] model = builder.serialize(List.of(GraphBuilder.SignatureSpec.of("ops", s)));
        // counted from the written file, as the shipped model's MACs are (of its ops only CONV_2D and BATCH_MATMUL have any)
        return new Ops(model, ops, MacCounter.count(model, 0));
    }

    private int copy(Operator op, int kind, int index) {
        switch (kind) {
            case BuiltinOperator.CONV_2D -> {
                Conv2DOptions o = (Conv2DOptions) op.builtinOptions(new Conv2DOptions());
                if (o.strideH() != o.strideW() || o.dilationHFactor() != 1 || o.dilationWFactor() != 1) {
                    throw new IllegalArgumentException("conv op " + index + ": only square strides without dilation");
                }
                return s.conv2d(in(op, 0, index), in(op, 1, index), in(op, 2, index), o.strideH(),
                        o.padding() == Padding.SAME ? Subgraph.Pad.SAME : Subgraph.Pad.VALID);
            }
            case BuiltinOperator.CONCATENATION -> {
                int[] parts = new int[op.inputsLength()];
                for (int j = 0; j < parts.length; j++) {
                    parts[j] = in(op, j, index);
                }
                return s.concat(((ConcatenationOptions) op.builtinOptions(new ConcatenationOptions())).axis(), parts);
            }
            case BuiltinOperator.RESIZE_NEAREST_NEIGHBOR -> {
                int[] out = shape(g.tensors(op.outputs(0)));
                return s.resizeNearest(in(op, 0, index), out[1], out[2]);
            }
            case BuiltinOperator.BATCH_MATMUL -> {
                BatchMatMulOptions o = (BatchMatMulOptions) op.builtinOptions(new BatchMatMulOptions());
                return s.batchMatMul(in(op, 0, index), in(op, 1, index), o.adjX(), o.adjY());
            }
            case BuiltinOperator.SOFTMAX -> {
                return s.softmax(in(op, 0, index));
            }
            case BuiltinOperator.MEAN -> {
                ByteBuffer axes = constantBytes(op.inputs(1));
                int[] a = new int[axes.remaining() / 4];
                axes.asIntBuffer().get(a);
                return s.mean(in(op, 0, index), a, ((ReducerOptions) op.builtinOptions(new ReducerOptions())).keepDims());
            }
            case BuiltinOperator.ADD -> {
                return s.add(in(op, 0, index), in(op, 1, index));
            }
            case BuiltinOperator.SUB -> {
                return s.sub(in(op, 0, index), in(op, 1, index));
            }
            case BuiltinOperator.MUL -> {
                return s.mul(in(op, 0, index), in(op, 1, index));
            }
            case BuiltinOperator.DIV -> {
                return s.div(in(op, 0, index), in(op, 1, index));
            }
            case BuiltinOperator.MAXIMUM -> {
                return s.maximum(in(op, 0, index), in(op, 1, index));
            }
            case BuiltinOperator.SQRT -> {
                return s.sqrt(in(op, 0, index));
            }
            case BuiltinOperator.LOGISTIC -> {
                return s.logistic(in(op, 0, index));
            }
            default -> throw new IllegalArgumentException("op kind " + BuiltinOperator.name(kind) + " not supported");
        }
    }

    /** Input {@code j} of an op: the constant again as the file stores it, or the graph input of its shape. */
    private int in(Operator op, int j, int index) {
        int tensor = op.inputs(j);
        Integer half = dequantizedFrom.get(tensor);
        Tensor t = g.tensors(half != null ? half : tensor);
        String key = "op" + index + ".in" + j;
        ByteBuffer data = constantBytes(half != null ? half : tensor);
        if (data == null) {
            int[] shape = shape(t);
            return inputByShape.computeIfAbsent(Arrays.toString(shape), k -> s.input("x" + inputByShape.size(), shape, null));
        }
        int[] shape = shape(t);
        if (half != null && t.type() == TensorType.FLOAT16) {
            float[] values = new float[data.remaining() / 2];
            for (int i = 0; i < values.length; i++) {
                values[i] = Half.toFloat(data.getShort(2 * i));
            }
            return s.weight(key, values, shape); // stored again as fp16: exact, the values are binary16
        }
        if (t.type() != TensorType.FLOAT32) {
            throw new IllegalArgumentException("op " + index + " input " + j + " (" + t.name() + ") has type "
                    + TensorType.name(t.type()) + ", expected FLOAT32 or FLOAT16 behind DEQUANTIZE");
        }
        float[] values = new float[data.remaining() / 4];
        data.asFloatBuffer().get(values);
        return s.constant(key, values, shape);
    }

    /** A tensor's constant bytes (little-endian), or null for a tensor computed at run time. */
    private ByteBuffer constantBytes(int tensor) {
        ByteBuffer data = m.buffers((int) g.tensors(tensor).buffer()).dataAsByteBuffer();
        return data == null || !data.hasRemaining() ? null : data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private int builtin(Operator op) {
        OperatorCode code = m.operatorCodes((int) op.opcodeIndex());
        return Math.max(code.builtinCode(), code.deprecatedBuiltinCode());
    }

    private static int[] shape(Tensor t) {
        int[] s = new int[t.shapeLength()];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.shape(i);
        }
        return s;
    }
}
