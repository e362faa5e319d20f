package io.c2f.models.c2f;

import io.c2f.models.diffusion.DdimStep;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.noise.GaussianNoise;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link C2fPlan} for a batch of seeds, one batched denoiser call per step.
 *
 * <h2>Conventions</h2>
 * <ul>
 * <li><b>Initial noise</b>: full-resolution N(0, 1) of {@link GaussianNoise} stream 0, image i from
 * seeds[i]. A plan that starts at low resolution (switchIndex > 0) starts from
 * f avgpool(full-resolution noise), with f = sqrt(fy fx) the {@link Resampling#noiseScale}: unit
 * variance, and the same noise the full-resolution reference starts from, seen at low resolution.</li>
 * <li><b>Low phase</b>: DDIM steps 0 .. switchIndex-1 at low resolution; the last lands at
 * t_s = timesteps[switchIndex]. With {@link LowPhaseTime#SNR_MATCHED} each low step runs (model
 * call and DDIM update) at the SNR-matched time of its scheduled step and lands at that of the next.</li>
 * <li><b>Switch</b> at t_s, before step switchIndex runs: {@link C2fSwitch} with the plan's method and
 * interpolation, the x0 predicted by the last low step, and full-resolution noise: the initial
 * noise (stream 0) for {@link SwitchNoise#CONTINUOUS}, stream 1 for {@link SwitchNoise#FRESH}.</li>
 * <li><b>High phase</b>: the remaining steps at high resolution. The output is the x0 predicted by
 * the last step (which goes to t = -1, abar = 1). A plan whose steps are all low (switchIndex ==
 * steps) upsamples that final x0 with its interpolation instead (counted as the switch phase).</li>
 * <li><b>Per-step noise</b> (eta > 0): stream 2 + step index, drawn at the step's resolution.</li>
 * <li>With switchIndex 0 this is exactly {@link io.c2f.models.diffusion.DdimSampler}, bit for bit.</li>
 * </ul>
 * Timings are wall-clock per phase, without the observer's time; MACs are
 * {@code denoiser.macsPerForward(resolution) * batch * steps}.
 *
 * <p>Runs can stop and resume ({@link #start}, {@link #advance}, {@link #finish}) so a schedule
 * search computes a shared prefix of steps once and continues it with several plans.
 */
public final class C2fExecutor {
    private final Denoiser denoiser;
    private final NoiseSchedule schedule;
    private final boolean clipX0;

    /** @param clipX0 clamp predicted x0 to [-1, 1] in every DDIM step (see {@link DdimStep}) */
    public C2fExecutor(Denoiser denoiser, NoiseSchedule schedule, boolean clipX0) {
        this.denoiser = denoiser;
        this.schedule = schedule;
        this.clipX0 = clipX0;
    }

    public C2fExecutor(Denoiser denoiser, NoiseSchedule schedule) {
        this(denoiser, schedule, false);
    }

    public C2fResult run(C2fPlan plan, long[] seeds) throws DenoiserException {
        return run(plan, seeds, TrajectoryObserver.NONE);
    }

    public C2fResult run(C2fPlan plan, long[] seeds, TrajectoryObserver observer) throws DenoiserException {
        return finish(start(plan, seeds), plan, observer);
    }

    /** The state before step 0: the initial noise at the first step's resolution. */
    public SamplerState start(C2fPlan plan, long[] seeds) {
        plan.validateFor(schedule.trainTimesteps(), denoiser.resolutions());
        if (seeds.length == 0) {
            throw new IllegalArgumentException("seeds must not be empty");
        }
        long t0 = System.nanoTime();
        ImageBatch x = GaussianNoise.normal(seeds, GaussianNoise.STREAM_INITIAL, plan.high(), denoiser.channels());
        if (plan.hasLowPhase()) {
            x = Resampling.avgPoolScaled(x, plan.low(), Resampling.noiseScale(plan.low(), plan.high()));
        }
        return new SamplerState(plan, seeds, 0, x, null, List.of(), System.nanoTime() - t0);
    }

    /**
     * Runs steps [state.nextStep(), untilStep) of {@code plan}.
     *
     * @throws IllegalArgumentException when plan does not share the state's prefix
     *     ({@link C2fPlan#sharesPrefix}) or untilStep is out of [state.nextStep(), plan.steps()]
     */
    public SamplerState advance(SamplerState state, C2fPlan plan, int untilStep, TrajectoryObserver observer)
            throws DenoiserException {
        int from = state.nextStep();
        if (plan != state.plan()) {
            plan.validateFor(schedule.trainTimesteps(), denoiser.resolutions());
            if (!plan.sharesPrefix(state.plan(), from)) {
                throw new IllegalArgumentException("a state after " + from + " steps of " + state.plan()
                        + " cannot be resumed with " + plan);
            }
        }
        if (untilStep < from || untilStep > plan.steps()) {
            throw new IllegalArgumentException("untilStep " + untilStep + " out of range [" + from + ", "
                    + plan.steps() + "]");
        }
        long[] seeds = state.seeds();
        int channels = denoiser.channels();
        DdimStep ddim = new DdimStep(schedule, plan.eta(), clipX0);
        List<PhaseTiming> phases = new ArrayList<>(state.phases());
        long elapsed = state.elapsedNanos();
        ImageBatch x = state.x();
        ImageBatch x0hat = state.x0hat();
        int[] lowTimes = LowPhaseTimes.forPlan(plan, schedule);
        for (int i = from; i < untilStep; i++) {
            if (i == plan.switchIndex() && plan.hasLowPhase()) {
                long s0 = System.nanoTime();
                long stream = plan.switchNoise() == SwitchNoise.CONTINUOUS
                        ? GaussianNoise.STREAM_INITIAL : GaussianNoise.STREAM_SWITCH;
                ImageBatch z = GaussianNoise.normal(seeds, stream, plan.high(), channels);
                x = C2fSwitch.apply(plan.switchMethod(), plan.interpolation(), x, x0hat,
                        schedule.alphaBar(lowTimes[i]), schedule.alphaBar(plan.timestep(i)), z);
                long nanos = System.nanoTime() - s0;
                elapsed += nanos;
                add(phases, PhaseTiming.SWITCH, plan.high(), 0, nanos, 0);
            }
            long s0 = System.nanoTime();
            Resolution resolution = plan.resolutionOf(i);
            boolean low = plan.isLowStep(i);
            int t = low ? lowTimes[i] : plan.timestep(i);
            int tPrev = low ? lowTimes[i + 1] : plan.previousTimestep(i);
            ImageBatch eps = denoiser.predictNoise(x, t);
            ImageBatch noise = ddim.needsNoise(t, tPrev)
                    ? GaussianNoise.normal(seeds, GaussianNoise.stepStream(i), resolution, channels)
                    : null;
            DdimStep.Result r = ddim.apply(x, eps, t, tPrev, noise);
            long nanos = System.nanoTime() - s0;
            elapsed += nanos;
            add(phases, low ? PhaseTiming.LOW : PhaseTiming.HIGH, resolution, 1, nanos,
                    denoiser.macsPerForward(resolution) * x.batch());
            observer.onStep(i, t, resolution, x, r.x0());
            x = r.xPrev();
            x0hat = r.x0();
        }
        return new SamplerState(plan, seeds, untilStep, x, x0hat, phases, elapsed);
    }

    /** Runs the remaining steps of {@code plan} and returns the high-resolution images. */
    public C2fResult finish(SamplerState state, C2fPlan plan, TrajectoryObserver observer) throws DenoiserException {
        SamplerState done = advance(state, plan, plan.steps(), observer);
        List<PhaseTiming> phases = new ArrayList<>(done.phases());
        long elapsed = done.elapsedNanos();
        ImageBatch images = done.x0hat();
        if (!images.resolution().equals(plan.high())) {
            long s0 = System.nanoTime();
            images = Resampling.upsample(images, plan.high(), plan.interpolation());
            long nanos = System.nanoTime() - s0;
            elapsed += nanos;
            add(phases, PhaseTiming.SWITCH, plan.high(), 0, nanos, 0);
        }
        long macs = phases.stream().mapToLong(PhaseTiming::macs).sum();
        return new C2fResult(images, phases, macs, elapsed / 1e6, denoiser.engine());
    }

    private static void add(List<PhaseTiming> phases, String name, Resolution resolution, int steps, long nanos,
                            long macs) {
        for (int i = 0; i < phases.size(); i++) {
            if (phases.get(i).phase().equals(name)) {
                phases.set(i, phases.get(i).plus(steps, nanos, macs));
                return;
            }
        }
        phases.add(new PhaseTiming(name, 0, 0.0, resolution, 0).plus(steps, nanos, macs));
    }
}
