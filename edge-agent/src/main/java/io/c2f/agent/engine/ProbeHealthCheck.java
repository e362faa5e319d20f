package io.c2f.agent.engine;

import io.c2f.agent.bundle.BundleOpenException;
import io.c2f.agent.bundle.HealthCheck;
import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.image.ImageMetrics;
import io.c2f.models.image.PngImages;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.proto.v1.HealthProbe;
import io.c2f.proto.v1.QualityProbe;
import java.util.function.Consumer;

/**
 * The health probe of a new bundle: load it (interpreters warm), generate the manifest's probe
 * seed with the probe schedule, and compare with the reference image the controller computed
 * with the same model. A bundle without a probe passes once it loads and generates.
 *
 * <p>The opened session is handed to {@code onOpened} so the agent can keep it warm and switch to
 * it without loading the model twice.
 */
public final class ProbeHealthCheck implements HealthCheck {
    private final ModelEngine engine;
    private final Consumer<ModelSession> onOpened;

    public ProbeHealthCheck(ModelEngine engine, Consumer<ModelSession> onOpened) {
        this.engine = engine;
        this.onOpened = onOpened;
    }

    @Override
    public QualityProbe probe(InstalledSlot candidate) throws BundleOpenException {
        ModelSession session = engine.open(candidate);
        try {
            HealthProbe probe = candidate.manifest().getProbe();
            String scheduleId = probe.getScheduleId().isEmpty() ? session.defaultScheduleId() : probe.getScheduleId();
            C2fPlan plan = session.schedules().get(scheduleId);
            if (plan == null) {
                throw new BundleOpenException("probe schedule '" + scheduleId + "' is not in the bundle");
            }
            ImageBatch image;
            try {
                image = new C2fExecutor(session.denoiser(), session.noiseSchedule())
                        .run(plan, new long[] {probe.getSeed()}).images();
            } catch (DenoiserException e) {
                throw new BundleOpenException(e.getMessage(), e);
            }
            QualityProbe.Builder result = QualityProbe.newBuilder().setSeed(probe.getSeed()).setScheduleId(scheduleId)
                    .setThresholdPsnrDb(probe.getMinPsnrDb());
            if (probe.getReferencePng().isEmpty()) {
                result.setPassed(true).setPsnrDb(Double.POSITIVE_INFINITY);
            } else {
                ImageBatch reference = PngImages.decode(probe.getReferencePng().toByteArray());
                double mse = ImageMetrics.mse8(image, 0, reference, 0);
                double psnr = ImageMetrics.psnr8(mse);
                result.setMse(mse).setPsnrDb(psnr).setPassed(psnr >= probe.getMinPsnrDb());
            }
            QualityProbe done = result.build();
            if (done.getPassed()) {
                onOpened.accept(session);
            } else {
                session.close();
            }
            return done;
        } catch (BundleOpenException | RuntimeException | LinkageError e) {
            session.close();
            throw e;
        }
    }
}
