package io.c2f.models.diffusion;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.util.Set;

/**
 * A noise-prediction network: given x_t and the time step t, predicts the noise epsilon.
 *
 * <p>This is the model API; how it runs (TFLite with some delegate, a plain-Java reference, a
 * synthetic test function) is the implementation's business, as DJL keeps model and engine apart.
 */
public interface Denoiser extends AutoCloseable {

    /**
     * Predicts epsilon for every image of the batch, all at the same model time step.
     *
     * @param xt images at time step t, at one of {@link #resolutions()}
     * @param timestep model time step in [0, T)
     * @return a new batch of the same shape
     * @throws DenoiserException when the model cannot run this input (precise reason inside)
     */
    ImageBatch predictNoise(ImageBatch xt, int timestep) throws DenoiserException;

    /** Resolutions this denoiser accepts. */
    Set<Resolution> resolutions();

    /** Image channels (3 for RGB). */
    int channels();

    /** Multiply-accumulates of one forward pass for one image at this resolution. */
    long macsPerForward(Resolution resolution);

    /** What runs the model, e.g. "tflite/xnnpack", "reference-java". */
    String engine();

    @Override
    default void close() {
    }
}
