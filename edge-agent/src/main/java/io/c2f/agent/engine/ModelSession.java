package io.c2f.agent.engine;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.proto.v1.DelegateInfo;
import io.c2f.proto.v1.DelegateStatus;
import java.util.List;
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
 * @param delegates what each link of the delegate chain did (reported in births)
 */
public record ModelSession(String bundleId, Denoiser denoiser, NoiseSchedule noiseSchedule,
        Map<String, C2fPlan> schedules, String defaultScheduleId, List<DelegateInfo> delegates)
        implements AutoCloseable {
    public ModelSession {
        delegates = List.copyOf(delegates);
        Objects.requireNonNull(bundleId);
        Objects.requireNonNull(denoiser);
        Objects.requireNonNull(noiseSchedule);
        schedules = Map.copyOf(schedules);
        if (!schedules.containsKey(defaultScheduleId)) {
            throw new IllegalArgumentException("default schedule '" + defaultScheduleId + "' is not among the "
                    + "bundle's schedules " + schedules.keySet());
        }
    }

    /** A session whose only engine is the denoiser itself (no delegate chain). */
    public ModelSession(String bundleId, Denoiser denoiser, NoiseSchedule noiseSchedule,
            Map<String, C2fPlan> schedules, String defaultScheduleId) {
        this(bundleId, denoiser, noiseSchedule, schedules, defaultScheduleId, List.of(DelegateInfo.newBuilder()
                .setName(denoiser.engine()).setStatus(DelegateStatus.DELEGATE_STATUS_ACTIVE).build()));
    }

    /** The chain link running the model (the ACTIVE entry of {@link #delegates}), e.g. "tflite-xnnpack". */
    public DelegateInfo activeLink() {
        return delegates.stream().filter(d -> d.getStatus() == DelegateStatus.DELEGATE_STATUS_ACTIVE).findFirst()
                .orElse(DelegateInfo.newBuilder().setName(denoiser.engine()).build());
    }

    /** The engine running the model ("tflite", "onnx"; for other denoisers their own label). */
    public String engine() {
        String e = activeLink().getEngine();
        return e.isEmpty() ? denoiser.engine() : e;
    }

    /** The same session with another set of schedules (a schedule applied by the controller). */
    public ModelSession withSchedules(Map<String, C2fPlan> plans) {
        return new ModelSession(bundleId, denoiser, noiseSchedule, plans, defaultScheduleId, delegates);
    }

    @Override
    public void close() {
        denoiser.close();
    }
}
