package io.c2f.agent.engine;

import io.c2f.agent.bundle.BundleOpenException;
import io.c2f.proto.v1.DelegateInfo;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * No link of the engine chain opens the bundle; the reason is typed so the controller and the
 * operator can tell a pin that cannot be honoured from a bundle nothing here runs.
 */
public final class EngineRefusedException extends BundleOpenException {
    public enum Reason {
        /** The pinned engine has no link in this agent's chain. */
        PINNED_ENGINE_NOT_IN_CHAIN,
        /** Every link of the pinned engine refused the bundle. */
        PINNED_ENGINE_CANNOT_OPEN,
        /** No pin, and every link refused the bundle. */
        NO_LINK_OPENS
    }

    private final Reason reason;
    private final List<DelegateInfo> outcomes;

    public EngineRefusedException(Reason reason, String message, List<DelegateInfo> outcomes) {
        super(message + (outcomes.isEmpty() ? "" : ": " + describe(outcomes)));
        this.reason = reason;
        this.outcomes = List.copyOf(outcomes);
    }

    private static String describe(List<DelegateInfo> outcomes) {
        return outcomes.stream().map(o -> o.getName() + " " + o.getStatus().name()
                .substring("DELEGATE_STATUS_".length()).toLowerCase(Locale.ROOT) + ": " + o.getReason())
                .collect(Collectors.joining("; "));
    }

    public Reason reason() {
        return reason;
    }

    /** What each link did. */
    public List<DelegateInfo> outcomes() {
        return outcomes;
    }

    @Override
    public String refusal() {
        return reason.name().toLowerCase(Locale.ROOT);
    }
}
