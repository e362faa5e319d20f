package io.c2f.models.writer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.BatchMatMulOptionsT;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.BuiltinOptionsUnion;
import org.tensorflow.lite.schema.ConcatenationOptionsT;
import org.tensorflow.lite.schema.Conv2DOptionsT;
import org.tensorflow.lite.schema.DepthToSpaceOptionsT;
import org.tensorflow.lite.schema.FullyConnectedOptionsT;
import org.tensorflow.lite.schema.GatherOptionsT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.Padding;
import org.tensorflow.lite.schema.ReducerOptionsT;
import org.tensorflow.lite.schema.SoftmaxOptionsT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * One subgraph under construction: tensors (with their static shapes, inferred op by op), operators,
 * inputs and outputs. Ops return the index of their output tensor.
 *
 * <p>Shapes are "nominal": for a shape-free subgraph the inputs carry a shape signature with -1
 * where the size may vary, and the nominal shape (e.g. batch 1) is what TFLite allocates until the
 * caller resizes. Shapes are also what {@link MacCounter} counts from.
 */
public final class Subgraph {
    /** Row-major dims; a constant of TFLite's Padding. */
    public enum Pad { SAME, VALID }

    private final GraphBuilder model;
    private final int index;
    private final String name;
    private final List<TensorT> tensors = new ArrayList<>();
    private final List<OperatorT> operators = new ArrayList<>();
    private final Map<String, Integer> inputs = new LinkedHashMap<>();
    private final Map<String, Integer> outputs = new LinkedHashMap<>();
    private final Map<String, Integer> constantTensors = new LinkedHashMap<>();
    private int unnamed;

    Subgraph(GraphBuilder model, int index, String name) {
        this.model = model;
        this.index = index;
        this.name = name;
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    public Map<String, Integer> namedInputs() {
        return new LinkedHashMap<>(inputs);
    }

    public Map<String, Integer> namedOutputs() {
        return new LinkedHashMap<>(outputs);
    }

    /** Static (nominal) shape of a tensor. */
    public int[] shape(int tensor) {
        return tensors.get(tensor).getShape().clone();
    }

    public int operatorCount() {
        return operators.size();
    }

    // ---- tensors ----

    private int tensor(String tensorName, byte type, int[] shape, int[] signature, int buffer) {
        TensorT t = new TensorT();
        t.setName(tensorName != null ? tensorName : name + "/t" + (unnamed++));
        t.setType(type);
        t.setShape(shape.clone());
        if (signature != null) {
            t.setShapeSignature(signature.clone());
        }
        t.setBuffer(buffer);
        tensors.add(t);
        return tensors.size() - 1;
    }

    /**
     * A float32 graph input. {@code signature} marks variable dims with -1 (null: fully static);
     * {@code shape} is the nominal shape with those dims filled in.
     */
    public int input(String inputName, int[] shape, int[] signature) {
        return input(inputName, TensorType.FLOAT32, shape, signature);
    }

    public int inputInt32(String inputName, int[] shape, int[] signature) {
        return input(inputName, TensorType.INT32, shape, signature);
    }

    private int input(String inputName, byte type, int[] shape, int[] signature) {
        if (inputs.containsKey(inputName)) {
            throw new IllegalArgumentException("input '" + inputName + "' already defined in subgraph " + name);
        }
        int t = tensor(inputName, type, shape, signature, 0);
        inputs.put(inputName, t);
        return t;
    }

    public void output(String outputName, int tensor) {
        if (outputs.containsKey(outputName)) {
            throw new IllegalArgumentException("output '" + outputName + "' already defined in subgraph " + name);
        }
        outputs.put(outputName, tensor);
    }

    /**
     * A learned weight, stored as the model's {@link WeightType}: fp32 directly, fp16 followed by a
     * DEQUANTIZE op. The key names the content; the same key shares one buffer across subgraphs.
     */
    public int weight(String key, float[] data, int[] shape) {
        checkSize(key, data.length, shape);
        if (model.weightType() == WeightType.FP32) {
            return constant(key, data, shape);
        }
        Integer cached = constantTensors.get("dq:" + key);
        if (cached != null) {
            return cached;
        }
        ByteBuffer bytes = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            bytes.putShort(Half.fromFloat(v));
        }
        int buffer = model.buffer("fp16:" + key, bytes.array());
        int half = tensor(key + "/fp16", TensorType.FLOAT16, shape, null, buffer);
        int out = tensor(key, TensorType.FLOAT32, shape, null, 0);
        op(BuiltinOperator.DEQUANTIZE, new int[] {half}, out, null);
        constantTensors.put("dq:" + key, out);
        return out;
    }

    /**
     * The values a {@link #weight} of {@code data} holds once the graph runs: {@code data} itself for
     * fp32 storage, each value rounded to binary16 for fp16. Constants derived from weights at export
     * (folded biases) start from these, so that folding changes float rounding only.
     */
    public float[] storedValues(float[] data) {
        if (model.weightType() == WeightType.FP32) {
            return data;
        }
        float[] out = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = Half.round(data[i]);
        }
        return out;
    }

    /** A float32 constant, always full precision (schedules, averaging matrices, embeddings). */
    public int constant(String key, float[] data, int[] shape) {
        checkSize(key, data.length, shape);
        Integer cached = constantTensors.get("f32:" + key);
        if (cached != null) {
            return cached;
        }
        ByteBuffer bytes = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data);
        int t = tensor(key, TensorType.FLOAT32, shape, null, model.buffer("f32:" + key, bytes.array()));
        constantTensors.put("f32:" + key, t);
        return t;
    }

    public int constantInt32(int... values) {
        String key = "i32:" + Arrays.toString(values);
        Integer cached = constantTensors.get(key);
        if (cached != null) {
            return cached;
        }
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(values);
        int t = tensor(null, TensorType.INT32, new int[] {values.length}, null, model.buffer(key, bytes.array()));
        constantTensors.put(key, t);
        return t;
    }

    private static void checkSize(String key, int length, int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != length) {
            throw new IllegalArgumentException("constant '" + key + "' has " + length + " values, shape "
                    + Arrays.toString(shape) + " needs " + n);
        }
    }

    // ---- operators ----

    private void op(int builtin, int[] in, int out, BuiltinOptionsUnion options) {
        OperatorT o = new OperatorT();
        o.setOpcodeIndex(model.opcode(builtin));
        o.setInputs(in);
        o.setOutputs(new int[] {out});
        if (options != null) {
            o.setBuiltinOptions(options);
        }
        operators.add(o);
    }

    private int floatOut(int[] shape) {
        return tensor(null, TensorType.FLOAT32, shape, null, 0);
    }

    private static BuiltinOptionsUnion options(byte type, Object value) {
        BuiltinOptionsUnion u = new BuiltinOptionsUnion();
        u.setType(type);
        u.setValue(value);
        return u;
    }

    /** CONV_2D: x NHWC, filter OHWI, bias [O]. */
    public int conv2d(int x, int filter, int bias, int stride, Pad padding) {
        int[] xs = shape(x);
        int[] fs = shape(filter);
        if (fs.length != 4 || xs.length != 4 || fs[3] != xs[3]) {
            throw new IllegalArgumentException("conv2d: input " + Arrays.toString(xs) + " does not fit filter "
                    + Arrays.toString(fs));
        }
        int oh;
        int ow;
        if (padding == Pad.SAME) {
            oh = (xs[1] + stride - 1) / stride;
            ow = (xs[2] + stride - 1) / stride;
        } else {
            oh = (xs[1] - fs[1]) / stride + 1;
            ow = (xs[2] - fs[2]) / stride + 1;
        }
        int out = floatOut(new int[] {xs[0], oh, ow, fs[0]});
        Conv2DOptionsT o = new Conv2DOptionsT();
        o.setPadding(padding == Pad.SAME ? Padding.SAME : Padding.VALID);
        o.setStrideH(stride);
        o.setStrideW(stride);
        o.setDilationHFactor(1);
        o.setDilationWFactor(1);
        o.setFusedActivationFunction(ActivationFunctionType.NONE);
        op(BuiltinOperator.CONV_2D, new int[] {x, filter, bias}, out, options(BuiltinOptions.Conv2DOptions, o));
        return out;
    }

    /** PAD with constant zeros: {@code pads[d] = {before, after}}. */
    public int pad(int x, int[][] pads) {
        int[] xs = shape(x);
        int[] flat = new int[xs.length * 2];
        int[] os = xs.clone();
        for (int d = 0; d < xs.length; d++) {
            flat[2 * d] = pads[d][0];
            flat[2 * d + 1] = pads[d][1];
            os[d] += pads[d][0] + pads[d][1];
        }
        int padsTensor = constantInt32Matrix(flat, xs.length);
        int out = floatOut(os);
        op(BuiltinOperator.PAD, new int[] {x, padsTensor}, out, null);
        return out;
    }

    private int constantInt32Matrix(int[] flat, int rows) {
        String key = "i32m:" + Arrays.toString(flat);
        Integer cached = constantTensors.get(key);
        if (cached != null) {
            return cached;
        }
        ByteBuffer bytes = ByteBuffer.allocate(flat.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(flat);
        int t = tensor(null, TensorType.INT32, new int[] {rows, 2}, null, model.buffer(key, bytes.array()));
        constantTensors.put(key, t);
        return t;
    }

    /** FULLY_CONNECTED: x [N, in], weights [out, in], bias [out] -> [N, out]. */
    public int fullyConnected(int x, int weights, int bias) {
        return fullyConnected(x, weights, bias, false);
    }

    /**
     * FULLY_CONNECTED on the last dim of x [..., in]: [rows, out] with the leading dims flattened, or
     * with {@code keepNumDims} [..., out] (x's leading dims kept, so [B,1,1,in] gives [B,1,1,out]).
     */
    public int fullyConnected(int x, int weights, int bias, boolean keepNumDims) {
        int[] xs = shape(x);
        int[] ws = shape(weights);
        if (xs[xs.length - 1] != ws[1]) {
            throw new IllegalArgumentException("fully connected: input " + Arrays.toString(xs) + " does not fit weights "
                    + Arrays.toString(ws));
        }
        int rows = 1;
        for (int i = 0; i < xs.length - 1; i++) {
            rows *= xs[i];
        }
        int[] os = xs.clone();
        os[os.length - 1] = ws[0];
        int out = floatOut(keepNumDims ? os : new int[] {rows, ws[0]});
        FullyConnectedOptionsT o = new FullyConnectedOptionsT();
        o.setFusedActivationFunction(ActivationFunctionType.NONE);
        o.setKeepNumDims(keepNumDims);
        op(BuiltinOperator.FULLY_CONNECTED, new int[] {x, weights, bias}, out,
                options(BuiltinOptions.FullyConnectedOptions, o));
        return out;
    }

    public int add(int a, int b) {
        return binary(BuiltinOperator.ADD, BuiltinOptions.AddOptions, new org.tensorflow.lite.schema.AddOptionsT(), a, b);
    }

    public int sub(int a, int b) {
        return binary(BuiltinOperator.SUB, BuiltinOptions.SubOptions, new org.tensorflow.lite.schema.SubOptionsT(), a, b);
    }

    public int mul(int a, int b) {
        return binary(BuiltinOperator.MUL, BuiltinOptions.MulOptions, new org.tensorflow.lite.schema.MulOptionsT(), a, b);
    }

    public int div(int a, int b) {
        return binary(BuiltinOperator.DIV, BuiltinOptions.DivOptions, new org.tensorflow.lite.schema.DivOptionsT(), a, b);
    }

    /** Element-wise MAXIMUM (broadcasting). */
    public int maximum(int a, int b) {
        return binary(BuiltinOperator.MAXIMUM, BuiltinOptions.MaximumMinimumOptions,
                new org.tensorflow.lite.schema.MaximumMinimumOptionsT(), a, b);
    }

    private int binary(int builtin, byte optionsType, Object opts, int a, int b) {
        int out = floatOut(broadcast(shape(a), shape(b)));
        op(builtin, new int[] {a, b}, out, options(optionsType, opts));
        return out;
    }

    static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(a) + " with " + Arrays.toString(b));
            }
            out[i] = Math.max(da, db);
        }
        return out;
    }

    /** MEAN over {@code axes}, keeping the reduced dims as 1 when {@code keepDims}. */
    public int mean(int x, int[] axes, boolean keepDims) {
        int[] xs = shape(x);
        List<Integer> os = new ArrayList<>();
        for (int d = 0; d < xs.length; d++) {
            final int dim = d;
            boolean reduced = Arrays.stream(axes).anyMatch(a -> a == dim);
            if (!reduced) {
                os.add(xs[d]);
            } else if (keepDims) {
                os.add(1);
            }
        }
        int out = floatOut(os.stream().mapToInt(Integer::intValue).toArray());
        ReducerOptionsT o = new ReducerOptionsT();
        o.setKeepDims(keepDims);
        op(BuiltinOperator.MEAN, new int[] {x, constantInt32(axes)}, out, options(BuiltinOptions.ReducerOptions, o));
        return out;
    }

    public int rsqrt(int x) {
        return unary(BuiltinOperator.RSQRT, x);
    }

    public int sqrt(int x) {
        return unary(BuiltinOperator.SQRT, x);
    }

    public int logistic(int x) {
        return unary(BuiltinOperator.LOGISTIC, x);
    }

    public int sin(int x) {
        return unary(BuiltinOperator.SIN, x);
    }

    public int cos(int x) {
        return unary(BuiltinOperator.COS, x);
    }

    private int unary(int builtin, int x) {
        int out = floatOut(shape(x));
        op(builtin, new int[] {x}, out, null);
        return out;
    }

    /** SiLU as x * sigmoid(x): TFLite 2.6 has no fused op for it. */
    public int silu(int x) {
        return mul(x, logistic(x));
    }

    public int concat(int axis, int... parts) {
        int[] os = shape(parts[0]);
        int ax = axis < 0 ? os.length + axis : axis;
        for (int i = 1; i < parts.length; i++) {
            os[ax] += shape(parts[i])[ax];
        }
        int out = floatOut(os);
        ConcatenationOptionsT o = new ConcatenationOptionsT();
        o.setAxis(axis);
        o.setFusedActivationFunction(ActivationFunctionType.NONE);
        op(BuiltinOperator.CONCATENATION, parts.clone(), out, options(BuiltinOptions.ConcatenationOptions, o));
        return out;
    }

    public int depthToSpace(int x, int block) {
        int[] xs = shape(x);
        int out = floatOut(new int[] {xs[0], xs[1] * block, xs[2] * block, xs[3] / (block * block)});
        DepthToSpaceOptionsT o = new DepthToSpaceOptionsT();
        o.setBlockSize(block);
        op(BuiltinOperator.DEPTH_TO_SPACE, new int[] {x}, out, options(BuiltinOptions.DepthToSpaceOptions, o));
        return out;
    }

    /**
     * RESIZE_NEAREST_NEIGHBOR of an NHWC image to a constant height x width (align_corners and
     * half_pixel_centers false: output pixel y reads input floor(y * in / out), so 2x is exact
     * nearest-neighbour replication).
     */
    public int resizeNearest(int x, int height, int width) {
        int[] xs = shape(x);
        int out = floatOut(new int[] {xs[0], height, width, xs[3]});
        org.tensorflow.lite.schema.ResizeNearestNeighborOptionsT o = new org.tensorflow.lite.schema.ResizeNearestNeighborOptionsT();
        o.setAlignCorners(false);
        o.setHalfPixelCenters(false);
        op(BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, new int[] {x, constantInt32(height, width)}, out,
                options(BuiltinOptions.ResizeNearestNeighborOptions, o));
        return out;
    }

    /** RESHAPE to a constant shape; at most one -1 (keep it on the batch dim for resizable graphs). */
    public int reshape(int x, int... newShape) {
        int[] xs = shape(x);
        long total = 1;
        for (int d : xs) {
            total *= d;
        }
        int[] os = newShape.clone();
        long known = 1;
        int free = -1;
        for (int i = 0; i < os.length; i++) {
            if (os[i] == -1) {
                free = i;
            } else {
                known *= os[i];
            }
        }
        if (free >= 0) {
            os[free] = (int) (total / known);
        }
        int out = floatOut(os);
        op(BuiltinOperator.RESHAPE, new int[] {x, constantInt32(newShape)}, out, null);
        return out;
    }

    /** RESHAPE to a shape computed in the graph (an int32 tensor); {@code nominal} is its static value. */
    public int reshapeDynamic(int x, int shapeTensor, int[] nominal) {
        int out = floatOut(nominal);
        op(BuiltinOperator.RESHAPE, new int[] {x, shapeTensor}, out, null);
        return out;
    }

    /** SHAPE of x as an int32 vector. */
    public int shapeOf(int x) {
        int rank = shape(x).length;
        int out = tensor(null, TensorType.INT32, new int[] {rank}, null, 0);
        org.tensorflow.lite.schema.ShapeOptionsT o = new org.tensorflow.lite.schema.ShapeOptionsT();
        o.setOutType(TensorType.INT32);
        op(BuiltinOperator.SHAPE, new int[] {x}, out, options(BuiltinOptions.ShapeOptions, o));
        return out;
    }

    /** GATHER along axis 0 with constant or computed int32 indices; works for float and int32 params. */
    public int gather(int params, int indices) {
        int[] ps = shape(params);
        int[] is = shape(indices);
        int[] os = new int[is.length + ps.length - 1];
        System.arraycopy(is, 0, os, 0, is.length);
        System.arraycopy(ps, 1, os, is.length, ps.length - 1);
        int out = tensor(null, tensors.get(params).getType(), os, null, 0);
        GatherOptionsT o = new GatherOptionsT();
        o.setAxis(0);
        op(BuiltinOperator.GATHER, new int[] {params, indices}, out, options(BuiltinOptions.GatherOptions, o));
        return out;
    }

    /** CONCATENATION of int32 vectors (for computed shapes). */
    public int concatInt32(int... parts) {
        int n = 0;
        for (int p : parts) {
            n += shape(p)[0];
        }
        int out = tensor(null, TensorType.INT32, new int[] {n}, null, 0);
        ConcatenationOptionsT o = new ConcatenationOptionsT();
        o.setAxis(0);
        o.setFusedActivationFunction(ActivationFunctionType.NONE);
        op(BuiltinOperator.CONCATENATION, parts.clone(), out, options(BuiltinOptions.ConcatenationOptions, o));
        return out;
    }

    public int transpose(int x, int... perm) {
        int[] xs = shape(x);
        int[] os = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            os[i] = xs[perm[i]];
        }
        int out = floatOut(os);
        op(BuiltinOperator.TRANSPOSE, new int[] {x, constantInt32(perm)}, out,
                options(BuiltinOptions.TransposeOptions, new org.tensorflow.lite.schema.TransposeOptionsT()));
        return out;
    }

    /** BATCH_MATMUL of rank-3 tensors: [B, M, K] x [B, K, N] (or transposed with adj flags). */
    public int batchMatMul(int a, int b, boolean adjX, boolean adjY) {
        int[] as = shape(a);
        int[] bs = shape(b);
        int r = as.length;
        int m = adjX ? as[r - 1] : as[r - 2];
        int ka = adjX ? as[r - 2] : as[r - 1];
        int kb = adjY ? bs[r - 1] : bs[r - 2];
        int n = adjY ? bs[r - 2] : bs[r - 1];
        if (ka != kb) {
            throw new IllegalArgumentException("batch matmul: inner dims differ, " + Arrays.toString(as) + " x "
                    + Arrays.toString(bs));
        }
        int[] os = as.clone();
        os[r - 2] = m;
        os[r - 1] = n;
        int out = floatOut(os);
        BatchMatMulOptionsT o = new BatchMatMulOptionsT();
        o.setAdjX(adjX);
        o.setAdjY(adjY);
        op(BuiltinOperator.BATCH_MATMUL, new int[] {a, b}, out, options(BuiltinOptions.BatchMatMulOptions, o));
        return out;
    }

    /** SOFTMAX over the last axis. */
    public int softmax(int x) {
        int out = floatOut(shape(x));
        SoftmaxOptionsT o = new SoftmaxOptionsT();
        o.setBeta(1f);
        op(BuiltinOperator.SOFTMAX, new int[] {x}, out, options(BuiltinOptions.SoftmaxOptions, o));
        return out;
    }

    SubGraphT toSchema() {
        if (outputs.isEmpty()) {
            throw new IllegalStateException("subgraph " + name + " has no outputs");
        }
        SubGraphT s = new SubGraphT();
        s.setName(name);
        s.setTensors(tensors.toArray(new TensorT[0]));
        s.setInputs(inputs.values().stream().mapToInt(Integer::intValue).toArray());
        s.setOutputs(outputs.values().stream().mapToInt(Integer::intValue).toArray());
        s.setOperators(operators.toArray(new OperatorT[0]));
        return s;
    }
}
