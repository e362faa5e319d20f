package io.c2f.schedules;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.diffusion.TimestepSpacing;
import io.c2f.models.tensor.Resolution;

/**
 * The fixed spacings every searched schedule is compared against (DDIM paper, appendix D.2; see
 * {@link TimestepSpacing} for the exact convention), at full resolution or coarse-to-fine.
 */
public final class Baselines {
    /**
     * The switch method c2f ships as default. Measured against the same-noise full-resolution
     * reference (ScheduleBenchmark, C2fExecutorTest on the two-scale analytic model), upsampling x_t
     * with variance correction stays close to the reference (e.g. 37 dB at a mid-trajectory switch)
     * while re-noising from x0 draws fresh noise and lands on a different sample (10-15 dB).
     */
    public static final SwitchMethod DEFAULT_SWITCH_METHOD = SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED;

    private Baselines() {
    }

    /** K uniformly spaced steps, all at {@code resolution}. */
    public static C2fPlan uniform(int steps, int trainTimesteps, Resolution resolution, float eta) {
        return C2fPlan.fullResolution(TimestepSpacing.uniform(checkSteps(steps, trainTimesteps), trainTimesteps),
                resolution, eta);
    }

    /** K quadratically spaced steps (dense near t = 0), all at {@code resolution}. */
    public static C2fPlan quadratic(int steps, int trainTimesteps, Resolution resolution, float eta) {
        return C2fPlan.fullResolution(TimestepSpacing.quadratic(checkSteps(steps, trainTimesteps),
                trainTimesteps), resolution, eta);
    }

    /** Uniform steps, the first {@code switchIndex} at low resolution. */
    public static C2fPlan c2fUniform(int steps, int trainTimesteps, int switchIndex, Resolution low,
                                     Resolution high, SwitchMethod method, Interpolation interpolation,
                                     float eta) {
        return new C2fPlan(TimestepSpacing.uniform(checkSteps(steps, trainTimesteps), trainTimesteps),
                checkSwitch(switchIndex, steps), low, high, method, interpolation, eta);
    }

    /** Quadratic steps, the first {@code switchIndex} at low resolution. */
    public static C2fPlan c2fQuadratic(int steps, int trainTimesteps, int switchIndex, Resolution low,
                                       Resolution high, SwitchMethod method, Interpolation interpolation,
                                       float eta) {
        return new C2fPlan(TimestepSpacing.quadratic(checkSteps(steps, trainTimesteps), trainTimesteps),
                checkSwitch(switchIndex, steps), low, high, method, interpolation, eta);
    }

    static int checkSteps(int steps, int trainTimesteps) {
        if (steps < 1) {
            throw new IllegalArgumentException("step count K must be >= 1, got " + steps);
        }
        if (steps > trainTimesteps) {
            throw new IllegalArgumentException("step count K = " + steps + " is larger than the model's T = "
                    + trainTimesteps);
        }
        return steps;
    }

    private static int checkSwitch(int switchIndex, int steps) {
        if (switchIndex < 0 || switchIndex > steps) {
            throw new IllegalArgumentException("switch index " + switchIndex + " out of [0, " + steps + "]");
        }
        return switchIndex;
    }
}
