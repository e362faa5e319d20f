package io.c2f.agent.sim;

import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.agent.engine.ModelEngine;
import io.c2f.agent.engine.ModelSession;
import io.c2f.models.synthetic.SyntheticDenoiser;
import io.c2f.proto.v1.BundleManifest;
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
    private final SharedModels shared;

    public SimulatedEngine(LongSupplier nanosPerMegaMac) {
        this(nanosPerMegaMac, 0, 0);
    }

    /** @param faultRate probability that a forward pass fails (see {@link SyntheticDenoiser}) */
    public SimulatedEngine(LongSupplier nanosPerMegaMac, double faultRate, long faultSeed) {
        this(nanosPerMegaMac, faultRate, faultSeed, new SharedModels());
    }

    /** As the other constructor, taking each bundle's model from {@code shared} (one copy per bundle). */
    public SimulatedEngine(LongSupplier nanosPerMegaMac, double faultRate, long faultSeed, SharedModels shared) {
        this.nanosPerMegaMac = nanosPerMegaMac;
        this.faultRate = faultRate;
        this.faultSeed = faultSeed;
        this.shared = shared;
    }

    @Override
    public ModelSession open(InstalledSlot slot) {
        return open(shared.of(slot.manifest()), slot.manifest(), nanosPerMegaMac, faultRate, faultSeed);
    }

    /** The session a simulated device runs for a manifest (also how a simulator computes references). */
    public static ModelSession open(BundleManifest manifest, LongSupplier nanosPerMegaMac) {
        return open(new SharedModels().of(manifest), manifest, nanosPerMegaMac, 0, 0);
    }

    private static ModelSession open(SharedModels.Model model, BundleManifest manifest, LongSupplier nanosPerMegaMac,
            double faultRate, long faultSeed) {
        // the denoiser is the device's own (its speed, its fault draws); what it reads is shared
        return new ModelSession(manifest.getBundleId(),
                new SyntheticDenoiser(model.noise(), model.macs(), nanosPerMegaMac, faultRate, faultSeed),
                model.noise(), model.plans(), manifest.getDefaultScheduleId());
    }
}
