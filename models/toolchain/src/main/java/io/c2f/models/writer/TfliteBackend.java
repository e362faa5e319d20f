package io.c2f.models.writer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@link LayerBackend} writing TFLite ops into one {@link Subgraph} through {@link Layers}, in a
 * {@link GraphForm}. A subgraph is either fixed-resolution (its label's embedding row is a constant,
 * only the batch varies) or shape-free (label is an int32 input, height and width vary too).
 */
public final class TfliteBackend implements LayerBackend {
    private final Subgraph s;
    private final Layers layers;
    private final Function<String, float[]> weights;
    private final int[] imageShape;
    private final int[] imageSignature;
    private final int fixedLabel;
    /** COMPACT: each per-image vector already reshaped to [B,1,1,D], by the vector's tensor. */
    private final Map<Integer, Integer> asImageVectors = new HashMap<>();

    private TfliteBackend(Subgraph s, Function<String, float[]> weights, int[] imageShape, int[] imageSignature,
                          int fixedLabel, GraphForm form) {
        this.s = s;
        // a tiled operand needs the width when the graph is written; a shape-free graph does not know it
        this.layers = new Layers(s, weights, form == GraphForm.TILED && fixedLabel < 0 ? GraphForm.COMPACT : form);
        this.weights = weights;
        this.imageShape = imageShape;
        this.imageSignature = imageSignature;
        this.fixedLabel = fixedLabel;
    }

    /** A graph for height x width with {@code label}'s embedding row as a constant; the batch may vary. */
    public static TfliteBackend fixed(Subgraph s, Function<String, float[]> weights, int height, int width,
                                      int channels, int label, GraphForm form) {
        return new TfliteBackend(s, weights, new int[] {1, height, width, channels},
                new int[] {-1, height, width, channels}, label, form);
    }

    /** A graph for any batch and size; {@code nominalSide} is the size TFLite allocates until resized. */
    public static TfliteBackend shapeFree(Subgraph s, Function<String, float[]> weights, int nominalSide,
                                          int channels, GraphForm form) {
        return new TfliteBackend(s, weights, new int[] {1, nominalSide, nominalSide, channels},
                new int[] {-1, -1, -1, channels}, -1, form);
    }

    private boolean resizable() {
        return fixedLabel < 0;
    }

    @Override
    public int imageInput(String name, int channels) {
        if (channels != imageShape[3]) {
            throw new IllegalArgumentException("image input " + name + " has " + channels + " channels, the graph "
                    + imageShape[3]);
        }
        return s.input(name, imageShape, imageSignature);
    }

    @Override
    public int timeInput(String name) {
        return s.input(name, new int[] {1}, new int[] {-1});
    }

    @Override
    public int labelEmbedding(String table, int rows, int dim) {
        float[] data = weights.apply(table);
        if (data == null) {
            throw new IllegalArgumentException("missing weight " + table);
        }
        if (resizable()) {
            int label = s.inputInt32("label", new int[] {1}, new int[] {-1});
            return s.gather(s.weight(table, data, new int[] {rows, dim}), label);
        }
        float[] row = Arrays.copyOfRange(data, fixedLabel * dim, (fixedLabel + 1) * dim);
        return s.weight(table + "[" + fixedLabel + "]", row, new int[] {1, dim});
    }

    @Override
    public void output(String name, int image) {
        s.output(name, image);
    }

    @Override
    public int conv(int x, String prefix, int cin, int cout, int k) {
        return layers.conv(x, prefix, cin, cout, k);
    }

    @Override
    public int convStride2(int x, String prefix, int cin, int cout) {
        return layers.convStride2(x, prefix, cin, cout);
    }

    @Override
    public int linear(int x, String prefix, int in, int out) {
        return layers.linear(x, prefix, in, out);
    }

    @Override
    public int silu(int x) {
        return layers.silu(x);
    }

    @Override
    public int groupNorm(int x, String prefix, int channels, int groups, float eps) {
        return layers.groupNorm(x, prefix, channels, groups, eps);
    }

    @Override
    public int timestepEmbedding(int t, int dim, boolean flipSinToCos, float shift) {
        return layers.timestepEmbedding(t, dim, flipSinToCos, shift);
    }

    @Override
    public int upsampleNearest2x(int x) {
        if (layers.form() != GraphForm.LEGACY && !resizable()) {
            int[] xs = s.shape(x);
            return s.resizeNearest(x, 2 * xs[1], 2 * xs[2]); // one op instead of CONCATENATION + DEPTH_TO_SPACE
        }
        return layers.upsampleNearest2x(x);
    }

    @Override
    public int attention(int x, String prefix, int channels, int groups, float eps) {
        return layers.attention(x, prefix, channels, groups, eps, resizable());
    }

    @Override
    public int add(int a, int b) {
        return s.add(a, b);
    }

    @Override
    public int concatChannels(int a, int b) {
        return s.concat(3, a, b);
    }

    /**
     * LEGACY: FULLY_CONNECTED to [B, out], RESHAPE to [B,1,1,out], ADD. COMPACT: the vector is reshaped
     * to [B,1,1,in] once for all projections of it, each a FULLY_CONNECTED with keep_num_dims. TILED: as
     * COMPACT, the projection repeated across the image's width before the ADD.
     */
    @Override
    public int addProjection(int image, int vector, String prefix, int in, int out) {
        if (layers.form() == GraphForm.LEGACY) {
            return s.add(image, s.reshape(layers.linear(vector, prefix, in, out), -1, 1, 1, out));
        }
        int asImage = asImageVectors.computeIfAbsent(vector, v -> s.reshape(v, -1, 1, 1, in));
        int projection = layers.linearKeepDims(asImage, prefix, in, out);
        return s.add(image, layers.form() == GraphForm.TILED ? layers.acrossWidth(projection, image) : projection);
    }
}
