package io.c2f.models.tflite;

import org.tensorflow.lite.Interpreter;

/** TFLite's plain (builtin) CPU kernels: slow but always there; the last link of a chain. */
final class CpuLink implements DelegateLink {
    public static final String NAME = "cpu";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public LinkAttempt prepare(int threads) {
        return LinkAttempt.of(new Interpreter.Options().setNumThreads(threads).setUseXNNPACK(false));
    }

    @Override
    public String toString() {
        return NAME;
    }
}
