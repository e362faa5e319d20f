package io.c2f.agent.config;

import java.util.Objects;

/**
 * How the agent runs models: the engine chain it tries, an engine the device pins, threads.
 *
 * @param threads interpreter / session threads, for every engine ({@code c2f.engine.threads})
 * @param pin the engine the device pins ({@code c2f.engine}: "tflite" or "onnx"), or "" for the
 *     chain's own choice
 * @param chain link names in order ({@code c2f.engine.chain}), or "" for the platform's default
 * @param tfliteGpuDelegate the TFLite GPU delegate library ({@code c2f.tflite.gpu-delegate}:
 *     {@code /path/lib.so} or {@code /path/lib.so:CreateSymbol:DeleteSymbol}), or ""
 */
public record EngineSettings(int threads, String pin, String chain, String tfliteGpuDelegate) {
    public EngineSettings {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        Objects.requireNonNull(pin, "pin");
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(tfliteGpuDelegate, "tfliteGpuDelegate");
    }

    /** The platform's default chain, no pin, no GPU delegate. */
    public static EngineSettings defaults(int threads) {
        return new EngineSettings(threads, "", "", "");
    }
}
