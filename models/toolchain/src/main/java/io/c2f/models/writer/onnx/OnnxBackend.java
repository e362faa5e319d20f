package io.c2f.models.writer.onnx;

import static io.c2f.models.writer.onnx.OnnxGraph.attr;
import static io.c2f.models.writer.onnx.OnnxGraph.attrInts;

import io.c2f.models.writer.LayerBackend;
import io.c2f.models.writer.Layers;
import io.c2f.models.writer.onnx.proto.TensorProto;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@link LayerBackend} writing one ONNX graph for every batch and resolution: inputs "x" [batch,
 * height, width, C] float, "t" [batch] float, "label" [batch] int64; output "eps" [batch, height,
 * width, C]. Images are NCHW inside the graph (ONNX Conv's layout), so the only Transposes are one
 * at the entry, one at the exit and one per attention block (k^T); the description's NHWC axes are
 * translated here (channels are axis 1).
 *
 * <p>Weights keep PyTorch layouts (ONNX Conv is OIHW, Gemm takes [out, in] with transB) and the
 * TFLite backend's names and values, fp16 where the model is fp16.
 */
public final class OnnxBackend implements LayerBackend {
    /** Symbolic dims of the inputs and output; an engine binds them per resolution. */
    public static final String BATCH = "batch";
    public static final String HEIGHT = "height";
    public static final String WIDTH = "width";

    private final OnnxGraph g;
    private final Function<String, float[]> weights;
    private final Map<Integer, Integer> shapes = new HashMap<>();
    private int imageChannels = -1;

    public OnnxBackend(OnnxGraph g, Function<String, float[]> weights) {
        this.g = g;
        this.weights = weights;
    }

    private float[] w(String name) {
        float[] data = weights.apply(name);
        if (data == null) {
            throw new IllegalArgumentException("missing weight " + name);
        }
        return data;
    }

    @Override
    public int imageInput(String name, int channels) {
        imageChannels = channels;
        int nhwc = g.input(name, TensorProto.DataType.FLOAT, BATCH, HEIGHT, WIDTH, channels);
        return g.node("Transpose", new int[] {nhwc}, attrInts("perm", 0, 3, 1, 2));
    }

    @Override
    public int timeInput(String name) {
        return g.input(name, TensorProto.DataType.FLOAT, BATCH);
    }

    @Override
    public int labelEmbedding(String table, int rows, int dim) {
        int label = g.input("label", TensorProto.DataType.INT64, BATCH);
        int embeddings = g.weight(table, w(table), rows, dim);
        return g.node("Gather", new int[] {embeddings, label}, attr("axis", 0L));
    }

    @Override
    public void output(String name, int image) {
        int nhwc = g.node("Transpose", name, new int[] {image}, attrInts("perm", 0, 2, 3, 1));
        g.output(name, nhwc, TensorProto.DataType.FLOAT, BATCH, HEIGHT, WIDTH, imageChannels);
    }

    private int convWith(int x, int filter, int bias, int k, int stride, long[] pads) {
        return g.node("Conv", new int[] {x, filter, bias}, attrInts("kernel_shape", k, k),
                attrInts("strides", stride, stride), attrInts("pads", pads), attrInts("dilations", 1, 1),
                attr("group", 1L));
    }

    @Override
    public int conv(int x, String prefix, int cin, int cout, int k) {
        int filter = g.weight(prefix + ".weight", w(prefix + ".weight"), cout, cin, k, k);
        int bias = g.weight(prefix + ".bias", w(prefix + ".bias"), cout);
        long p = k / 2;
        return convWith(x, filter, bias, k, 1, new long[] {p, p, p, p});
    }

    @Override
    public int convStride2(int x, String prefix, int cin, int cout) {
        int filter = g.weight(prefix + ".weight", w(prefix + ".weight"), cout, cin, 3, 3);
        int bias = g.weight(prefix + ".bias", w(prefix + ".bias"), cout);
        // pads are (top, left, bottom, right): zero row below and column right, as the TFLite PAD
        return convWith(x, filter, bias, 3, 2, new long[] {0, 0, 1, 1});
    }

    @Override
    public int linear(int x, String prefix, int in, int out) {
        int weightsTensor = g.weight(prefix + ".weight", w(prefix + ".weight"), out, in);
        int bias = g.weight(prefix + ".bias", w(prefix + ".bias"), out);
        return g.node("Gemm", new int[] {x, weightsTensor, bias}, attr("transB", 1L));
    }

    @Override
    public int silu(int x) {
        return g.node("Mul", new int[] {x, g.node("Sigmoid", new int[] {x})});
    }

    private int shapeOf(int x) {
        return shapes.computeIfAbsent(x, t -> g.node("Shape", new int[] {t}));
    }

    /**
     * Reshape [B, C, H, W] to [B, groups, C/groups * H * W], InstanceNormalization (per batch and
     * group, biased variance as GroupNorm), reshape back, then the per-channel affine.
     */
    @Override
    public int groupNorm(int x, String prefix, int channels, int groups, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException("group norm " + prefix + ": " + channels + " channels not divisible by "
                    + groups + " groups");
        }
        int grouped = g.node("Reshape", new int[] {x, g.constantInt64(0, groups, -1)});
        float[] ones = new float[groups];
        Arrays.fill(ones, 1f);
        int normed = g.node("InstanceNormalization", new int[] {grouped,
                g.constant("instance_norm_ones_" + groups, ones, groups),
                g.constant("instance_norm_zeros_" + groups, new float[groups], groups)}, attr("epsilon", eps));
        int back = g.node("Reshape", new int[] {normed, shapeOf(x)});
        int gamma = g.weight(prefix + ".weight", w(prefix + ".weight"), channels, 1, 1);
        int beta = g.weight(prefix + ".bias", w(prefix + ".bias"), channels, 1, 1);
        return g.node("Add", new int[] {g.node("Mul", new int[] {back, gamma}), beta});
    }

    @Override
    public int timestepEmbedding(int t, int dim, boolean flipSinToCos, float shift) {
        int half = dim / 2;
        float[] freqs = new float[half];
        for (int i = 0; i < half; i++) {
            freqs[i] = (float) Math.exp(-Math.log(10000.0) * i / (half - shift));
        }
        int f = g.constant("timestep_freqs_" + dim + "_" + shift, freqs, 1, half);
        int arg = g.node("Mul", new int[] {g.node("Unsqueeze", new int[] {t, g.constantInt64(1)}), f});
        int sin = g.node("Sin", new int[] {arg});
        int cos = g.node("Cos", new int[] {arg});
        return g.node("Concat", flipSinToCos ? new int[] {cos, sin} : new int[] {sin, cos}, attr("axis", 1L));
    }

    @Override
    public int upsampleNearest2x(int x) {
        int scales = g.constant("resize_scales_2x", new float[] {1f, 1f, 2f, 2f}, 4);
        return g.node("Resize", new int[] {x, -1, scales}, attr("mode", "nearest"),
                attr("coordinate_transformation_mode", "asymmetric"), attr("nearest_mode", "floor"));
    }

    /**
     * q, k, v as 1x1 convs (1/sqrt(C) folded into to_q, as the TFLite backend), flattened to
     * [B, C, N]; scores^T = k^T q [B, N_k, N_q], softmax over the keys (axis 1), out = v probs
     * [B, C, N_q]: one Transpose (of k) and no per-conv layout changes.
     */
    @Override
    public int attention(int x, String prefix, int channels, int groups, float eps) {
        int h = groupNorm(x, prefix + ".group_norm", channels, groups, eps);
        float scale = (float) (1.0 / Math.sqrt(channels));
        float[] wq = Layers.times(w(prefix + ".to_q.weight"), scale);
        float[] bq = Layers.times(w(prefix + ".to_q.bias"), scale);
        long[] none = {0, 0, 0, 0};
        int q = convWith(h, g.weight(prefix + ".to_q.weight*scale", wq, channels, channels, 1, 1),
                g.weight(prefix + ".to_q.bias*scale", bq, channels), 1, 1, none);
        int k = pointwise(h, prefix + ".to_k", channels);
        int v = pointwise(h, prefix + ".to_v", channels);
        int flat = g.constantInt64(0, channels, -1);
        int q3 = g.node("Reshape", new int[] {q, flat});
        int k3 = g.node("Reshape", new int[] {k, flat});
        int v3 = g.node("Reshape", new int[] {v, flat});
        int kT = g.node("Transpose", new int[] {k3}, attrInts("perm", 0, 2, 1));
        int probs = g.node("Softmax", new int[] {g.node("MatMul", new int[] {kT, q3})}, attr("axis", 1L));
        int attended = g.node("MatMul", new int[] {v3, probs});
        int back = g.node("Reshape", new int[] {attended, shapeOf(x)});
        return g.node("Add", new int[] {pointwise(back, prefix + ".to_out.0", channels), x});
    }

    private int pointwise(int x, String prefix, int channels) {
        int filter = g.weight(prefix + ".weight", w(prefix + ".weight"), channels, channels, 1, 1);
        int bias = g.weight(prefix + ".bias", w(prefix + ".bias"), channels);
        return convWith(x, filter, bias, 1, 1, new long[] {0, 0, 0, 0});
    }

    @Override
    public int add(int a, int b) {
        return g.node("Add", new int[] {a, b});
    }

    @Override
    public int concatChannels(int a, int b) {
        return g.node("Concat", new int[] {a, b}, attr("axis", 1L));
    }

    @Override
    public int addProjection(int image, int vector, String prefix, int in, int out) {
        int projected = linear(vector, prefix, in, out);
        return g.node("Add", new int[] {image, g.node("Unsqueeze", new int[] {projected, g.constantInt64(2, 3)})});
    }
}
