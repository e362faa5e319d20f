package io.c2f.agent.sim;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.bundle.Sha256;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.MacsAtResolution;
import io.c2f.proto.v1.Schedule;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What simulated devices that installed the same bundle share: its model (noise schedule, MACs per
 * resolution) and its schedules, opened once per manifest and kept for the simulator's life. The
 * key is the sha256 of the verified manifest's bytes, which name every file's sha256 (the model's
 * among them) and carry the schedules, so two devices share a model only when they installed the
 * same signed contents. What stays per device is the small part that must: its speed and its fault
 * draws ({@link io.c2f.models.synthetic.SyntheticDenoiser}), and the schedule the controller applied.
 */
public final class SharedModels {
    /** One opened bundle. */
    record Model(NoiseSchedule noise, Map<Resolution, Long> macs, Map<String, C2fPlan> plans) {
    }

    private final Map<String, Model> models = new ConcurrentHashMap<>();
    private final AtomicLong opened = new AtomicLong();

    /** The shared model of a manifest, opened now if no device opened it before. */
    Model of(BundleManifest manifest) {
        return models.computeIfAbsent(Sha256.hex(manifest.toByteArray()), k -> open(manifest));
    }

    private Model open(BundleManifest manifest) {
        Map<Resolution, Long> macs = new HashMap<>();
        for (MacsAtResolution m : manifest.getModel().getMacsPerForwardList()) {
            macs.put(new Resolution(m.getResolution().getHeight(), m.getResolution().getWidth()), m.getMacs());
        }
        if (macs.isEmpty()) {
            throw new IllegalArgumentException("bundle " + manifest.getBundleId() + " lists no resolutions");
        }
        NoiseSchedule noise = NoiseSchedule.fromSpec(manifest.getModel().getNoiseSchedule());
        Map<String, C2fPlan> plans = new HashMap<>();
        for (Schedule s : manifest.getSchedulesList()) {
            plans.put(s.getScheduleId(), C2fPlan.fromProto(s));
        }
        opened.incrementAndGet();
        return new Model(noise, Map.copyOf(macs), Map.copyOf(plans));
    }

    /** How many times a model was opened (once per distinct bundle, however many devices installed it). */
    public long opened() {
        return opened.get();
    }

    /** Distinct bundles held. */
    public int size() {
        return models.size();
    }
}
