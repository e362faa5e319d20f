package io.c2f.models.writer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.reference.Nhwc;
import io.c2f.models.reference.RefOps;
import io.c2f.models.testing.FloatArrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Each building block through a real TFLite interpreter (XNNPACK) against {@link RefOps}, on random
 * weights, at a batch and resolution different from the nominal ones the graph was written with.
 */
class LayersTest {
    private static final float TOLERANCE = 1e-4f;
    private final Random random = new Random(42);
    private final Map<String, float[]> weights = new HashMap<>();

    private float[] randn(int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextGaussian() * scale);
        }
        return a;
    }

    private float[] param(String name, int n, double scale) {
        return weights.computeIfAbsent(name, k -> randn(n, scale));
    }

    private void conv(String prefix, int cout, int cin, int k) {
        param(prefix + ".weight", cout * cin * k * k, 1.0 / Math.sqrt(cin * k * k));
        param(prefix + ".bias", cout, 0.1);
    }

    private interface Block {
        int emit(Layers layers, int x);
    }

    /** Writes a one-block shape-free model with input [B,H,W,C] and runs it at batch n, h x w. */
    private float[] runBlock(WeightType type, int c, Block block, Nhwc input, int outFloats) {
        return runBlock(GraphForm.COMPACT, type, c, block, input, outFloats);
    }

    private float[] runBlock(GraphForm form, WeightType type, int c, Block block, Nhwc input, int outFloats) {
        return runBlock(form, type, new int[] {-1, -1, -1, c}, block, input, outFloats);
    }

    /** Writes a one-block model for the input's height and width (any batch), as the fixed-resolution graphs are. */
    private float[] runFixedBlock(GraphForm form, WeightType type, Block block, Nhwc input, int outFloats) {
        return runBlock(form, type, new int[] {-1, input.h(), input.w(), input.c()}, block, input, outFloats);
    }

    private float[] runBlock(GraphForm form, WeightType type, int[] signature, Block block, Nhwc input, int outFloats) {
        int c = signature[3];
        GraphBuilder g = new GraphBuilder(type);
        Subgraph s = g.addSubgraph("main");
        int x = s.input("x", new int[] {1, signature[1] < 0 ? 8 : signature[1], signature[2] < 0 ? 8 : signature[2], c},
                signature);
        Function<String, float[]> source = weights::get;
        s.output("y", block.emit(new Layers(s, source, form), x));
        byte[] model = g.serialize(java.util.List.of());
        return TfliteRun.run(model, new float[][] {input.data()},
                new int[][] {{input.n(), input.h(), input.w(), input.c()}}, outFloats);
    }

    private Nhwc randomInput(int n, int h, int w, int c) {
        return new Nhwc(randn(n * h * w * c, 1.0), n, h, w, c);
    }

    private void check(String what, float[] actual, Nhwc expected) {
        check(what, actual, expected.data());
    }

    private void check(String what, float[] actual, float[] expected) {
        float err = FloatArrays.maxAbsDiff(actual, expected);
        float scale = Math.max(1f, FloatArrays.maxAbs(expected));
        System.out.printf("%-28s max abs error %.3g (max |ref| %.3g)%n", what, err, FloatArrays.maxAbs(expected));
        assertTrue(err <= TOLERANCE * scale, what + ": max abs error " + err + " exceeds " + TOLERANCE * scale);
    }

    @Test
    void conv3x3Pad1() {
        conv("c", 24, 16, 3);
        Nhwc in = randomInput(2, 12, 10, 16);
        Nhwc ref = RefOps.conv2dSame(in, weights.get("c.weight"), weights.get("c.bias"), 24, 3);
        check("conv 3x3 pad 1", runBlock(WeightType.FP32, 16, (l, x) -> l.conv(x, "c", 16, 24, 3), in, ref.data().length), ref);
    }

    @Test
    void conv1x1() {
        conv("c", 8, 16, 1);
        Nhwc in = randomInput(3, 5, 7, 16);
        Nhwc ref = RefOps.conv2dSame(in, weights.get("c.weight"), weights.get("c.bias"), 8, 1);
        check("conv 1x1", runBlock(WeightType.FP32, 16, (l, x) -> l.conv(x, "c", 16, 8, 1), in, ref.data().length), ref);
    }

    @Test
    void conv3x3Stride2PadBottomRight() {
        conv("d", 16, 16, 3);
        for (int side : new int[] {8, 7}) {
            Nhwc in = randomInput(2, side, side, 16);
            Nhwc ref = RefOps.conv2d(in, weights.get("d.weight"), weights.get("d.bias"), 16, 3, 2, 0, 0, 1, 1);
            check("conv 3x3 stride 2 " + side + "x" + side,
                    runBlock(WeightType.FP32, 16, (l, x) -> l.convStride2(x, "d", 16, 16), in, ref.data().length), ref);
        }
    }

    @Test
    void groupNormShapeFree() {
        param("gn.weight", 32, 1.0);
        param("gn.bias", 32, 0.5);
        for (int[] dims : new int[][] {{1, 8, 8}, {3, 16, 16}, {2, 4, 6}}) {
            Nhwc in = randomInput(dims[0], dims[1], dims[2], 32);
            for (int i = 0; i < in.data().length; i++) {
                in.data()[i] = in.data()[i] * 3 + 2; // off-centre input, to catch a missing mean
            }
            Nhwc ref = RefOps.groupNorm(in, 8, weights.get("gn.weight"), weights.get("gn.bias"), 1e-6f);
            for (GraphForm form : List.of(GraphForm.LEGACY, GraphForm.COMPACT)) { // TILED: fixed widths only
                check("group norm " + form + " " + dims[0] + "x" + dims[1] + "x" + dims[2], runBlock(form,
                        WeightType.FP32, 32, (l, x) -> l.groupNorm(x, "gn", 32, 8, 1e-6f), in, ref.data().length), ref);
            }
        }
    }

    /** Every form at a fixed resolution, the tiled one's one-pass statistics on an input far off centre too. */
    @Test
    void groupNormFixedResolution() {
        param("gn.weight", 32, 1.0);
        param("gn.bias", 32, 0.5);
        for (int[] dims : new int[][] {{1, 8, 8}, {3, 16, 16}, {2, 4, 6}}) {
            for (float offset : new float[] {2, 50}) {
                Nhwc in = randomInput(dims[0], dims[1], dims[2], 32);
                for (int i = 0; i < in.data().length; i++) {
                    in.data()[i] = in.data()[i] * 3 + offset; // off-centre input, to catch a missing mean
                }
                Nhwc ref = RefOps.groupNorm(in, 8, weights.get("gn.weight"), weights.get("gn.bias"), 1e-6f);
                for (GraphForm form : GraphForm.values()) {
                    check("group norm fixed " + form + " offset " + offset + " " + dims[0] + "x" + dims[1] + "x" + dims[2],
                            runFixedBlock(form, WeightType.FP32, (l, x) -> l.groupNorm(x, "gn", 32, 8, 1e-6f), in,
                                    ref.data().length), ref);
                }
            }
        }
    }

    @Test
    void silu() {
        Nhwc in = randomInput(2, 4, 4, 16);
        Nhwc ref = RefOps.silu(in);
        check("silu", runBlock(WeightType.FP32, 16, Layers::silu, in, ref.data().length), ref);
    }

    @Test
    void upsampleNearestShapeFree() {
        for (int[] dims : new int[][] {{1, 4, 4}, {3, 5, 7}}) {
            Nhwc in = randomInput(dims[0], dims[1], dims[2], 16);
            Nhwc ref = RefOps.upsampleNearest2x(in);
            check("upsample 2x " + dims[1] + "x" + dims[2],
                    runBlock(WeightType.FP32, 16, Layers::upsampleNearest2x, in, ref.data().length), ref);
        }
    }

    @Test
    void attentionResizable() {
        attentionWeights("attn", 32);
        for (int[] dims : new int[][] {{1, 4, 4}, {3, 6, 6}}) {
            Nhwc in = randomInput(dims[0], dims[1], dims[2], 32);
            Nhwc ref = refAttention(in, "attn");
            for (GraphForm form : GraphForm.values()) {
                check("attention dyn " + form + " " + dims[0] + "x" + dims[1] + "x" + dims[2], runBlock(form,
                        WeightType.FP32, 32, (l, x) -> l.attention(x, "attn", 32, 8, 1e-6f, true), in,
                        ref.data().length), ref);
            }
        }
    }

    @Test
    void attentionFixedResolutionVariableBatch() {
        attentionWeights("attn", 32);
        for (int n : new int[] {1, 4}) {
            Nhwc in = randomInput(n, 8, 8, 32);
            Nhwc ref = refAttention(in, "attn");
            for (GraphForm form : GraphForm.values()) {
                check("attention fixed 8x8 " + form + " batch " + n, runBlock(form, WeightType.FP32, 32,
                        (l, x) -> l.attention(x, "attn", 32, 8, 1e-6f, false), in, ref.data().length), ref);
            }
        }
    }

    private void attentionWeights(String p, int c) {
        param(p + ".group_norm.weight", c, 1.0);
        param(p + ".group_norm.bias", c, 0.3);
        for (String m : new String[] {"to_q", "to_k", "to_v", "to_out.0"}) {
            param(p + "." + m + ".weight", c * c, 1.0 / Math.sqrt(c));
            param(p + "." + m + ".bias", c, 0.1);
        }
    }

    private Nhwc refAttention(Nhwc in, String p) {
        Map<String, float[]> w = weights;
        return RefOps.attention(in, 8, 1e-6f, w.get(p + ".group_norm.weight"), w.get(p + ".group_norm.bias"),
                w.get(p + ".to_q.weight"), w.get(p + ".to_q.bias"), w.get(p + ".to_k.weight"), w.get(p + ".to_k.bias"),
                w.get(p + ".to_v.weight"), w.get(p + ".to_v.bias"), w.get(p + ".to_out.0.weight"),
                w.get(p + ".to_out.0.bias"));
    }

    @Test
    void linearAndTimestepEmbeddingInGraph() {
        param("lin.weight", 32 * 16, 0.25);
        param("lin.bias", 32, 0.1);
        float[] t = {0f, 1f, 17f, 999f};
        GraphBuilder g = new GraphBuilder(WeightType.FP32);
        Subgraph s = g.addSubgraph("main");
        int tIn = s.input("t", new int[] {1}, new int[] {-1});
        Layers l = new Layers(s, weights::get);
        s.output("y", l.linear(l.timestepEmbedding(tIn, 16, false, 1f), "lin", 16, 32));
        float[] actual = TfliteRun.run(g.serialize(java.util.List.of()), new float[][] {t}, new int[][] {{4}}, 4 * 32);
        float[] emb = RefOps.timestepEmbedding(t, 16, false, 1f);
        float[] ref = RefOps.linear(emb, 4, weights.get("lin.weight"), weights.get("lin.bias"), 16, 32);
        check("time embedding + linear", actual, ref);
    }

    @Test
    void fp16WeightsAddBoundedError() {
        conv("c", 32, 32, 3);
        Nhwc in = randomInput(1, 8, 8, 32);
        Nhwc ref = RefOps.conv2dSame(in, weights.get("c.weight"), weights.get("c.bias"), 32, 3);
        float[] fp32 = runBlock(WeightType.FP32, 32, (l, x) -> l.conv(x, "c", 32, 32, 3), in, ref.data().length);
        float[] fp16 = runBlock(WeightType.FP16, 32, (l, x) -> l.conv(x, "c", 32, 32, 3), in, ref.data().length);
        float e32 = FloatArrays.maxAbsDiff(fp32, ref.data());
        float e16 = FloatArrays.maxAbsDiff(fp16, ref.data());
        System.out.printf("conv 3x3 fp32 weights error %.3g, fp16 weights error %.3g (max |ref| %.3g)%n", e32, e16,
                FloatArrays.maxAbs(ref.data()));
        assertTrue(e16 > e32, "fp16 storage must change the result (it is really stored as fp16)");
        assertTrue(e16 < 5e-3f * Math.max(1f, FloatArrays.maxAbs(ref.data())), "fp16 error too large: " + e16);
    }
}
