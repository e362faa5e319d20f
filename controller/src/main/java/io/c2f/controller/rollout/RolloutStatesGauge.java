package io.c2f.controller.rollout;

import io.c2f.controller.log.EventLog;
import io.c2f.controller.metrics.ControllerMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the rollouts-per-state gauge in step with the store: reads the fleet's rollouts at start
 * and then every period. Polling, because rollouts change on whichever controller holds their lease.
 */
public final class RolloutStatesGauge extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutStatesGauge.class);
    private final RolloutService rollouts;
    private final ControllerMetrics metrics;
    private final long periodMs;
    private long timer = -1;

    public RolloutStatesGauge(RolloutService rollouts, ControllerMetrics metrics, long periodMs) {
        this.rollouts = rollouts;
        this.metrics = metrics;
        this.periodMs = periodMs;
    }

    @Override
    public Future<?> start() {
        timer = vertx.setPeriodic(periodMs, t -> refresh());
        return refresh().otherwiseEmpty();
    }

    Future<Void> refresh() {
        return rollouts.list().map(list -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            for (RolloutState s : RolloutState.values()) {
                counts.put(s.name(), 0L);
            }
            list.forEach(o -> counts.merge(((JsonObject) o).getString("state"), 1L, Long::sum));
            metrics.reportRolloutStates(counts);
            return (Void) null;
        }).onFailure(e -> EventLog.warn(LOG, "metrics.rollouts.failed", "reason", e.getMessage()));
    }

    @Override
    public Future<?> stop() {
        if (timer != -1) {
            vertx.cancelTimer(timer);
        }
        return Future.succeededFuture();
    }
}
