package io.c2f.agent.engine;

import io.c2f.agent.bundle.BundleOpenException;
import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.LinkOutcome;
import io.c2f.models.tflite.RuntimeOptions;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.proto.v1.BundleFile;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.Schedule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real engine: the bundle's .tflite opened with {@link TfliteDenoiser}, one warm interpreter
 * per resolution, each through the configured delegate chain.
 */
public final class TfliteEngine implements ModelEngine {
    private final RuntimeOptions options;

    public TfliteEngine(RuntimeOptions options) {
        this.options = options;
    }

    @Override
    public ModelSession open(InstalledSlot slot) throws BundleOpenException {
        BundleManifest m = slot.manifest();
        BundleFile model = m.getFilesList().stream().filter(f -> f.getPath().endsWith(".tflite")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("bundle " + m.getBundleId() + " holds no .tflite file"));
        TfliteDenoiser denoiser;
        try {
            denoiser = TfliteDenoiser.open(slot.file(model.getPath()),
                    m.getModel().toBuilder().setModelSha256(model.getSha256()).build(), options);
        } catch (DenoiserException e) {
            throw new BundleOpenException(e.getMessage(), e);
        }
        try {
            Map<String, C2fPlan> plans = new HashMap<>();
            for (Schedule s : m.getSchedulesList()) {
                plans.put(s.getScheduleId(), C2fPlan.fromProto(s));
            }
            NoiseSchedule noise = NoiseSchedule.fromSpec(m.getModel().getNoiseSchedule());
            for (C2fPlan plan : plans.values()) {
                plan.validateFor(noise.trainTimesteps(), denoiser.resolutions());
            }
            // the chain ran once per resolution; report the full-resolution interpreter's outcomes
            Resolution high = denoiser.resolutions().stream().max((a, b) -> Integer.compare(a.pixels(), b.pixels()))
                    .orElseThrow();
            List<LinkOutcome> outcomes = denoiser.delegateOutcomes().get(high);
            return new ModelSession(m.getBundleId(), denoiser, noise, plans, m.getDefaultScheduleId(),
                    LinkOutcome.toProto(outcomes));
        } catch (RuntimeException | LinkageError e) {
            denoiser.close();
            throw e;
        }
    }
}
