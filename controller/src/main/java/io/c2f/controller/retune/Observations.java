package io.c2f.controller.retune;

import io.c2f.controller.telemetry.CostModel;
import io.c2f.controller.telemetry.DeviceLatency;
import io.c2f.controller.telemetry.GenerationSample;
import io.c2f.controller.telemetry.Percentiles;
import java.util.List;

/** Builds the policy's {@link Observation} from a device's latency window. */
final class Observations {
    private Observations() {
    }

    public static Observation of(DeviceLatency latency, long nowMs, double lowToHighCostRatio) {
        List<GenerationSample> recent = latency.recent(nowMs);
        if (recent.isEmpty()) {
            return new Observation(null, null, Double.NaN, null, lowToHighCostRatio, 0);
        }
        String running = latency.lastScheduleId();
        CostModel cost = CostModel.fit(recent);
        double predSum = 0;
        int n = 0;
        for (GenerationSample s : recent) {
            if (running.equals(s.scheduleId())) {
                predSum += cost.predictMs(s.stepsLow(), s.stepsHigh(), lowToHighCostRatio);
                n++;
            }
        }
        Percentiles p = latency.percentiles(nowMs, running);
        return new Observation(running, p, n == 0 ? Double.NaN : predSum / n, cost, lowToHighCostRatio,
                recent.get(recent.size() - 1).atMs());
    }
}
