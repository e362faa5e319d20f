package io.c2f.models.tflite;

import io.c2f.proto.v1.DelegateInfo;
import io.c2f.proto.v1.DelegateStatus;
import java.util.List;
import java.util.Objects;

/** What one link of the chain did when the model was opened, and why. */
public record LinkOutcome(String name, Status status, String reason) {
    public enum Status {
        /** Runs the model. */
        ACTIVE,
        /** Looks usable but was not tried: an earlier link won. */
        AVAILABLE,
        /** Not present here (library or symbol missing). */
        UNAVAILABLE,
        /** Present, but failed to load or to run the model. */
        FAILED
    }

    public LinkOutcome {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
    }

    public DelegateInfo toProto() {
        return DelegateInfo.newBuilder().setName(name).setStatus(switch (status) {
            case ACTIVE -> DelegateStatus.DELEGATE_STATUS_ACTIVE;
            case AVAILABLE -> DelegateStatus.DELEGATE_STATUS_AVAILABLE;
            case UNAVAILABLE -> DelegateStatus.DELEGATE_STATUS_UNAVAILABLE;
            case FAILED -> DelegateStatus.DELEGATE_STATUS_FAILED;
        }).setReason(reason).build();
    }

    public static List<DelegateInfo> toProto(List<LinkOutcome> outcomes) {
        return outcomes.stream().map(LinkOutcome::toProto).toList();
    }

    @Override
    public String toString() {
        return name + " " + status + ": " + reason;
    }
}
