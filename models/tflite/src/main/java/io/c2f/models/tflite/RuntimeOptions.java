package io.c2f.models.tflite;

import io.c2f.models.engine.DenoiserEngine;
import java.util.Objects;

/**
 * How a device runs TFLite: interpreter threads and the delegate chain.
 *
 * <p>Default 1 thread: on a shared CPU, thread pools degraded badly; measure before
 * raising it.
 */
public record RuntimeOptions(int threads, DelegateChain chain) {
    public static final int MAX_THREADS = DenoiserEngine.MAX_THREADS;

    public RuntimeOptions {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be in 1.." + MAX_THREADS + ", got " + threads);
        }
        Objects.requireNonNull(chain, "chain");
    }

    public static RuntimeOptions defaults() {
        return new RuntimeOptions(1, DelegateChain.defaultChain());
    }

    /**
     * From configuration text, e.g. ("2", "xnnpack,cpu"); null or blank values take the default.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static RuntimeOptions parse(String threads, String chainSpec) {
        int n = 1;
        if (threads != null && !threads.isBlank()) {
            try {
                n = Integer.parseInt(threads.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("threads must be an integer, got \"" + threads + "\"", e);
            }
        }
        DelegateChain chain = chainSpec == null || chainSpec.isBlank()
                ? DelegateChain.defaultChain() : DelegateChain.fromSpec(chainSpec);
        return new RuntimeOptions(n, chain);
    }

    /** Opens a model with these options. */
    OpenedInterpreter open(TfliteModelFile model, InterpreterProbe probe)
            throws DelegateChainException, UnsupportedOpException {
        return chain.open(model.buffer(), threads, probe);
    }
}
