package io.c2f.models.onnx;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.engine.DenoiserEngine;
import io.c2f.proto.bundle.ModelEngines;
import io.c2f.proto.v1.ModelInfo;
import java.nio.file.Path;

/**
 * The ONNX Runtime {@link DenoiserEngine} (registered in META-INF/services): {@code .onnx} files
 * opened as {@link OnnxDenoiser}s on the CPU provider. Code that wants CUDA first (the device
 * agent) opens an {@link OnnxDenoiser} with its {@link OnnxOptions}.
 */
public final class OnnxDenoiserEngine implements DenoiserEngine {

    @Override
    public String name() {
        return ModelEngines.ONNX;
    }

    @Override
    public String fileSuffix() {
        return ".onnx";
    }

    @Override
    public String runtimeVersion() {
        return OnnxDenoiser.runtimeVersion();
    }

    @Override
    public Denoiser open(Path modelFile, ModelInfo manifest, int threads) throws DenoiserException {
        return OnnxDenoiser.open(modelFile, manifest, OnnxOptions.cpu(threads));
    }
}
