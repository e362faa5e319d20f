package io.c2f.agent.engine;

import io.c2f.proto.bundle.ModelEngines;

import io.c2f.agent.bundle.BundleOpenException;
import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.DelegateInfo;
import io.c2f.proto.v1.DelegateStatus;
import io.c2f.proto.v1.Schedule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's engine: ordered {@link EngineLink}s (engine + delegate, e.g. tflite-gpu, onnx-cuda,
 * tflite-xnnpack, onnx-cpu, tflite-cpu) tried one after another until one opens the bundle, the
 * shape of the TFLite delegate chain one level up. Every link says why it ran or passed.
 *
 * <p>An engine can be pinned: by the device ({@code c2f.engine}) or by the rollout that installed
 * the bundle (the signed {@code InstallOrder.engine}, kept with the slot), the rollout's pin
 * winning. Links of other engines are then skipped, and if no link of the pinned engine opens
 * the bundle the chain refuses it ({@link EngineRefusedException}) instead of falling back.
 */
public final class EngineChain implements ModelEngine {
    public static final String TFLITE = ModelEngines.TFLITE;
    public static final String ONNX = ModelEngines.ONNX;
    public static final Set<String> ENGINES = Set.of(TFLITE, ONNX);

    private final List<EngineLink> links;
    private final String devicePin;

    /**
     * @param links tried in order; names unique
     * @param devicePin the device's pinned engine, or "" for none
     */
    public EngineChain(List<EngineLink> links, String devicePin) {
        if (links.isEmpty()) {
            throw new IllegalArgumentException("an engine chain needs at least one link");
        }
        Set<String> names = new HashSet<>();
        for (EngineLink l : links) {
            if (!names.add(l.name())) {
                throw new IllegalArgumentException("engine chain names link \"" + l.name() + "\" twice");
            }
        }
        requireEngineOrEmpty(devicePin, "c2f.engine");
        this.links = List.copyOf(links);
        this.devicePin = devicePin;
    }

    /** Checks a pin value; "" means no pin. */
    public static void requireEngineOrEmpty(String pin, String what) {
        if (!pin.isEmpty() && !ENGINES.contains(pin)) {
            throw new IllegalArgumentException(what + " \"" + pin + "\" is not an engine; use one of " + ENGINES
                    + " or leave it empty");
        }
    }

    public List<EngineLink> links() {
        return links;
    }

    /** The link names, comma-separated (the c2f.engine.chain spec of this chain). */
    public String spec() {
        return String.join(",", links.stream().map(EngineLink::name).toList());
    }

    @Override
    public ModelSession open(InstalledSlot slot) throws BundleOpenException {
        String rolloutPin = slot.enginePin();
        String pin = rolloutPin.isEmpty() ? devicePin : rolloutPin;
        String pinnedBy = rolloutPin.isEmpty() ? "the device (c2f.engine)" : "the rollout";
        if (!pin.isEmpty() && links.stream().noneMatch(l -> l.engine().equals(pin))) {
            throw new EngineRefusedException(EngineRefusedException.Reason.PINNED_ENGINE_NOT_IN_CHAIN,
                    "engine " + pin + " is pinned by " + pinnedBy + " but this agent's engine chain ("
                            + spec() + ") has no " + pin + " link", List.of());
        }
        List<DelegateInfo> outcomes = new ArrayList<>();
        for (int i = 0; i < links.size(); i++) {
            EngineLink link = links.get(i);
            if (!pin.isEmpty() && !link.engine().equals(pin)) {
                outcomes.add(info(link, DelegateStatus.DELEGATE_STATUS_UNAVAILABLE,
                        "skipped: engine " + pin + " is pinned by " + pinnedBy));
                continue;
            }
            Denoiser denoiser;
            try {
                denoiser = link.open(slot);
            } catch (LinkRefusedException e) {
                outcomes.add(info(link, e.status(), e.getMessage()));
                continue;
            } catch (RuntimeException | LinkageError e) {
                outcomes.add(info(link, DelegateStatus.DELEGATE_STATUS_FAILED,
                        "open failed: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
                continue;
            }
            outcomes.add(info(link, DelegateStatus.DELEGATE_STATUS_ACTIVE, "opened the bundle's model ("
                    + denoiser.engine() + ")"));
            for (EngineLink rest : links.subList(i + 1, links.size())) {
                if (!pin.isEmpty() && !rest.engine().equals(pin)) {
                    outcomes.add(info(rest, DelegateStatus.DELEGATE_STATUS_UNAVAILABLE,
                            "skipped: engine " + pin + " is pinned by " + pinnedBy));
                    continue;
                }
                Optional<String> why = rest.unavailableReason(slot);
                outcomes.add(why.isPresent()
                        ? info(rest, DelegateStatus.DELEGATE_STATUS_UNAVAILABLE, why.get())
                        : info(rest, DelegateStatus.DELEGATE_STATUS_AVAILABLE, "not tried: " + link.name()
                                + " is active"));
            }
            return session(slot.manifest(), denoiser, outcomes);
        }
        String label = "bundle " + slot.manifest().getBundleId() + " " + slot.manifest().getVersion();
        if (pin.isEmpty()) {
            throw new EngineRefusedException(EngineRefusedException.Reason.NO_LINK_OPENS,
                    "no link of the engine chain opens " + label, outcomes);
        }
        throw new EngineRefusedException(EngineRefusedException.Reason.PINNED_ENGINE_CANNOT_OPEN,
                "engine " + pin + " is pinned by " + pinnedBy + " and none of its links opens " + label,
                outcomes.stream().filter(o -> o.getEngine().equals(pin)).toList());
    }

    private static ModelSession session(BundleManifest m, Denoiser denoiser, List<DelegateInfo> outcomes) {
        try {
            Map<String, C2fPlan> plans = new HashMap<>();
            for (Schedule s : m.getSchedulesList()) {
                plans.put(s.getScheduleId(), C2fPlan.fromProto(s));
            }
            NoiseSchedule noise = NoiseSchedule.fromSpec(m.getModel().getNoiseSchedule());
            for (C2fPlan plan : plans.values()) {
                plan.validateFor(noise.trainTimesteps(), denoiser.resolutions());
            }
            return new ModelSession(m.getBundleId(), denoiser, noise, plans, m.getDefaultScheduleId(), outcomes);
        } catch (RuntimeException | LinkageError e) {
            denoiser.close();
            throw e;
        }
    }

    private static DelegateInfo info(EngineLink link, DelegateStatus status, String reason) {
        return DelegateInfo.newBuilder().setName(link.name()).setEngine(link.engine()).setStatus(status)
                .setReason(reason).build();
    }

    @Override
    public String toString() {
        return "EngineChain[" + spec() + (devicePin.isEmpty() ? "" : ", pinned " + devicePin) + "]";
    }
}
