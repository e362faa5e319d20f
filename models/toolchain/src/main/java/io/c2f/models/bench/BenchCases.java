package io.c2f.models.bench;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.diffusion.TimestepSpacing;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.ModelInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the benchmarks share: their options, the model's two resolutions, the sampler cases, timing
 * and GFLOP/s, medians.
 */
final class BenchCases {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private BenchCases() {
    }

    /** Something timed that may fail. */
    interface Work<E extends Exception> {
        void run() throws E;
    }

    /** Wall and CPU ms per run. */
    record Timing(double wallMs, double cpuMs) {
    }

    /**
     * Mean ms of {@code n} runs: wall time, and this thread's CPU time (with one interpreter thread
     * TFLite runs the graph on the calling thread, so time the scheduler gave to other processes on a
     * shared machine is left out).
     */
    static <E extends Exception> Timing perRun(int n, Work<E> work) throws E {
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            work.run();
        }
        long wall = System.nanoTime() - start;
        return new Timing(wall / 1e6 / n, (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e6 / n);
    }

    /** GFLOP/s achieved: 2 FLOPs per MAC in {@code ms}. */
    static double gflops(long macs, double ms) {
        return 2.0 * macs / (ms / 1e3) / 1e9;
    }

    /** "--key value" pairs. */
    static Map<String, String> options(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        return a;
    }

    /** The model's largest and smallest resolution. */
    record HighLow(Resolution high, Resolution low) {
        static HighLow of(ModelInfo info) {
            Resolution high = null;
            Resolution low = null;
            for (var m : info.getResolutionsList()) {
                Resolution r = new Resolution(m.getHeight(), m.getWidth());
                if (high == null || r.pixels() > high.pixels()) {
                    high = r;
                }
                if (low == null || r.pixels() < low.pixels()) {
                    low = r;
                }
            }
            return new HighLow(high, low);
        }
    }

    /** Full-resolution DDIM with uniform steps. */
    static C2fPlan ddim(int steps, Resolution high, int trainTimesteps) {
        return C2fPlan.fullResolution(TimestepSpacing.uniform(steps, trainTimesteps), high, 0);
    }

    /** C2F with the first half of uniform steps at low resolution, x_t upsampled with variance correction. */
    static C2fPlan c2fHalf(int steps, HighLow r, int trainTimesteps) {
        return new C2fPlan(TimestepSpacing.uniform(steps, trainTimesteps), steps / 2, r.low(), r.high(),
                SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.NEAREST, 0);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
