package io.c2f.models.c2f;

import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.PhaseLatency;

/**
 * Cost of one phase of a run: "low", "switch" or "high". MACs are denoiser MACs per forward at the
 * phase's resolution x batch x steps; the switch has no denoiser call (0 steps, 0 MACs).
 */
public record PhaseTiming(String phase, int steps, double millis, Resolution resolution, long macs) {
    public static final String LOW = "low";
    public static final String SWITCH = "switch";
    public static final String HIGH = "high";

    PhaseTiming plus(int moreSteps, long nanos, long moreMacs) {
        return new PhaseTiming(phase, steps + moreSteps, millis + nanos / 1e6, resolution, macs + moreMacs);
    }

    public PhaseLatency toProto() {
        return PhaseLatency.newBuilder().setPhase(phase).setMillis(millis).setSteps(steps)
                .setResolution(resolution.toProto()).setMacs(macs).build();
    }
}
