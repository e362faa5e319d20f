package io.c2f.agent.core;

import io.c2f.agent.bundle.BundleOpenException;
import io.c2f.agent.bundle.BundleStore;
import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.agent.bundle.Slot;
import io.c2f.agent.engine.ModelEngine;
import io.c2f.agent.engine.ModelSession;
import io.c2f.agent.fs.AtomicFiles;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.proto.v1.InstalledBundle;
import io.c2f.proto.v1.Schedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model the device runs: loads the active bundle at boot (falling back to the other slot when
 * the active one cannot run), keeps the schedule the controller applied across restarts, keeps the
 * session a health probe opened warm, and switches to it once its slot is activated.
 */
final class BundleSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BundleSession.class);

    private final String deviceId;
    private final ModelEngine engine;
    private final BundleStore store;
    private final Path appliedScheduleFile;
    private final AtomicReference<ModelSession> current = new AtomicReference<>();
    private final AtomicReference<String> appliedSchedule = new AtomicReference<>();
    /** The session the health probe opened, to switch to it without loading twice. */
    private final AtomicReference<ModelSession> staged = new AtomicReference<>();
    /** Why no session runs although a bundle is installed (null when one runs or none is installed). */
    private volatile String unusable;
    /**
     * What the active slot holds, for births and heartbeats: read (and verified) at boot and set at
     * each activation, the only times the active pointer moves. Re-verifying the slot at every
     * heartbeat hashed the whole model every 10 s (7 MB for the shipped one; a simulator's fleet of
     * such devices spent its CPU on it).
     */
    private volatile Optional<InstalledBundle> installed;

    /** Opens what the store holds (nothing when no bundle is installed or none can run). */
    BundleSession(String deviceId, Path stateDir, ModelEngine engine, BundleStore store) {
        this.deviceId = deviceId;
        this.engine = engine;
        this.store = store;
        this.appliedScheduleFile = stateDir.resolve("schedule/applied.pb");
        loadActiveBundle();
        loadAppliedSchedule();
        this.installed = readInstalled();
    }

    /** The running model, or null while none is installed. */
    ModelSession current() {
        return current.get();
    }

    /**
     * What a request finds when no model runs: nothing installed yet, or an installed bundle that
     * cannot run on this device (e.g. pinned to an engine whose natives this platform lacks).
     */
    String whyNoModel() {
        String why = unusable;
        return why != null ? why : "no model bundle is installed on this device yet";
    }

    /** The device's default schedule for a session: the applied one if the session has it, else the bundle's. */
    String defaultScheduleId(ModelSession s) {
        String applied = appliedSchedule.get();
        return applied != null && s.schedules().containsKey(applied) ? applied : s.defaultScheduleId();
    }

    private void loadActiveBundle() {
        try {
            Optional<Slot> active = store.activeSlot();
            if (active.isEmpty()) {
                LOG.info("{}: no bundle installed yet", deviceId);
                return;
            }
            String activeFailure = null;
            for (Slot slot : List.of(active.get(), active.get().other())) {
                try {
                    InstalledSlot installed = store.load(slot);
                    current.set(engine.open(installed));
                    if (slot != active.get()) {
                        LOG.warn("{}: active slot {} is unusable, running slot {}", deviceId, active.get().id(),
                                slot.id());
                        store.activate(slot);
                    }
                    return;
                } catch (IOException | BundleOpenException | RuntimeException e) {
                    LOG.error("{}: slot {} cannot run: {}", deviceId, slot.id(), e.getMessage());
                    if (activeFailure == null) {
                        activeFailure = e.getMessage();
                    }
                }
            }
            unusable = "the installed bundle (slot " + active.get().id() + ") cannot run on this device: "
                    + activeFailure;
        } catch (IOException e) {
            LOG.error("{}: cannot read the bundle store: {}", deviceId, e.getMessage());
        }
    }

    private void loadAppliedSchedule() {
        ModelSession s = current.get();
        if (!Files.exists(appliedScheduleFile) || s == null) {
            return;
        }
        try {
            use(s, Schedule.parseFrom(Files.readAllBytes(appliedScheduleFile)));
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: ignoring the stored schedule: {}", deviceId, e.getMessage());
        }
    }

    /**
     * Makes a schedule the default of the running session and stores it for the next start.
     *
     * @throws IllegalArgumentException when the schedule does not fit the model (nothing changes)
     * @throws IOException when it is in use but could not be stored
     */
    void apply(ModelSession s, Schedule schedule) throws IOException {
        use(s, schedule);
        AtomicFiles.write(appliedScheduleFile, schedule.toByteArray());
    }

    private void use(ModelSession s, Schedule schedule) {
        C2fPlan plan = C2fPlan.fromProto(schedule);
        plan.validateFor(s.noiseSchedule().trainTimesteps(), s.denoiser().resolutions());
        Map<String, C2fPlan> plans = new HashMap<>(s.schedules());
        plans.put(schedule.getScheduleId(), plan);
        current.set(s.withSchedules(plans));
        appliedSchedule.set(schedule.getScheduleId());
    }

    /** What the active slot holds, as reported in births and heartbeats. */
    Optional<InstalledBundle> installed() {
        return installed;
    }

    private Optional<InstalledBundle> readInstalled() {
        try {
            Optional<Slot> slot = store.activeSlot();
            if (slot.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(describe(store.load(slot.get())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static InstalledBundle describe(InstalledSlot s) {
        return InstalledBundle.newBuilder().setBundleId(s.manifest().getBundleId())
                .setVersion(s.manifest().getVersion()).setModelSha256(s.manifest().getModel().getModelSha256())
                .setSlot(s.slot().id()).build();
    }

    /** Keeps the session a passed health probe opened (closing any earlier one). */
    void stage(ModelSession probed) {
        ModelSession old = staged.getAndSet(probed);
        if (old != null) {
            old.close();
        }
    }

    /** The slot is now active: runs its staged session (or opens it) and drops the applied schedule. */
    void activated(InstalledSlot slot) {
        ModelSession next = staged.getAndSet(null);
        if (next == null) {
            try {
                next = engine.open(slot);
            } catch (BundleOpenException | RuntimeException e) {
                throw new IllegalStateException("activated slot " + slot.slot().id() + " cannot be opened", e);
            }
        }
        appliedSchedule.set(null); // a new bundle brings its own default schedule
        unusable = null;
        installed = Optional.of(describe(slot));
        ModelSession old = current.getAndSet(next);
        if (old != null) {
            old.close();
        }
        try {
            Files.deleteIfExists(appliedScheduleFile);
        } catch (IOException e) {
            LOG.warn("{}: cannot remove the old applied schedule: {}", deviceId, e.getMessage());
        }
    }

    @Override
    public void close() {
        ModelSession s = current.getAndSet(null);
        if (s != null) {
            s.close();
        }
    }
}
