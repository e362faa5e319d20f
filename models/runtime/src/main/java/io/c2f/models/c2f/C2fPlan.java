package io.c2f.models.c2f;

import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.Sampler;
import io.c2f.proto.v1.Schedule;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A coarse-to-fine DDIM sampling plan: the in-memory form of a proto {@link Schedule} (without its
 * id and provenance).
 *
 * <p>Steps {@code [0, switchIndex)} run at {@code low}, the rest at {@code high}; switchIndex 0 runs
 * everything at high resolution, switchIndex == number of steps runs everything at low resolution
 * and upsamples the final x0. Step i goes from timesteps[i] to timesteps[i + 1] (the last to -1).
 *
 * <p>The constructor checks what the plan can check alone; {@link #validateFor} checks it against a
 * model (time step range, available resolutions). Both throw {@link InvalidPlanException}.
 *
 * @param timesteps strictly decreasing, non-negative model time steps (copied; never empty)
 * @param eta DDIM eta, finite and >= 0
 */
public record C2fPlan(int[] timesteps, int switchIndex, Resolution low, Resolution high,
                      SwitchMethod switchMethod, Interpolation interpolation, float eta,
                      SwitchNoise switchNoise, LowPhaseTime lowPhaseTime) {

    public C2fPlan {
        Objects.requireNonNull(timesteps, "timesteps");
        Objects.requireNonNull(switchNoise, "switchNoise");
        Objects.requireNonNull(lowPhaseTime, "lowPhaseTime");
        Objects.requireNonNull(low, "low");
        Objects.requireNonNull(high, "high");
        Objects.requireNonNull(switchMethod, "switchMethod");
        Objects.requireNonNull(interpolation, "interpolation");
        timesteps = timesteps.clone();
        if (timesteps.length == 0) {
            throw new InvalidPlanException("timesteps", "timesteps must not be empty");
        }
        for (int i = 0; i < timesteps.length; i++) {
            if (timesteps[i] < 0) {
                throw new InvalidPlanException("timesteps[" + i + "]",
                        "timestep " + timesteps[i] + " at timesteps[" + i + "] is negative");
            }
            if (i > 0 && timesteps[i] >= timesteps[i - 1]) {
                throw new InvalidPlanException("timesteps[" + i + "]", "timesteps must be strictly decreasing: "
                        + "timesteps[" + i + "]=" + timesteps[i] + " >= timesteps[" + (i - 1) + "]=" + timesteps[i - 1]);
            }
        }
        if (switchIndex < 0) {
            throw new InvalidPlanException("switch_index", "switchIndex " + switchIndex + " is negative");
        }
        if (switchIndex > timesteps.length) {
            throw new InvalidPlanException("switch_index",
                    "switchIndex " + switchIndex + " > number of steps " + timesteps.length);
        }
        Resampling.factors(low, high);
        if (!(eta >= 0f) || Float.isInfinite(eta)) {
            throw new InvalidPlanException("eta", "eta must be finite and >= 0, got " + eta);
        }
    }

    /**
     * A plan with today's defaults for the switch: noise continuity ({@link SwitchNoise#CONTINUOUS})
     * and the low phase at the scheduled time steps ({@link LowPhaseTime#SAME}).
     */
    public C2fPlan(int[] timesteps, int switchIndex, Resolution low, Resolution high,
                   SwitchMethod switchMethod, Interpolation interpolation, float eta) {
        this(timesteps, switchIndex, low, high, switchMethod, interpolation, eta, SwitchNoise.CONTINUOUS,
                LowPhaseTime.SAME);
    }

    public C2fPlan withTimesteps(int[] newTimesteps) {
        return new C2fPlan(newTimesteps, switchIndex, low, high, switchMethod, interpolation, eta, switchNoise,
                lowPhaseTime);
    }

    public C2fPlan withSwitchIndex(int newSwitchIndex) {
        return new C2fPlan(timesteps, newSwitchIndex, low, high, switchMethod, interpolation, eta, switchNoise,
                lowPhaseTime);
    }

    public C2fPlan withSwitch(SwitchMethod method, Interpolation newInterpolation, SwitchNoise noise,
                              LowPhaseTime time) {
        return new C2fPlan(timesteps, switchIndex, low, high, method, newInterpolation, eta, noise, time);
    }

    /** All steps at one resolution (no switch). */
    public static C2fPlan fullResolution(int[] timesteps, Resolution resolution, float eta) {
        return new C2fPlan(timesteps, 0, resolution, resolution, SwitchMethod.RENOISE_X0, Interpolation.NEAREST, eta);
    }

    /** A copy of the time steps. */
    @Override
    public int[] timesteps() {
        return timesteps.clone();
    }

    public int steps() {
        return timesteps.length;
    }

    public int timestep(int stepIndex) {
        return timesteps[stepIndex];
    }

    /** The time step step i lands on: timesteps[i + 1], or -1 after the last step. */
    public int previousTimestep(int stepIndex) {
        return stepIndex + 1 < timesteps.length ? timesteps[stepIndex + 1] : -1;
    }

    /** Whether step i runs at low resolution. */
    public boolean isLowStep(int stepIndex) {
        return stepIndex < switchIndex;
    }

    public Resolution resolutionOf(int stepIndex) {
        return isLowStep(stepIndex) ? low : high;
    }

    public boolean hasLowPhase() {
        return switchIndex > 0;
    }

    /**
     * Checks the plan against a model.
     *
     * @param trainTimesteps T of the model's noise schedule: every time step must be in [0, T)
     * @param resolutions the resolutions the model has a graph for
     */
    public void validateFor(int trainTimesteps, Collection<Resolution> resolutions) {
        for (int t : timesteps) {
            if (t >= trainTimesteps) {
                throw new InvalidPlanException("timestep " + t + " out of range [0, " + trainTimesteps + ")");
            }
        }
        requireResolution(high, resolutions);
        if (hasLowPhase()) {
            requireResolution(low, resolutions);
        }
    }

    private static void requireResolution(Resolution r, Collection<Resolution> available) {
        if (!available.contains(r)) {
            List<String> names = available.stream()
                    .sorted(Comparator.comparingInt(Resolution::pixels).thenComparingInt(Resolution::height))
                    .map(Resolution::toString).collect(Collectors.toList());
            throw new InvalidPlanException("model has no " + r + " graph; it has " + names);
        }
    }

    /**
     * Whether the first {@code k} steps of this plan and {@code other} compute the same state from the
     * same seeds, so a {@link SamplerState} after k steps of one can be resumed with the other: same
     * time steps for those steps (including where step k-1 lands), same resolution for each of them,
     * same high resolution (it defines the initial noise), same eta, the same low-phase time if
     * any step was low, and if the switch happened within them, the same switch method,
     * interpolation and switch noise.
     */
    public boolean sharesPrefix(C2fPlan other, int k) {
        if (k < 0 || k > steps() || k > other.steps()) {
            return false;
        }
        for (int i = 0; i < k; i++) {
            if (timesteps[i] != other.timesteps[i] || previousTimestep(i) != other.previousTimestep(i)) {
                return false;
            }
        }
        int lowSteps = Math.min(switchIndex, k);
        if (lowSteps != Math.min(other.switchIndex, k) || !high.equals(other.high)
                || Float.compare(eta, other.eta) != 0) {
            return false;
        }
        if (lowSteps > 0 && (!low.equals(other.low) || lowPhaseTime != other.lowPhaseTime)) {
            return false;
        }
        boolean switched = hasLowPhase() && switchIndex < k;
        return !switched || (switchMethod == other.switchMethod && interpolation == other.interpolation
                && switchNoise == other.switchNoise);
    }

    /**
     * The plan of a proto schedule. A switch method or interpolation left UNSPECIFIED is an error
     * when the schedule switches (switch_index > 0) and defaults to RENOISE_X0 / NEAREST otherwise;
     * a missing low resolution defaults to the high one when the schedule does not switch. Switch
     * noise and low-phase time left UNSPECIFIED mean what schedules meant before those fields
     * existed: FRESH and SAME.
     */
    public static C2fPlan fromProto(Schedule schedule) {
        if (schedule.getSampler() != Sampler.SAMPLER_DDIM && schedule.getSampler() != Sampler.SAMPLER_UNSPECIFIED) {
            throw new InvalidPlanException("sampler",
                    "sampler " + schedule.getSamplerValue() + " is not supported (only DDIM)");
        }
        int n = schedule.getTimestepsCount();
        int[] timesteps = new int[n];
        for (int i = 0; i < n; i++) {
            int t = schedule.getTimesteps(i);
            if (t < 0) {
                throw new InvalidPlanException("timesteps[" + i + "]", "timestep " + Integer.toUnsignedString(t)
                        + " at timesteps[" + i
                        + "] out of range [0, " + Integer.MAX_VALUE + "]");
            }
            timesteps[i] = t;
        }
        int switchIndex = schedule.getSwitchIndex();
        if (switchIndex < 0) {
            throw new InvalidPlanException("switch_index", "switchIndex " + Integer.toUnsignedString(switchIndex)
                    + " > number of steps " + n);
        }
        if (!schedule.hasHighResolution()) {
            throw new InvalidPlanException("high_resolution", "high_resolution is missing");
        }
        Resolution high = resolution("high_resolution", schedule.getHighResolution());
        boolean switches = switchIndex > 0;
        Resolution low;
        if (schedule.hasLowResolution()) {
            low = resolution("low_resolution", schedule.getLowResolution());
        } else if (switches) {
            throw new InvalidPlanException("low_resolution",
                    "low_resolution is missing but switch_index is " + switchIndex);
        } else {
            low = high;
        }
        SwitchMethod method = switch (schedule.getSwitchMethod()) {
            case SWITCH_METHOD_RENOISE_X0 -> SwitchMethod.RENOISE_X0;
            case SWITCH_METHOD_UPSAMPLE_XT_VARIANCE_CORRECTED -> SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED;
            case SWITCH_METHOD_UNSPECIFIED -> {
                if (switches) {
                    throw new InvalidPlanException("switch_method",
                            "switch_method is unspecified but switch_index is " + switchIndex);
                }
                yield SwitchMethod.RENOISE_X0;
            }
            default -> throw new InvalidPlanException("switch_method",
                    "unknown switch_method " + schedule.getSwitchMethodValue());
        };
        Interpolation interpolation = switch (schedule.getInterpolation()) {
            case INTERPOLATION_NEAREST -> Interpolation.NEAREST;
            case INTERPOLATION_BILINEAR -> Interpolation.BILINEAR;
            case INTERPOLATION_UNSPECIFIED -> {
                if (switches) {
                    throw new InvalidPlanException("interpolation",
                            "interpolation is unspecified but switch_index is " + switchIndex);
                }
                yield Interpolation.NEAREST;
            }
            default -> throw new InvalidPlanException("interpolation",
                    "unknown interpolation " + schedule.getInterpolationValue());
        };
        SwitchNoise noise = switch (schedule.getSwitchNoise()) {
            case SWITCH_NOISE_UNSPECIFIED, SWITCH_NOISE_FRESH -> SwitchNoise.FRESH;
            case SWITCH_NOISE_CONTINUOUS -> SwitchNoise.CONTINUOUS;
            default -> throw new InvalidPlanException("switch_noise",
                    "unknown switch_noise " + schedule.getSwitchNoiseValue());
        };
        LowPhaseTime lowTime = switch (schedule.getLowPhaseTime()) {
            case LOW_PHASE_TIME_UNSPECIFIED, LOW_PHASE_TIME_SAME -> LowPhaseTime.SAME;
            case LOW_PHASE_TIME_SNR_MATCHED -> LowPhaseTime.SNR_MATCHED;
            default -> throw new InvalidPlanException("low_phase_time",
                    "unknown low_phase_time " + schedule.getLowPhaseTimeValue());
        };
        return new C2fPlan(timesteps, switchIndex, low, high, method, interpolation, schedule.getEta(), noise,
                lowTime);
    }

    private static Resolution resolution(String field, io.c2f.proto.v1.Resolution r) {
        try {
            return Resolution.fromProto(r, field);
        } catch (IllegalArgumentException e) {
            throw new InvalidPlanException(field, e.getMessage());
        }
    }

    /** The proto schedule of this plan (sampler DDIM; no id, no provenance). */
    public Schedule toProto() {
        Schedule.Builder b = Schedule.newBuilder()
                .setSwitchIndex(switchIndex)
                .setLowResolution(low.toProto())
                .setHighResolution(high.toProto())
                .setSwitchMethod(switch (switchMethod) {
                    case RENOISE_X0 -> io.c2f.proto.v1.SwitchMethod.SWITCH_METHOD_RENOISE_X0;
                    case UPSAMPLE_XT_VARIANCE_CORRECTED ->
                            io.c2f.proto.v1.SwitchMethod.SWITCH_METHOD_UPSAMPLE_XT_VARIANCE_CORRECTED;
                })
                .setInterpolation(switch (interpolation) {
                    case NEAREST -> io.c2f.proto.v1.Interpolation.INTERPOLATION_NEAREST;
                    case BILINEAR -> io.c2f.proto.v1.Interpolation.INTERPOLATION_BILINEAR;
                })
                .setSwitchNoise(switch (switchNoise) {
                    case FRESH -> io.c2f.proto.v1.SwitchNoise.SWITCH_NOISE_FRESH;
                    case CONTINUOUS -> io.c2f.proto.v1.SwitchNoise.SWITCH_NOISE_CONTINUOUS;
                })
                .setLowPhaseTime(switch (lowPhaseTime) {
                    case SAME -> io.c2f.proto.v1.LowPhaseTime.LOW_PHASE_TIME_SAME;
                    case SNR_MATCHED -> io.c2f.proto.v1.LowPhaseTime.LOW_PHASE_TIME_SNR_MATCHED;
                })
                .setSampler(Sampler.SAMPLER_DDIM)
                .setEta(eta);
        for (int t : timesteps) {
            b.addTimesteps(t);
        }
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof C2fPlan p && Arrays.equals(timesteps, p.timesteps) && switchIndex == p.switchIndex
                && low.equals(p.low) && high.equals(p.high) && switchMethod == p.switchMethod
                && interpolation == p.interpolation && Float.compare(eta, p.eta) == 0
                && (!hasLowPhase() || (switchNoise == p.switchNoise && lowPhaseTime == p.lowPhaseTime));
    }

    /** Switch noise and low-phase time take part only where a low phase makes them matter. */
    @Override
    public int hashCode() {
        int h = Objects.hash(Arrays.hashCode(timesteps), switchIndex, low, high, switchMethod, interpolation, eta);
        return hasLowPhase() ? Objects.hash(h, switchNoise, lowPhaseTime) : h;
    }

    @Override
    public String toString() {
        return "C2fPlan[timesteps=" + Arrays.toString(timesteps) + ", switchIndex=" + switchIndex + ", low=" + low
                + ", high=" + high + ", " + switchMethod + ", " + interpolation + ", eta=" + eta + ", noise "
                + switchNoise + ", low time " + lowPhaseTime + "]";
    }
}
