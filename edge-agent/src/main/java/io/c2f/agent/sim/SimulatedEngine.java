package io.c2f.agent.sim;

import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.agent.engine.ModelEngine;
import io.c2f.agent.engine.ModelSession;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.synthetic.SyntheticDenoiser;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.MacsAtResolution;
import io.c2f.proto.v1.Schedule;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Opens any bundle as a {@link SyntheticDenoiser}: the manifest's resolutions, MACs per forward,
 * noise schedule and schedules are honoured, the model file itself is not run. A simulated device
 * therefore installs, probes and generates like a real one, at a latency the simulator controls.
 */
public final class SimulatedEngine implements ModelEngine {
    private final LongSupplier nanosPerMegaMac;
    private final double faultRate;
    private final long faultSeed;

    public SimulatedEngine(LongSupplier nanosPerMegaMac) {
        this(nanosPerMegaMac, 0, 0);
    }

    /** @param faultRate probability that a forward pass fails (see {@link SyntheticDenoiser}) */
    public SimulatedEngine(LongSupplier nanosPerMegaMac, double faultRate, long faultSeed) {
        this.nanosPerMegaMac = nanosPerMegaMac;
        this.faultRate = faultRate;
        this.faultSeed = faultSeed;
    }

    @Override
    public ModelSession open(InstalledSlot slot) {
        return open(slot.manifest(), nanosPerMegaMac, faultRate, faultSeed);
    }

    /** The session a simulated device runs for a manifest (also how a simulator computes references). */
    public static ModelSession open(BundleManifest manifest, LongSupplier nanosPerMegaMac) {
        return open(manifest, nanosPerMegaMac, 0, 0);
    }

    private static ModelSession open(BundleManifest manifest, LongSupplier nanosPerMegaMac, double faultRate,
            long faultSeed) {
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
        return new ModelSession(manifest.getBundleId(),
                new SyntheticDenoiser(noise, macs, nanosPerMegaMac, faultRate, faultSeed), noise,
                plans, manifest.getDefaultScheduleId());
    }
}
