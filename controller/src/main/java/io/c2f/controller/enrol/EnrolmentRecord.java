package io.c2f.controller.enrol;

import java.util.List;
import java.util.Objects;

/**
 * One device's enrolment: its latest request and the decision on it.
 *
 * @param credentialHash PBKDF2 hash of the credential the device generated (DeviceCredentials' form); never the clear text
 * @param hardwareJson the request's hardware facts (protobuf JSON mapping), or null
 * @param labels "key=value": the device's own, plus the token's once accepted
 * @param reason the operator's or the controller's reason for the last decision, or null
 * @param decidedMs when it was accepted, rejected or decommissioned; null while pending
 */
public record EnrolmentRecord(String deviceId, String tokenId, String requestId, EnrolmentState state,
        String credentialHash, String agentVersion, String hardwareJson, List<String> labels, String reason,
        long requestedMs, Long decidedMs) {
    public EnrolmentRecord {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(credentialHash, "credentialHash");
        labels = List.copyOf(labels);
    }

    public EnrolmentRecord decided(EnrolmentState to, List<String> newLabels, String why, long atMs) {
        return new EnrolmentRecord(deviceId, tokenId, requestId, to, credentialHash, agentVersion, hardwareJson,
                newLabels, why, requestedMs, atMs);
    }

    /** Never prints the credential hash. */
    @Override
    public String toString() {
        return "EnrolmentRecord[" + deviceId + ", token " + tokenId + ", " + state + "]";
    }
}
