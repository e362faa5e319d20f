package io.c2f.models.tflite;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.engine.DenoiserEngine;
import io.c2f.proto.bundle.ModelEngines;
import io.c2f.proto.v1.ModelInfo;
import java.nio.file.Path;

/**
 * The TensorFlow Lite {@link DenoiserEngine} (registered in META-INF/services): {@code .tflite}
 * files opened as {@link TfliteDenoiser}s through the default delegate chain. Code that needs
 * another chain (the device agent) opens a {@link TfliteDenoiser} with its {@link RuntimeOptions}.
 */
public final class TfliteDenoiserEngine implements DenoiserEngine {

    @Override
    public String name() {
        return ModelEngines.TFLITE;
    }

    @Override
    public String fileSuffix() {
        return ".tflite";
    }

    @Override
    public String runtimeVersion() {
        return TfliteDenoiser.runtimeVersion();
    }

    @Override
    public Denoiser open(Path modelFile, ModelInfo manifest, int threads) throws DenoiserException {
        return TfliteDenoiser.open(modelFile, manifest, new RuntimeOptions(threads, DelegateChain.defaultChain()));
    }
}
