package io.c2f.models.writer;

/**
 * The layer-level vocabulary a network description is written in, independent of the file format
 * that records it: one description (the UNet of {@code io.c2f.models.unet}) emitted through two
 * backends, {@link TfliteBackend} (TFLite ops, NHWC) and {@code onnx.OnnxBackend} (ONNX ops, NCHW
 * inside the graph).
 *
 * <p>Tensors are backend handles (ints). Every image tensor means [batch, height, width, channels]
 * to the description; how a backend lays it out physically is its own business, so long as the
 * graph's inputs and outputs are NHWC. Weights are named as in PyTorch (conv OIHW, linear [out, in])
 * and converted by the backend. Calls must come in the description's order: the TFLite backend's
 * bytes depend on it.
 */
public interface LayerBackend {

    /** The image input [B, H, W, channels] float32. */
    int imageInput(String name, int channels);

    /** The time-step input [B] float32 (the model time step, as the engines feed it). */
    int timeInput(String name);

    /**
     * The resolution label's row of the embedding table {@code table} [rows, dim]: [B, dim]. A
     * backend may take the label as an input or fix it at export.
     */
    int labelEmbedding(String table, int rows, int dim);

    /** Marks an image tensor as the graph output [B, H, W, C]. */
    void output(String name, int image);

    /** Conv2d(cin, cout, k, stride 1, padding k/2) from "{prefix}.weight" / "{prefix}.bias". */
    int conv(int x, String prefix, int cin, int cout, int k);

    /** Conv2d(cin, cout, 3, stride 2) after zero padding (0, 1, 0, 1): diffusers Downsample2D, padding 0. */
    int convStride2(int x, String prefix, int cin, int cout);

    /** Linear(in, out) on [B, in]. */
    int linear(int x, String prefix, int in, int out);

    /** x * sigmoid(x). */
    int silu(int x);

    /** GroupNorm(groups, channels, eps) with affine "{prefix}.weight" / "{prefix}.bias". */
    int groupNorm(int x, String prefix, int channels, int groups, float eps);

    /** Sinusoidal embedding of t [B] to [B, dim], as diffusers get_timestep_embedding. */
    int timestepEmbedding(int t, int dim, boolean flipSinToCos, float shift);

    /** Nearest-neighbour 2x upsampling of an image. */
    int upsampleNearest2x(int x);

    /** Single-head self-attention block as diffusers Attention (group norm, q/k/v, softmax, out, residual). */
    int attention(int x, String prefix, int channels, int groups, float eps);

    /** Element-wise sum of two tensors of one shape. */
    int add(int a, int b);

    /** Concatenates two images along the channels. */
    int concatChannels(int a, int b);

    /**
     * Adds Linear(in, out) ("{prefix}.weight" / "{prefix}.bias") of a per-image vector [B, in] to every
     * pixel of an image [B, H, W, out] (the ResnetBlock2D time projection).
     */
    int addProjection(int image, int vector, String prefix, int in, int out);
}
