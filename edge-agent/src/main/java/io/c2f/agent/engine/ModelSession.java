package io.c2f.agent.engine;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.NoiseSchedule;
import java.util.Map;
import java.util.Objects;

/**
 * A loaded bundle, ready to generate: its denoiser (interpreters warm), noise schedule and the
 * schedules it ships.
 *
 * @param bundleId the bundle
 * @param denoiser the model, e.g. TFLite with the delegate the chain chose
 * @param noiseSchedule the model's training noise schedule
 * @param schedules the bundle's schedules by id
 * @param defaultScheduleId the bundle's default schedule
 */
public record ModelSession(String bundleId, Denoiser denoiser, NoiseSchedule noiseSchedule,
        Map<String, C2fPlan> schedules, String defaultScheduleId) implements AutoCloseable {
    public ModelSession {
        Objects.requireNonNull(bundleId);
        Objects.requireNonNull(denoiser);
        Objects.requireNonNull(noiseSchedule);
        schedules = Map.copyOf(schedules);
        if (!schedules.containsKey(defaultScheduleId)) {
            throw new IllegalArgumentException("default schedule '" + defaultScheduleId + "' is not among the "
                    + "bundle's schedules " + schedules.keySet());
        }
    }

    @Override
    public void close() {
        denoiser.close();
    }
}
