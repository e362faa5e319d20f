package io.c2f.agent.engine;

import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.models.diffusion.Denoiser;
import java.util.Optional;

/**
 * ONNX Runtime with one execution provider. Placeholder until the ONNX engine (models/onnx) is in
 * this build: both links say so and never open anything.
 */
public final class OnnxLink implements EngineLink {
    private final String provider;

    private OnnxLink(String provider) {
        this.provider = provider;
    }

    public static OnnxLink cpu(int threads) {
        return new OnnxLink("cpu");
    }

    public static OnnxLink cuda(int threads) {
        return new OnnxLink("cuda");
    }

    @Override
    public String name() {
        return "onnx-" + provider;
    }

    @Override
    public String engine() {
        return EngineChain.ONNX;
    }

    @Override
    public Optional<String> unavailableReason(InstalledSlot slot) {
        if (BundleModels.onnx(slot.manifest()).isEmpty()) {
            return Optional.of("bundle has no .onnx file");
        }
        return Optional.of("ONNX Runtime is not in this build");
    }

    @Override
    public Denoiser open(InstalledSlot slot) throws LinkRefusedException {
        throw LinkRefusedException.unavailable(unavailableReason(slot).orElseThrow());
    }
}
