package io.c2f.models.tflite;

import java.util.Map;
import java.util.Random;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.GeluOptionsT;

/** The tiny models the tests share, with reference forwards written in plain Java. */
final class TestModels {
    static final float ADD_CONSTANT = 0.625f;

    private TestModels() {
    }

    /** y = x + 0.625, x [1,4], exposed as signature "add" (x -> y). */
    static TinyModel add() {
        TinyModel model = new TinyModel();
        int c = model.constant(ADD_CONSTANT);
        TinyModel.Graph g = model.graph("add");
        int x = g.tensor("x", 1, 4);
        int k = g.tensor("c", new int[] {1}, c);
        int y = g.tensor("y", 1, 4);
        g.add(x, k, y).io(new int[] {x}, new int[] {y});
        return model.signature("add", g, Map.of("x", x), Map.of("y", y));
    }

    /** y = gelu(x): GELU (builtin 150) is newer than TFLite 2.6.2. */
    static TinyModel gelu() {
        TinyModel model = new TinyModel();
        TinyModel.Graph g = model.graph("gelu");
        int x = g.tensor("x", 1, 4);
        int y = g.tensor("y", 1, 4);
        g.op(BuiltinOperator.GELU, BuiltinOptions.GeluOptions, new GeluOptionsT(), new int[] {x}, new int[] {y})
                .io(new int[] {x}, new int[] {y});
        return model;
    }

    /** Conv weights: filter OHWI [cout,3,3,cin] and bias [cout]. */
    record ConvWeights(int cin, int cout, float[] filter, float[] bias) {
        static ConvWeights random(int cin, int cout, long seed) {
            Random random = new Random(seed);
            float scale = (float) Math.sqrt(2.0 / (9 * cin));
            float[] filter = new float[cout * 9 * cin];
            for (int i = 0; i < filter.length; i++) {
                filter[i] = (float) random.nextGaussian() * scale;
            }
            float[] bias = new float[cout];
            for (int i = 0; i < cout; i++) {
                bias[i] = (float) random.nextGaussian() * 0.1f;
            }
            return new ConvWeights(cin, cout, filter, bias);
        }

        /** SAME-padded stride-1 3x3 conv of NHWC x in double precision. */
        float[] forward(float[] x, int batch, int h, int w) {
            float[] y = new float[batch * h * w * cout];
            for (int n = 0; n < batch; n++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        for (int o = 0; o < cout; o++) {
                            double sum = bias[o];
                            for (int di = -1; di <= 1; di++) {
                                for (int dj = -1; dj <= 1; dj++) {
                                    int ii = i + di;
                                    int jj = j + dj;
                                    if (ii < 0 || ii >= h || jj < 0 || jj >= w) {
                                        continue;
                                    }
                                    for (int c = 0; c < cin; c++) {
                                        sum += (double) filter[((o * 3 + di + 1) * 3 + dj + 1) * cin + c]
                                                * x[((n * h + ii) * w + jj) * cin + c];
                                    }
                                }
                            }
                            y[((n * h + i) * w + j) * cout + o] = (float) sum;
                        }
                    }
                }
            }
            return y;
        }
    }

    /** Adds filter + bias constants and a 3x3 conv of {@code in} to the graph; returns the output tensor. */
    static int conv3x3(TinyModel model, TinyModel.Graph g, String name, int in, ConvWeights w, int[] outShape) {
        return conv3x3(g, name, in, w, outShape, model.constant(w.filter()), model.constant(w.bias()));
    }

    /** The same, with weight buffers already in the model (shared weights). */
    static int conv3x3(TinyModel.Graph g, String name, int in, ConvWeights w, int[] outShape, int filterBuffer,
            int biasBuffer) {
        int filter = g.tensor(name + "/filter", new int[] {w.cout(), 3, 3, w.cin()}, filterBuffer);
        int bias = g.tensor(name + "/bias", new int[] {w.cout()}, biasBuffer);
        int out = g.tensor(name, outShape, 0);
        g.conv(in, filter, bias, out);
        return out;
    }

    /** x [1,h,w,cin] -> conv3x3 -> y, signature "conv" (x -> y). Negative dims are free. */
    static TinyModel conv(ConvWeights w, int batch, int h, int width) {
        TinyModel model = new TinyModel();
        TinyModel.Graph g = model.graph("conv");
        int x = g.tensor("x", batch, h, width, w.cin());
        int y = conv3x3(model, g, "y", x, w, new int[] {batch, h, width, w.cout()});
        g.io(new int[] {x}, new int[] {y});
        return model.signature("conv", g, Map.of("x", x), Map.of("y", y));
    }

    /** Runs the primary subgraph on float inputs (current tensor shapes) and returns output 0. */
    static float[] run(org.tensorflow.lite.Interpreter interpreter, float[]... inputs) {
        Object[] in = new Object[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            in[i] = floats(inputs[i]);
        }
        org.tensorflow.lite.Tensor out = interpreter.getOutputTensor(0);
        java.nio.ByteBuffer outBuffer = java.nio.ByteBuffer.allocateDirect(out.numBytes())
                .order(java.nio.ByteOrder.nativeOrder());
        interpreter.runForMultipleInputsOutputs(in, Map.of(0, outBuffer));
        return toFloats(outBuffer);
    }

    static java.nio.ByteBuffer floats(float[] values) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(values.length * 4)
                .order(java.nio.ByteOrder.nativeOrder());
        buffer.asFloatBuffer().put(values);
        return buffer;
    }

    static float[] toFloats(java.nio.ByteBuffer buffer) {
        buffer.rewind();
        float[] values = new float[buffer.capacity() / 4];
        buffer.asFloatBuffer().get(values);
        return values;
    }

    static float[] randomInput(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
