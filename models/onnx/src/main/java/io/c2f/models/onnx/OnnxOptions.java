package io.c2f.models.onnx;

import io.c2f.models.engine.DenoiserEngine;
import java.util.List;
import java.util.Set;

/**
 * How an {@link OnnxDenoiser} runs: intra-op threads (inter-op is always 1, execution sequential)
 * and the execution providers to try, in order; the first that takes the model runs it.
 *
 * @param threads 1..{@value DenoiserEngine#MAX_THREADS}
 * @param executionProviders "cuda" and/or "cpu", no repeats, at least one
 */
public record OnnxOptions(int threads, List<String> executionProviders) {
    public static final String CUDA = "cuda";
    public static final String CPU = "cpu";
    private static final Set<String> KNOWN = Set.of(CUDA, CPU);

    public OnnxOptions {
        if (threads < 1 || threads > DenoiserEngine.MAX_THREADS) {
            throw new IllegalArgumentException("ONNX Runtime threads must be in 1.." + DenoiserEngine.MAX_THREADS
                    + ", got " + threads);
        }
        if (executionProviders == null || executionProviders.isEmpty()) {
            throw new IllegalArgumentException("no ONNX Runtime execution provider given (cuda, cpu)");
        }
        executionProviders = List.copyOf(executionProviders);
        for (String p : executionProviders) {
            if (!KNOWN.contains(p)) {
                throw new IllegalArgumentException("unknown ONNX Runtime execution provider '" + p + "' (cuda, cpu)");
            }
        }
        if (Set.copyOf(executionProviders).size() != executionProviders.size()) {
            throw new IllegalArgumentException("execution provider listed twice: " + executionProviders);
        }
    }

    /** The CPU provider alone. */
    public static OnnxOptions cpu(int threads) {
        return new OnnxOptions(threads, List.of(CPU));
    }
}
