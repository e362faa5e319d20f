package io.c2f.models.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.lite.Interpreter;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.IfOptionsT;
import org.tensorflow.lite.schema.TensorType;

/**
 * What TFLite 2.6.2 does with multi-subgraph model files (findings in TFLITE_NOTES.md). Layout
 * under test: subgraph 0 shape-free, subgraphs 1..n fixed-shape per resolution, exposed as
 * signatures "res{H}x{W}" (inputs x, t; output eps), all sharing the weight buffers. Timings are
 * printed, never asserted.
 */
class SubgraphLayoutInvestigationTest {
    static final TestModels.ConvWeights A = TestModels.ConvWeights.random(3, 8, 21);
    static final TestModels.ConvWeights B = TestModels.ConvWeights.random(8, 3, 22);

    @BeforeAll
    static void load() {
        TfliteNative.load();
    }

    /** eps = convB(convA(x)) (+ t); every subgraph references the same four weight buffers. */
    static TinyModel planned() {
        TinyModel model = new TinyModel();
        int fa = model.constant(A.filter());
        int ba = model.constant(A.bias());
        int fb = model.constant(B.filter());
        int bb = model.constant(B.bias());
        TinyModel.Graph any = model.graph("any");
        int x0 = any.tensor("x", new int[] {-1, -1, -1, 3}, 0);
        int h0 = TestModels.conv3x3(any, "h", x0, A, new int[] {-1, -1, -1, 8}, fa, ba);
        int e0 = TestModels.conv3x3(any, "eps", h0, B, new int[] {-1, -1, -1, 3}, fb, bb);
        any.io(new int[] {x0}, new int[] {e0});
        model.signature("any", any, Map.of("x", x0), Map.of("eps", e0));
        for (int[] res : new int[][] {{8, 8, 1}, {16, 12, 2}}) {
            int h = res[0];
            int w = res[1];
            int n = res[2];
            TinyModel.Graph g = model.graph("res" + h + "x" + w);
            int x = g.tensor("x", n, h, w, 3);
            int t = g.tensor("t", 1);
            int hid = TestModels.conv3x3(g, "h", x, A, new int[] {n, h, w, 8}, fa, ba);
            int conv = TestModels.conv3x3(g, "conv", hid, B, new int[] {n, h, w, 3}, fb, bb);
            int eps = g.tensor("eps", n, h, w, 3);
            g.add(conv, t, eps).io(new int[] {x, t}, new int[] {eps});
            model.signature("res" + h + "x" + w, g, Map.of("x", x, "t", t), Map.of("eps", eps));
        }
        return model;
    }

    static float[] reference(float[] x, int n, int h, int w, float t) {
        float[] eps = B.forward(A.forward(x, n, h, w), n, h, w);
        for (int i = 0; i < eps.length; i++) {
            eps[i] += t;
        }
        return eps;
    }

    static Interpreter.Options options(boolean xnnpack) {
        return new Interpreter.Options().setNumThreads(1).setUseXNNPACK(xnnpack);
    }

    @Test
    void a_runSignatureOnANonPrimarySubgraphFails() {
        try (Interpreter interpreter = new Interpreter(planned().toBuffer(), options(false))) {
            assertArrayEquals(new String[] {"any", "res8x8", "res16x12"}, interpreter.getSignatureDefNames());
            // The primary subgraph's signature works.
            float[] x = TestModels.randomInput(8 * 8 * 3, 1);
            float[][][][] eps0 = new float[1][8][8][3];
            interpreter.resizeInput(0, new int[] {1, 8, 8, 3});
            Map<String, Object> out = new HashMap<>();
            out.put("eps", eps0);
            interpreter.runSignature(Map.of("x", TestModels.floats(x)), out, "any");
            assertTrue(TestModels.maxAbsDiff(reference(x, 1, 8, 8, 0), flatten(eps0)) < 1e-5f);
            // A signature on subgraph 1: the 2.6.2 Java API maps its tensors onto subgraph 0.
            float[][][][] eps1 = new float[1][8][8][3];
            out.put("eps", eps1);
            RuntimeException e = assertThrows(RuntimeException.class, () -> interpreter.runSignature(
                    Map.of("x", TestModels.floats(x), "t", new float[] {0.5f}), out, "res8x8"));
            System.out.println("(a) runSignature(\"res8x8\") on subgraph 1: " + e.getClass().getSimpleName() + ": "
                    + e.getMessage());
        }
    }

    @Test
    void c_shapeFreePrimarySubgraphResizesUnderXnnpack() {
        for (boolean xnnpack : new boolean[] {true, false}) {
            try (Interpreter interpreter = new Interpreter(planned().toBuffer(), options(xnnpack))) {
                for (int[] shape : new int[][] {{3, 12, 10, 3}, {1, 8, 8, 3}, {5, 16, 16, 3}}) {
                    interpreter.resizeInput(0, shape);
                    interpreter.allocateTensors();
                    float[] x = TestModels.randomInput(shape[0] * shape[1] * shape[2] * 3, shape[0]);
                    float err = TestModels.maxAbsDiff(reference(x, shape[0], shape[1], shape[2], 0),
                            TestModels.run(interpreter, x));
                    System.out.println("(c) subgraph 0 resized to " + Arrays.toString(shape) + (xnnpack ? " XNNPACK"
                            : " cpu") + ": max abs error " + err);
                    assertTrue(err < 1e-5f, "max abs error " + err);
                }
            }
        }
    }

    @Test
    void d_viewsOfOneFileRunEverySubgraphWithSharedWeights() {
        ModelViews views = ModelViews.write(planned().toModelT());
        ByteBuffer file = ByteBuffer.allocateDirect(views.bytes.length).order(ByteOrder.nativeOrder());
        file.put(views.bytes).rewind();
        System.out.println("(d) views file " + views.bytes.length + " bytes, view headers at " + views.viewOffsets);
        // The root at offset 0 is an ordinary model with all subgraphs and signatures.
        try (Interpreter whole = new Interpreter(file.duplicate().order(ByteOrder.nativeOrder()), options(true))) {
            assertArrayEquals(new String[] {"any", "res8x8", "res16x12"}, whole.getSignatureDefNames());
        }
        for (boolean xnnpack : new boolean[] {true, false}) {
            for (String key : new String[] {"res8x8", "res16x12"}) {
                int offset = views.viewOffsets.get(key);
                ByteBuffer view = file.duplicate().position(offset).slice().order(ByteOrder.nativeOrder());
                try (Interpreter interpreter = new Interpreter(view, options(xnnpack))) {
                    assertArrayEquals(new String[] {key}, interpreter.getSignatureDefNames());
                    int[] shape = interpreter.getInputTensorFromSignature("x", key).shape();
                    float[] x = TestModels.randomInput(shape[0] * shape[1] * shape[2] * 3, 7);
                    ByteBuffer eps = ByteBuffer.allocateDirect(x.length * 4).order(ByteOrder.nativeOrder());
                    Map<String, Object> out = new HashMap<>();
                    out.put("eps", eps);
                    interpreter.runSignature(Map.of("x", TestModels.floats(x), "t", new float[] {0.25f}), out, key);
                    float err = TestModels.maxAbsDiff(reference(x, shape[0], shape[1], shape[2], 0.25f),
                            TestModels.toFloats(eps));
                    System.out.println("(d) view " + key + " " + Arrays.toString(shape) + (xnnpack ? " XNNPACK"
                            : " cpu") + " via runSignature: max abs error " + err);
                    assertTrue(err < 1e-5f, key + " max abs error " + err);
                }
            }
        }
    }

    /**
     * (b): subgraph 1 = 8 x conv3x3 64->64 at 32x32. It can only run as the callee of an IF in
     * subgraph 0 (or as the primary subgraph of a view); compare XNNPACK on and off.
     */
    @Test
    void b_xnnpackOnANonPrimarySubgraph() {
        int c = 64;
        int size = 32;
        TinyModel model = new TinyModel();
        int cond = model.constantBytes((byte) 1);
        TinyModel.Graph main = model.graph("main");
        TinyModel.Graph body = model.graph("convs");
        int x0 = main.tensor("x", 1, size, size, c);
        int k0 = main.typedTensor("cond", TensorType.BOOL, new int[] {1}, cond);
        int y0 = main.tensor("y", 1, size, size, c);
        IfOptionsT ifOptions = new IfOptionsT();
        ifOptions.setThenSubgraphIndex(1);
        ifOptions.setElseSubgraphIndex(1);
        main.op(BuiltinOperator.IF, BuiltinOptions.IfOptions, ifOptions, new int[] {k0, x0}, new int[] {y0})
                .io(new int[] {x0}, new int[] {y0});
        int in = body.tensor("x", 1, size, size, c);
        int h = in;
        TestModels.ConvWeights[] convs = new TestModels.ConvWeights[8];
        for (int i = 0; i < convs.length; i++) {
            convs[i] = TestModels.ConvWeights.random(c, c, 100 + i);
            h = TestModels.conv3x3(model, body, "h" + i, h, convs[i], new int[] {1, size, size, c});
        }
        body.io(new int[] {in}, new int[] {h});
        model.signature("convs", body, Map.of("x", in), Map.of("y", h));
        ByteBuffer buffer = model.toBuffer();
        float[] x = TestModels.randomInput(size * size * c, 3);
        float[] expected = x;
        for (TestModels.ConvWeights w : convs) {
            expected = w.forward(expected, 1, size, size);
        }
        ModelViews views = ModelViews.write(model.toModelT());
        ByteBuffer file = ByteBuffer.allocateDirect(views.bytes.length).order(ByteOrder.nativeOrder());
        file.put(views.bytes).rewind();
        ByteBuffer view = file.duplicate().position(views.viewOffsets.get("convs")).slice()
                .order(ByteOrder.nativeOrder());
        double gflop = 8 * 2.0 * size * size * c * c * 9 / 1e9;
        for (String layout : new String[] {"IF -> subgraph 1", "view (subgraph as primary)"}) {
            for (boolean xnnpack : new boolean[] {false, true}) {
                ByteBuffer model1 = layout.startsWith("IF") ? buffer.duplicate().order(ByteOrder.nativeOrder())
                        : view.duplicate().order(ByteOrder.nativeOrder());
                try (Interpreter interpreter = new Interpreter(model1, options(xnnpack))) {
                    float[] y = TestModels.run(interpreter, x);
                    float err = TestModels.maxAbsDiff(expected, y);
                    assertTrue(err < 1e-3f, layout + " max abs error " + err);
                    long[] times = new long[7];
                    for (int i = 0; i < times.length; i++) {
                        long start = System.nanoTime();
                        TestModels.run(interpreter, x);
                        times[i] = System.nanoTime() - start;
                    }
                    Arrays.sort(times);
                    double ms = times[times.length / 2] / 1e6;
                    System.out.printf("(b) %s, %s: median %.2f ms (%.1f GFLOP/s), max abs error %.2e%n", layout,
                            xnnpack ? "XNNPACK" : "cpu", ms, gflop / (ms / 1e3), err);
                }
            }
        }
    }

    private static float[] flatten(float[][][][] a) {
        float[] flat = new float[a.length * a[0].length * a[0][0].length * a[0][0][0].length];
        int k = 0;
        for (float[][][] b : a) {
            for (float[][] c : b) {
                for (float[] d : c) {
                    for (float v : d) {
                        flat[k++] = v;
                    }
                }
            }
        }
        return flat;
    }
}
