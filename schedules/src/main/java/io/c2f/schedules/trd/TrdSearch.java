package io.c2f.schedules.trd;

import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SamplerState;
import io.c2f.models.c2f.LowPhaseTime;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.c2f.SwitchNoise;
import io.c2f.models.c2f.TrajectoryObserver;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.image.ImageMetrics;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.Provenance;
import io.c2f.proto.v1.SearchMethod;
import io.c2f.schedules.Baselines;
import io.c2f.schedules.Schedule;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * TRD, Time Step Sequence Redistribution (METHOD.md): for a step budget K, the time steps (and for
 * C2F the switch index) that minimise the mean squared error between the K-step result and a
 * many-step full-resolution DDIM reference from the same initial noise, over a calibration set.
 *
 * <h2>Search</h2>
 * Deterministic, in two stages, from the start plan (uniform spacing in {@link #searchFull} and
 * {@link #searchC2f}):
 * <ol>
 * <li><b>Shifted starts.</b> The start plan shifted up by j T / (S K), j = 1 .. S - 1 (every time step
 * together; S = {@link TrdConfig#startShifts()}, default 4: +25, +50, +75 at K = 10), and the descent
 * goes on from the best of these S plans. Why: a single-position move cannot shift the whole sequence
 * (each position is boxed in by its neighbours), and on the shipped model the loss as a function of
 * such a shift is rugged (K = 10: +57% at +30, -4% at +50, +119% at +80), so a descent from uniform
 * alone settles in the basin next to it.</li>
 * <li><b>Coordinate descent</b> with one signed move per step position, starting at -T / (4K). A sweep
 * visits every position i whose move is not 0 and tries t_i + move (clamped to stay strictly between
 * its neighbours and inside [0, T)); a success doubles the move, a failure reverses and halves it, and
 * a move below {@link TrdConfig#minMove()} (default 1) settles the position, so settled positions stop
 * costing evaluations while the others move on. For a C2F plan each sweep then tries the switch index
 * +-1. The search ends when every position is settled and the switch did not move, or when the budget
 * runs out.</li>
 * </ol>
 * A candidate is accepted iff its calibration loss is strictly lower, so the result is never worse
 * than the start on the calibration loss, and with the same inputs and an unexhausted budget it is
 * the same plan. Plans already evaluated in the run are not evaluated again (a move back to an earlier
 * plan is known to lose).
 *
 * <p>Measured on the shipped model at K = 10 (schedules/README.md, ablation): the shifted starts
 * take the held-out loss from -18.5% to -22.4% against uniform and the calls from 550 to 466 (the
 * descent starts nearer its end). The search before them also ran a final pass of +-1 moves over
 * every position once all had settled: 909 calls instead of 550 for -18.9% instead of -18.5%, which
 * took it past 60 s on a 2-core machine, so there is no such pass.
 *
 * <h2>Cost</h2>
 * Moving t_i changes step i-1 (it lands on t_i) and everything after; steps 0 .. i-2 are those of
 * the current best plan. The search keeps the sampler state after every step of the best plan and
 * resumes a candidate from state i-1 ({@link C2fExecutor#advance}); moving the switch from s to s'
 * resumes from state min(s, s'). Step i-1 itself calls the model with the same x_t and t as the best
 * plan did, so that call is answered from a {@link StepCache}: a candidate costs K - i batched
 * denoiser calls (K for i = 0), not K. The whole calibration batch goes through one batched call
 * per step. The many-step reference is computed once per seed set ({@link ReferenceFidelity}) and
 * its time is reported apart from the search's.
 */
public final class TrdSearch {
    private final Denoiser denoiser;
    private final NoiseSchedule schedule;
    private final TrdConfig config;
    private final ReferenceStore store;
    private final String modelSha256;
    private ReferenceFidelity fidelity;

    public TrdSearch(Denoiser denoiser, NoiseSchedule schedule, TrdConfig config) {
        this(denoiser, schedule, config, ReferenceStore.NONE, "");
    }

    /**
     * @param store where references persist between runs
     * @param modelSha256 the model's identity in store keys (empty: references are not stored)
     */
    public TrdSearch(Denoiser denoiser, NoiseSchedule schedule, TrdConfig config, ReferenceStore store,
                     String modelSha256) {
        this.store = store;
        this.modelSha256 = modelSha256;
        this.denoiser = denoiser;
        this.schedule = schedule;
        this.config = config;
    }

    public TrdConfig config() {
        return config;
    }

    /** The reference objective at {@code high} (shared by all searches of this instance, so cached). */
    public ReferenceFidelity fidelity(Resolution high) {
        if (fidelity == null || !fidelity.referencePlan().high().equals(high)) {
            fidelity = new ReferenceFidelity(denoiser, schedule, config.referenceSteps(), high, store, modelSha256);
        }
        return fidelity;
    }

    /** TRD for K full-resolution steps, starting from uniform spacing. */
    public TrdResult searchFull(int steps, Resolution high, String scheduleId, String modelSha256,
                                Consumer<TrdProgress> progress) throws DenoiserException {
        requireSteps(steps);
        requireResolution(high, "full-resolution steps");
        return search(Baselines.uniform(steps, schedule.trainTimesteps(), high, 0f), scheduleId, modelSha256,
                progress);
    }

    /** TRD for K steps of which the first {@code switchIndex} run at {@code low}, from uniform spacing. */
    public TrdResult searchC2f(int steps, int switchIndex, Resolution low, Resolution high, SwitchMethod method,
                               Interpolation interpolation, String scheduleId, String modelSha256,
                               Consumer<TrdProgress> progress) throws DenoiserException {
        return searchC2f(steps, switchIndex, low, high, method, interpolation, SwitchNoise.CONTINUOUS,
                LowPhaseTime.SNR_MATCHED, scheduleId, modelSha256, progress);
    }

    /**
     * As above, with the switch noise and the low-phase time of the plans searched (the overload
     * without them searches noise-continuous, SNR-matched plans: what won on the shipped model,
     * schedules/README.md).
     */
    public TrdResult searchC2f(int steps, int switchIndex, Resolution low, Resolution high, SwitchMethod method,
                               Interpolation interpolation, SwitchNoise noise, LowPhaseTime lowTime,
                               String scheduleId, String modelSha256, Consumer<TrdProgress> progress)
            throws DenoiserException {
        requireSteps(steps);
        if (steps < 2) {
            throw new IllegalArgumentException("C2F needs K >= 2 (a low and a high step), got K = " + steps);
        }
        if (switchIndex < 1 || switchIndex > steps - 1) {
            throw new IllegalArgumentException("C2F switch index must be in [1, " + (steps - 1) + "] for K = "
                    + steps + ", got " + switchIndex);
        }
        requireResolution(low, "the C2F low phase");
        requireResolution(high, "the C2F high phase");
        return search(Baselines.c2fUniform(steps, schedule.trainTimesteps(), switchIndex, low, high, method,
                interpolation, 0f).withSwitch(method, interpolation, noise, lowTime), scheduleId, modelSha256,
                progress);
    }

    private void requireSteps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("step count K must be >= 1, got " + steps);
        }
        if (steps > schedule.trainTimesteps()) {
            throw new IllegalArgumentException("step count K = " + steps + " is larger than the model's T = "
                    + schedule.trainTimesteps());
        }
    }

    private void requireResolution(Resolution r, String what) {
        if (!denoiser.resolutions().contains(r)) {
            throw new IllegalArgumentException("denoiser (" + denoiser.engine() + ") has no " + r + " graph for "
                    + what + "; it has " + denoiser.resolutions());
        }
    }

    /** TRD from any start plan; the result keeps the start's resolutions, switch method and eta. */
    public TrdResult search(C2fPlan start, String scheduleId, String modelSha256, Consumer<TrdProgress> progress)
            throws DenoiserException {
        start.validateFor(schedule.trainTimesteps(), denoiser.resolutions());
        requireResolution(start.high(), "the reference");
        if (start.hasLowPhase()) {
            requireResolution(start.low(), "the C2F low phase");
        }
        ReferenceFidelity fid = fidelity(start.high());
        double ref0 = fid.referenceSeconds();
        long[] cal = config.calibrationSeeds();
        ImageBatch reference = fid.reference(cal);

        Run run = new Run(start, cal, reference, progress);
        run.optimise();
        double referenceSeconds;
        double heldoutStart = fid.loss(start, config.heldoutSeeds());
        double heldout = fid.loss(run.best, config.heldoutSeeds());
        referenceSeconds = fid.referenceSeconds() - ref0;

        int k = run.best.steps();
        Provenance provenance = Provenance.newBuilder()
                .setMethod(SearchMethod.SEARCH_METHOD_TRD)
                .setModelSha256(modelSha256 == null ? "" : modelSha256)
                .setCalibrationLoss(run.bestLoss)
                .setHeldoutLoss(heldout)
                .setMacsPerImage(ReferenceFidelity.macsPerImage(run.best, denoiser))
                .setCalibrationSeeds(cal.length)
                .setHeldoutSeeds(config.heldoutSeeds().length)
                .setReferenceSteps(config.referenceSteps())
                .setSearchSeconds(run.seconds)
                .setCreatedAtMs(System.currentTimeMillis())
                .setNotes("TRD from " + Arrays.toString(start.timesteps()) + " switch "
                        + start.switchIndex() + " (calibration loss " + run.startLoss + "), K=" + k + ": "
                        + config.startShifts() + " shifted starts (best: +" + run.startShift + "), coordinate "
                        + "descent down to moves of " + config.minMove() + "; " + run.evaluations + " evaluations, "
                        + run.denoiserSteps + " batched denoiser calls"
                        + (run.stoppedByBudget ? ", stopped by budget" : "") + "; reference: " + config.referenceSteps()
                        + "-step uniform DDIM eta 0 at " + start.high() + "; engine " + denoiser.engine())
                .build();
        return new TrdResult(new Schedule(scheduleId, run.best, provenance), start, run.startLoss, run.bestLoss,
                heldoutStart, heldout, run.evaluations, run.denoiserSteps, run.seconds, referenceSeconds,
                run.stoppedByBudget);
    }

    /** One search: the best plan, its cached per-step states and the counters. */
    private final class Run {
        private final long[] seeds;
        private final ImageBatch reference;
        private final Consumer<TrdProgress> progress;
        private final long t0 = System.nanoTime();
        private final int trainT = schedule.trainTimesteps();
        C2fPlan best;
        double bestLoss;
        double startLoss;
        /** states[k]: the state after k steps of best, k in [0, K). */
        SamplerState[] states;
        int evaluations;
        int accepted;
        long denoiserSteps;
        boolean stoppedByBudget;
        double longestEvaluation;
        double seconds;
        int delta;
        /** The shift of the start the descent went on from (0: the start itself). */
        int startShift;
        /** Calibration loss of every plan evaluated in this run (plans are values). */
        final Map<C2fPlan, Double> memo = new HashMap<>();

        /** The search's own executor: its denoiser answers a candidate's first, shared call from memory. */
        private final StepCache cache;
        private final C2fExecutor runner;

        Run(C2fPlan start, long[] seeds, ImageBatch reference, Consumer<TrdProgress> progress) {
            this.cache = new StepCache(denoiser, 3 * start.steps() + 8);
            this.runner = new C2fExecutor(cache, schedule);
            this.seeds = seeds;
            this.reference = reference;
            this.progress = progress == null ? p -> { } : progress;
            this.best = start;
        }

        void optimise() throws DenoiserException {
            Evaluation first = evaluate(best, runner.start(best, seeds));
            states = first.states;
            bestLoss = first.loss;
            startLoss = first.loss;
            memo.put(best, bestLoss);
            evaluations = 0; // the start is not a candidate
            int k = best.steps();
            int d0 = config.initialDelta() > 0 ? config.initialDelta() : Math.max(1, trainT / (4 * k));
            delta = d0;
            if (!shiftedStarts()) {
                return;
            }
            int minMove = config.minMove();
            int maxStep = Math.max(d0, trainT / 2);
            int[] steps = new int[k]; // signed move per position; 0 = settled
            Arrays.fill(steps, d0 >= minMove ? -d0 : 0);
            boolean switchActive = best.hasLowPhase() && config.searchSwitchIndex();
            int switchDir = -1;
            report();
            while (switchActive || Arrays.stream(steps).anyMatch(d -> d != 0)) {
                // Rosenbrock-style: a success doubles the move, a failure reverses and halves it
                for (int i = 0; i < k; i++) {
                    if (steps[i] == 0) {
                        continue;
                    }
                    Boolean better = tryMove(i, steps[i]);
                    if (better == null) {
                        return;
                    }
                    if (better) {
                        steps[i] = Math.max(-maxStep, Math.min(maxStep, 2 * steps[i]));
                    } else {
                        steps[i] = Math.abs(steps[i]) / 2 < minMove ? 0 : -steps[i] / 2;
                    }
                }
                if (switchActive) {
                    boolean moved = false;
                    for (int dir : new int[] {switchDir, -switchDir}) {
                        int s = best.switchIndex();
                        int target = s + dir;
                        if (target < config.minSwitchIndex() || target > k - 1) {
                            continue;
                        }
                        Boolean better = tryCandidate(best.withSwitchIndex(target), Math.min(s, target));
                        if (better == null) {
                            return;
                        }
                        if (better) {
                            switchDir = dir;
                            moved = true;
                            break;
                        }
                    }
                    switchActive = moved;
                }
                int widest = Arrays.stream(steps).map(Math::abs).max().orElse(0);
                if (widest >= 1 && widest < delta) {
                    delta = widest;
                    report();
                }
            }
            finishClock();
        }

        /**
         * Stage 1: the start shifted up by j T / (S K) for j = 1 .. S - 1 (shifts that would leave
         * [0, T) are skipped); the best becomes the descent's start. False when the budget ran out.
         */
        private boolean shiftedStarts() throws DenoiserException {
            int shifts = config.startShifts();
            int k = best.steps();
            C2fPlan origin = best;
            for (int j = 1; j < shifts; j++) {
                int offset = j * trainT / (k * shifts);
                int[] ts = origin.timesteps();
                if (offset == 0 || ts[0] + offset > trainT - 1) {
                    continue;
                }
                for (int q = 0; q < k; q++) {
                    ts[q] += offset;
                }
                Boolean better = tryCandidate(origin.withTimesteps(ts), 0);
                if (better == null) {
                    return false;
                }
                if (better) {
                    startShift = offset;
                }
            }
            return true;
        }

        /** Moves t_i by {@code by} (clamped between its neighbours): null = budget out, else whether it won. */
        private Boolean tryMove(int i, int by) throws DenoiserException {
            int[] ts = best.timesteps();
            int k = ts.length;
            int lo = i + 1 < k ? ts[i + 1] + 1 : 0;
            int hi = i > 0 ? ts[i - 1] - 1 : trainT - 1;
            int target = Math.max(lo, Math.min(hi, ts[i] + by));
            if (target == ts[i]) {
                return false;
            }
            ts[i] = target;
            return tryCandidate(best.withTimesteps(ts), Math.max(0, i - 1));
        }

        /**
         * Evaluates a candidate from the cached prefix: whether it became the best, or null when the
         * budget ran out (nothing evaluated). A plan evaluated before is answered from the memo and
         * not counted.
         */
        private Boolean tryCandidate(C2fPlan candidate, int sharedSteps) throws DenoiserException {
            Double known = memo.get(candidate);
            if (known != null) {
                return false; // it lost against an earlier best, which the current best beats
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            // stop before an evaluation that would likely end past the wall-clock budget (the longest
            // one so far as the estimate), so a budget of 60 s means the search ends within about 60 s
            if (evaluations >= config.maxEvaluations()
                    || elapsed + longestEvaluation >= config.budget().toNanos() / 1e9) {
                stoppedByBudget = true;
                finishClock();
                report();
                return null;
            }
            evaluations++;
            long e0 = System.nanoTime();
            Evaluation e = evaluate(candidate, states[sharedSteps]);
            longestEvaluation = Math.max(longestEvaluation, (System.nanoTime() - e0) / 1e9);
            memo.put(candidate, e.loss);
            if (e.loss < bestLoss) {
                best = candidate;
                bestLoss = e.loss;
                states = e.states;
                accepted++;
                report();
                return true;
            }
            return false;
        }

        private void finishClock() {
            seconds = (System.nanoTime() - t0) / 1e9;
            cache.clear();
        }

        private void report() {
            progress.accept(new TrdProgress(evaluations, accepted, delta, bestLoss, (System.nanoTime() - t0) / 1e9,
                    best));
        }

        /** Runs plan from a state of the best plan (or the initial state), recording each step's state. */
        private Evaluation evaluate(C2fPlan plan, SamplerState from) throws DenoiserException {
            int k = plan.steps();
            SamplerState[] out = new SamplerState[k];
            if (states != null) {
                System.arraycopy(states, 0, out, 0, from.nextStep() + 1);
            }
            out[from.nextStep()] = from;
            SamplerState s = from;
            for (int step = from.nextStep(); step < k - 1; step++) {
                s = runner.advance(s, plan, step + 1, TrajectoryObserver.NONE);
                out[step + 1] = s;
            }
            ImageBatch images = runner.finish(s, plan, TrajectoryObserver.NONE).images();
            denoiserSteps = cache.misses();
            return new Evaluation(ImageMetrics.mse(images, reference), out);
        }
    }

    private record Evaluation(double loss, SamplerState[] states) {
    }
}
