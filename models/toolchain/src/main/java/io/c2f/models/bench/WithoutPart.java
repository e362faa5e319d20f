package io.c2f.models.bench;

import io.c2f.models.writer.LayerBackend;
import java.util.HashSet;
import java.util.Set;

/**
 * A {@link LayerBackend} that writes the network through another one but leaves one kind of block
 * out (the block returns its input), so that timing the graph with and without it says what the
 * block kind costs inside the whole graph, partitions and all. The result is not the network's
 * function; only its time matters.
 */
final class WithoutPart implements LayerBackend {
    /** The block kinds that can be left out: each maps an image to one of the same shape. */
    enum Part {
        /** The self-attention blocks (their GroupNorm, q/k/v/out convs, BATCH_MATMULs, SOFTMAX, residual). */
        ATTENTION("attention blocks"),
        /** Every GroupNorm but those inside attention blocks. */
        GROUP_NORM("GroupNorms (outside attention)"),
        /** Every SiLU (LOGISTIC + MUL). */
        SILU("SiLUs"),
        /**
         * The time path: sinusoidal embedding, its MLP and the ResnetBlock2D time projections
         * (FULLY_CONNECTED + ADD). All of it, since TFLite 2.6.2 with XNNPACK crashes on a graph whose
         * time MLP computes a vector nothing reads.
         */
        TIME("time embedding and projections");

        final String label;

        Part(String label) {
            this.label = label;
        }
    }

    private final LayerBackend inner;
    private final Part part;
    /** TIME: the handles that stand for the left-out time vectors (the t input itself). */
    private final Set<Integer> timeVectors = new HashSet<>();

    WithoutPart(LayerBackend inner, Part part) {
        this.inner = inner;
        this.part = part;
    }

    @Override
    public int imageInput(String name, int channels) {
        return inner.imageInput(name, channels);
    }

    @Override
    public int timeInput(String name) {
        return inner.timeInput(name);
    }

    @Override
    public int labelEmbedding(String table, int rows, int dim) {
        return inner.labelEmbedding(table, rows, dim);
    }

    @Override
    public void output(String name, int image) {
        inner.output(name, image);
    }

    @Override
    public int conv(int x, String prefix, int cin, int cout, int k) {
        return inner.conv(x, prefix, cin, cout, k);
    }

    @Override
    public int convStride2(int x, String prefix, int cin, int cout) {
        return inner.convStride2(x, prefix, cin, cout);
    }

    @Override
    public int linear(int x, String prefix, int in, int out) {
        return timeVectors.contains(x) ? x : inner.linear(x, prefix, in, out);
    }

    @Override
    public int silu(int x) {
        return part == Part.SILU || timeVectors.contains(x) ? x : inner.silu(x);
    }

    @Override
    public int groupNorm(int x, String prefix, int channels, int groups, float eps) {
        return part == Part.GROUP_NORM ? x : inner.groupNorm(x, prefix, channels, groups, eps);
    }

    @Override
    public int timestepEmbedding(int t, int dim, boolean flipSinToCos, float shift) {
        if (part == Part.TIME) {
            timeVectors.add(t);
            return t;
        }
        return inner.timestepEmbedding(t, dim, flipSinToCos, shift);
    }

    @Override
    public int upsampleNearest2x(int x) {
        return inner.upsampleNearest2x(x);
    }

    @Override
    public int attention(int x, String prefix, int channels, int groups, float eps) {
        return part == Part.ATTENTION ? x : inner.attention(x, prefix, channels, groups, eps);
    }

    @Override
    public int add(int a, int b) {
        return timeVectors.contains(a) ? a : inner.add(a, b);
    }

    @Override
    public int concatChannels(int a, int b) {
        return inner.concatChannels(a, b);
    }

    @Override
    public int addProjection(int image, int vector, String prefix, int in, int out) {
        return part == Part.TIME ? image : inner.addProjection(image, vector, prefix, in, out);
    }
}
