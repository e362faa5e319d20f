package io.c2f.models.engine;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.proto.v1.ModelInfo;
import java.nio.file.Path;

/**
 * An inference engine that runs model files as {@link Denoiser}s. Engines live in their own
 * artifacts (c2f-models-tflite provides "tflite") and are found on the class path with
 * {@link java.util.ServiceLoader}, so code that only samples never compiles against one.
 */
public interface DenoiserEngine {
    /** The most interpreter threads any engine is asked for. */
    int MAX_THREADS = 64;

    /** Short name, e.g. "tflite". */
    String name();

    /** The file name ending of the model files it opens, e.g. ".tflite". */
    String fileSuffix();

    /** The version of the native runtime under the engine (loads it if needed). */
    String runtimeVersion();

    /**
     * Opens a model file with its manifest on the engine's default devices.
     *
     * @param threads interpreter threads, 1..{@value #MAX_THREADS}
     */
    Denoiser open(Path modelFile, ModelInfo manifest, int threads) throws DenoiserException;
}
