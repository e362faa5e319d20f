package io.c2f.agent.engine;

import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.models.diffusion.Denoiser;
import java.util.Optional;

/**
 * One link of the {@link EngineChain}: an engine with one delegate or execution provider, e.g.
 * TFLite with XNNPACK or ONNX Runtime on CPU. Links are tried in order until one opens the bundle.
 */
public interface EngineLink {
    /** Stable name reported in births and telemetry, e.g. "tflite-xnnpack", "onnx-cpu". */
    String name();

    /** The engine it runs: {@value EngineChain#TFLITE} or {@value EngineChain#ONNX}. */
    String engine();

    /**
     * Opens the bundle's model for this link's engine, warm and ready to generate.
     *
     * @throws LinkRefusedException saying precisely why this link does not run the bundle here
     */
    Denoiser open(InstalledSlot slot) throws LinkRefusedException;

    /**
     * A cheap check without side effects, for links the chain did not try: why this link could
     * not run the bundle here, or empty when it looks usable.
     */
    Optional<String> unavailableReason(InstalledSlot slot);
}
