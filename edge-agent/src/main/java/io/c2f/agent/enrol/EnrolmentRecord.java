package io.c2f.agent.enrol;

import java.util.Objects;

/**
 * What a device keeps of its enrolment: the id it asked for, the request (reused unchanged after a
 * restart or a lost connection, so the controller sees one claim, not two) and the credential it
 * generated, which becomes its broker password once accepted.
 *
 * @param deviceId the device id asked for
 * @param tokenId the public id of the token the request was made with
 * @param requestId the request's correlation id
 * @param credential the device's own broker password (base64url of 32 random bytes)
 * @param status where the enrolment stands
 */
public record EnrolmentRecord(String deviceId, String tokenId, String requestId, String credential, Status status) {
    /** Where an enrolment stands, as the device knows it. */
    public enum Status {
        /** Asked, no answer yet or told to wait: the token is still needed. */
        PENDING,
        /** Accepted: the credential is the device's broker password; the token is never used again. */
        ACCEPTED
    }

    public EnrolmentRecord {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(status, "status");
    }

    public EnrolmentRecord accepted() {
        return new EnrolmentRecord(deviceId, tokenId, requestId, credential, Status.ACCEPTED);
    }

    public boolean isAccepted() {
        return status == Status.ACCEPTED;
    }

    /** Never prints the credential (logs, exceptions). */
    @Override
    public String toString() {
        return "EnrolmentRecord[" + deviceId + ", token " + tokenId + ", request " + requestId + ", " + status + "]";
    }
}
