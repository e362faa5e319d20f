package io.c2f.controller.retune;

import io.c2f.controller.catalog.CatalogEntry;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Chooses a device's schedule from its model's catalog: the highest-quality schedule whose
 * predicted p95 meets the latency target, among the schedules on the catalog's quality-vs-MACs
 * frontier. Pure: no clock, no I/O; the caller keeps the state.
 *
 * <p>Prediction: the device's cost model gives a schedule's mean latency ({@code overhead + low
 * steps x ms/low step + high steps x ms/high step}); it is scaled by the device's tail factor,
 * observed p95 over the model's mean prediction for the same generations (at least 1), so targets
 * on p95 are compared with predicted p95s.
 *
 * <p>Hysteresis: a device moves to a cheaper schedule as soon as its observed p95 of the running
 * schedule (at least {@code minSamples} generations) exceeds the target. It moves back to a better
 * schedule only when that one is predicted at least {@code upgradeMargin} below the target, the
 * same candidate continuously for {@code upgradeSustainMs}. No change comes sooner than {@code
 * minDwellMs} after the previous one. A change the device still does not run once that dwell is
 * over, while it keeps generating on its old schedule ({@link #APPLY_GRACE_MS} after the change was
 * sent), is forgotten and the device judged again from what it runs: no device waits for ever on a
 * change that never took effect (its job lost or refused). Noise around the target therefore never makes it flap: a
 * schedule it left for being too slow is predicted near or above the target, far from the margin.
 *
 * <p>Quality: the catalog's order, {@link CatalogEntry#BEST_FIRST}.
 *
 * <p>Frontier: the policy never moves a device to a schedule that another schedule of the catalog
 * beats on the primary quality measure (held-out loss to the many-step reference, lower is better)
 * with no more MACs per image ({@link CatalogFrontier}: dominated = no more MACs and a loss at least
 * as low, strictly better in one; equal MACs and equal loss dominate neither). Schedules without a
 * measured loss or MACs (baselines: 0) never dominate and are never dominated; as before they rank
 * after every measured schedule, so they are chosen only when no measured one qualifies. Every rule
 * above (best within target, cheapest when nothing fits, the upgrade margin) applies to the
 * non-dominated schedules; when the choice over the whole catalog would have been a dominated one,
 * the reason names it and its dominator. A device already running a dominated schedule is not moved
 * for that alone; it leaves it by the rules above. The frontier is on MACs, not on this device's
 * predicted latency: on a device where low-resolution steps save less time than MACs, a dominated
 * schedule can be faster than its dominator and is still refused.
 */
final class RetunePolicy {
    /** Best quality first. */
    public static final Comparator<CatalogEntry> QUALITY = CatalogEntry.BEST_FIRST;

    /**
     * A generation received this long after a change was sent can no longer be one that was already
     * running when the device applied it: if it still ran the old schedule, the change did not take.
     */
    static final long APPLY_GRACE_MS = 5_000;

    private final RetuneSettings settings;

    public RetunePolicy(RetuneSettings settings) {
        this.settings = settings;
    }

    public Decision decide(double targetMs, List<CatalogEntry> catalog, Observation obs, TuningState state, long nowMs) {
        double p95 = obs.running() == null ? Double.NaN : obs.running().p95();
        if (catalog.isEmpty()) {
            return keep(state.noCandidate(), p95, "the device's model has no schedule catalog");
        }
        if (obs.cost() == null || obs.running() == null || obs.running().count() < settings.minSamples()) {
            int n = obs.running() == null ? 0 : obs.running().count();
            return keep(state, p95, String.format(Locale.ROOT, "waiting for data: %d of %d generations of %s",
                    n, settings.minSamples(), obs.runningScheduleId()));
        }
        if (state.assignedScheduleId() == null || state.assignedScheduleId().equals(obs.runningScheduleId())) {
            return judge(targetMs, catalog, obs, state, nowMs, p95);
        }
        long waited = nowMs - state.assignedAtMs();
        if (waited < settings.minDwellMs() || obs.latestAtMs() - state.assignedAtMs() < APPLY_GRACE_MS) {
            return keep(state, p95, "waiting for the device to run " + state.assignedScheduleId() + " (it runs "
                    + obs.runningScheduleId() + ")");
        }
        // the device generates, long after the change was sent, still on its old schedule: the change
        // never took effect (its job lost or refused, or the device restarted on its old default).
        // Waiting on would leave the device undecided for good (issue 18: slowed demo devices without a
        // decision), so it is judged again from what it runs, as if nothing had been sent. No change
        // would be due sooner anyway (the dwell), so this costs no reaction time; an idle device (no
        // generation since) is not judged again, it has nothing new to say.
        Decision d = judge(targetMs, catalog, obs, TuningState.INITIAL, nowMs, p95);
        return new Decision(d.to(), d.direction(), d.predictedMs(), d.observedP95Ms(), d.reason() + String.format(
                Locale.ROOT, " (%s, sent %d s ago, never ran: the device still runs %s)", state.assignedScheduleId(),
                waited / 1000, obs.runningScheduleId()), d.next());
    }

    /** The rules once the device has data and runs what it was last sent (or was never sent anything). */
    private Decision judge(double targetMs, List<CatalogEntry> catalog, Observation obs, TuningState state, long nowMs,
                           double p95) {
        if (state.assignedAtMs() > 0 && nowMs - state.assignedAtMs() < settings.minDwellMs()) {
            return keep(state, p95, "settling: last change " + (nowMs - state.assignedAtMs()) + " ms ago");
        }
        double tail = obs.meanPredictedMs() > 0 ? Math.max(1.0, p95 / obs.meanPredictedMs()) : 1.0;
        Optional<CatalogEntry> current = catalog.stream()
                .filter(e -> e.scheduleId().equals(obs.runningScheduleId())).findFirst();
        String model = String.format(Locale.ROOT, "cost model %s ms/low step, %s ms/high step, %.1f ms overhead, "
                + "tail x%.2f", fmt(obs.cost().lowStepMs()), fmt(obs.cost().highStepMs()), obs.cost().overheadMs(), tail);

        CatalogFrontier frontier = CatalogFrontier.of(catalog);
        List<CatalogEntry> choosable = frontier.choosable();
        if (current.isEmpty()) {
            Function<List<CatalogEntry>, CatalogEntry> initial = among -> bestWithin(among, targetMs, tail, obs)
                    .orElseGet(() -> cheapest(among, tail, obs));
            CatalogEntry pick = initial.apply(choosable);
            double pred = predict(pick, tail, obs);
            return change(pick, "INITIAL", pred, p95, nowMs, String.format(Locale.ROOT,
                    "device runs %s, which is not in the catalog; %s is the best schedule predicted within the "
                            + "%.1f ms target: %.1f ms (%s)%s", obs.runningScheduleId(), pick.scheduleId(), targetMs,
                    pred, model, frontier.refusal(Optional.of(initial.apply(catalog)))));
        }
        CatalogEntry cur = current.get();
        double curPred = predict(cur, tail, obs);
        if (p95 > targetMs) {
            Function<List<CatalogEntry>, Optional<CatalogEntry>> fitIn = among -> among.stream()
                    .filter(e -> predict(e, tail, obs) < curPred).filter(e -> predict(e, tail, obs) <= targetMs)
                    .min(QUALITY);
            Optional<CatalogEntry> fit = fitIn.apply(choosable);
            CatalogEntry pick = fit.orElseGet(() -> cheapest(choosable, tail, obs));
            double pred = predict(pick, tail, obs);
            String refused = frontier.refusal(Optional.of(fitIn.apply(catalog).orElseGet(() ->
                    cheapest(catalog, tail, obs))));
            if (pick.scheduleId().equals(cur.scheduleId()) || pred >= curPred) {
                return keep(state.noCandidate(), p95, String.format(Locale.ROOT, "p95 %.1f ms exceeds the %.1f ms "
                        + "target but no cheaper schedule exists%s", p95, targetMs, refused));
            }
            return change(pick, "DOWNGRADE", pred, p95, nowMs, String.format(Locale.ROOT,
                    "p95 %.1f ms of %s over %d generations exceeds the %.1f ms target; %s is predicted at %.1f ms%s "
                            + "(%s)%s",
                    p95, cur.scheduleId(), obs.running().count(), targetMs, pick.scheduleId(), pred,
                    fit.isPresent() ? "" : ", the cheapest in the catalog that no other beats, still over target",
                    model, refused));
        }
        double limit = targetMs * (1 - settings.upgradeMargin());
        Function<List<CatalogEntry>, Optional<CatalogEntry>> betterIn = among -> among.stream()
                .filter(e -> QUALITY.compare(e, cur) < 0).filter(e -> predict(e, tail, obs) <= limit).min(QUALITY);
        Optional<CatalogEntry> better = betterIn.apply(choosable);
        String refused = frontier.refusal(betterIn.apply(catalog));
        if (better.isEmpty()) {
            return keep(state.noCandidate(), p95, String.format(Locale.ROOT, "p95 %.1f ms within the %.1f ms target; "
                    + "no better schedule predicted below %.1f ms%s", p95, targetMs, limit, refused));
        }
        CatalogEntry b = better.get();
        if (!b.scheduleId().equals(state.betterCandidateId())) {
            return keep(new TuningState(state.assignedScheduleId(), state.assignedAtMs(), b.scheduleId(), nowMs), p95,
                    "better schedule " + b.scheduleId() + " fits with margin; watching it");
        }
        long since = nowMs - state.betterSinceMs();
        if (since < settings.upgradeSustainMs()) {
            return keep(state, p95, "better schedule " + b.scheduleId() + " has fit with margin for " + since + " ms of "
                    + settings.upgradeSustainMs());
        }
        double pred = predict(b, tail, obs);
        return change(b, "UPGRADE", pred, p95, nowMs, String.format(Locale.ROOT,
                "p95 %.1f ms of %s is within the %.1f ms target and %s (better quality) is predicted at %.1f ms, "
                        + "at least %.0f%% below target for %d s (%s)%s", p95, cur.scheduleId(), targetMs,
                b.scheduleId(), pred, settings.upgradeMargin() * 100, since / 1000, model, refused));
    }

    /** Predicted p95 of a schedule on this device. */
    public static double predict(CatalogEntry e, double tail, Observation obs) {
        return tail * obs.cost().predictMs(e.stepsLow(), e.stepsHigh(), obs.lowToHighCostRatio());
    }

    private static Optional<CatalogEntry> bestWithin(List<CatalogEntry> catalog, double targetMs, double tail,
                                                     Observation obs) {
        return catalog.stream().filter(e -> predict(e, tail, obs) <= targetMs).min(QUALITY);
    }

    private static CatalogEntry cheapest(List<CatalogEntry> catalog, double tail, Observation obs) {
        return catalog.stream().min(Comparator.comparingDouble((CatalogEntry e) -> predict(e, tail, obs))
                .thenComparing(QUALITY)).orElseThrow();
    }

    private static Decision keep(TuningState state, double p95, String reason) {
        return new Decision(null, "KEEP", Double.NaN, p95, reason, state);
    }

    private static Decision change(CatalogEntry to, String direction, double predicted, double p95, long nowMs,
                                   String reason) {
        return new Decision(to, direction, predicted, p95, reason, new TuningState(to.scheduleId(), nowMs, null, 0));
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "?" : String.format(Locale.ROOT, "%.2f", v);
    }
}
