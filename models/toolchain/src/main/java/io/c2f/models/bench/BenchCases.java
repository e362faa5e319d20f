package io.c2f.models.bench;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.diffusion.TimestepSpacing;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.ModelInfo;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the benchmarks share: their options, the model's two resolutions, the sampler cases, medians. */
final class BenchCases {
    private BenchCases() {
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
