package io.c2f.agent.job;

import io.c2f.proto.bundle.BundleVerificationException;
import io.c2f.proto.bundle.JobOrders;
import io.c2f.proto.bundle.Sha256;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobOrder;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides whether the device acts on a job command: only on a {@link JobOrder} signed with the
 * controller's key, for this device and fleet, not expired, whose job id it has not accepted
 * before (or accepted and not finished: a job a restart interrupted continues), and, for an
 * install, whose named manifest is the one the command carries. The admitted order is recorded
 * in {@link AcceptedJobs} before anything happens; from then on only the order counts.
 */
public final class JobOrderGate {
    /** Longest validity an order may claim: bounds how long its job id must be remembered. */
    static final Duration MAX_VALIDITY = Duration.ofDays(1);

    private final PublicKey controllerKey;
    private final String fleet;
    private final String deviceId;
    private final AcceptedJobs accepted;
    private final Clock clock;

    public JobOrderGate(PublicKey controllerKey, String fleet, String deviceId, AcceptedJobs accepted, Clock clock) {
        this.controllerKey = controllerKey;
        this.fleet = fleet;
        this.deviceId = deviceId;
        this.accepted = accepted;
        this.clock = clock;
    }

    /**
     * @return the verified order to act on (nothing else of the command but an install's manifest)
     * @throws OrderRefusedException with the code, field and reason to answer
     */
    public JobOrder admit(JobCommand cmd) throws OrderRefusedException {
        if (!cmd.hasOrder()) {
            throw new OrderRefusedException(ErrorCode.ERROR_CODE_UNAUTHORIZED, "order", "job " + cmd.getJobId()
                    + " carries no signed order: this agent acts only on job orders signed by the controller's key");
        }
        JobOrder order;
        try {
            order = JobOrders.verify(cmd.getOrder(), controllerKey);
        } catch (BundleVerificationException e) {
            throw new OrderRefusedException(ErrorCode.ERROR_CODE_VERIFICATION_FAILED, "order.signature", e.getMessage());
        }
        if (!order.getDeviceId().equals(deviceId)) {
            throw new OrderRefusedException(ErrorCode.ERROR_CODE_UNAUTHORIZED, "order.device_id", "order is for device '"
                    + order.getDeviceId() + "', this is '" + deviceId + "'");
        }
        if (!order.getFleet().equals(fleet)) {
            throw new OrderRefusedException(ErrorCode.ERROR_CODE_UNAUTHORIZED, "order.fleet", "order is for fleet '"
                    + order.getFleet() + "', this device is in '" + fleet + "'");
        }
        if (!order.getJobId().equals(cmd.getJobId()) || order.getJobId().isEmpty()) {
            throw new OrderRefusedException(ErrorCode.ERROR_CODE_INVALID_ARGUMENT, "job_id", "command job id '"
                    + cmd.getJobId() + "' is not the signed order's '" + order.getJobId() + "'");
        }
        long now = clock.millis();
        if (order.getExpiresAtMs() <= order.getIssuedAtMs()
                || order.getExpiresAtMs() - order.getIssuedAtMs() > MAX_VALIDITY.toMillis()) {
            throw new OrderRefusedException(ErrorCode.ERROR_CODE_INVALID_ARGUMENT, "order.expires_at_ms",
                    "order of job " + order.getJobId() + " must expire after it is issued and within " + MAX_VALIDITY);
        }
        if (now > order.getExpiresAtMs()) {
            throw new OrderRefusedException(ErrorCode.ERROR_CODE_UNAUTHORIZED, "order.expires_at_ms", "order of job "
                    + order.getJobId() + " expired at " + Instant.ofEpochMilli(order.getExpiresAtMs()) + " (now "
                    + Instant.ofEpochMilli(now) + ")");
        }
        Optional<AcceptedJobs.Entry> earlier = accepted.find(order.getJobId());
        if (earlier.isPresent() && earlier.get().outcome().isPresent()) {
            throw new OrderRefusedException(ErrorCode.ERROR_CODE_UNAUTHORIZED, "job_id", "job " + order.getJobId()
                    + " was accepted and finished before: a repeated order is not acted on again",
                    earlier.get().outcome());
        }
        switch (order.getActionCase()) {
            case INSTALL_BUNDLE -> {
                String named = order.getInstallBundle().getManifestSha256();
                String carried = Sha256.hex(cmd.getInstallBundle().getManifest().getManifest().toByteArray());
                if (!cmd.hasInstallBundle() || !carried.equalsIgnoreCase(named)) {
                    throw new OrderRefusedException(ErrorCode.ERROR_CODE_VERIFICATION_FAILED,
                            "install_bundle.manifest", "the manifest the command carries is not the one the signed "
                                    + "order of job " + order.getJobId() + " names ("
                                    + order.getInstallBundle().getBundleId() + " " + order.getInstallBundle().getVersion()
                                    + ")");
                }
            }
            case APPLY_SCHEDULE, CANCEL -> {
            }
            case ACTION_NOT_SET -> throw new OrderRefusedException(ErrorCode.ERROR_CODE_INVALID_ARGUMENT,
                    "order.action", "signed order of job " + order.getJobId() + " carries no action");
        }
        try {
            accepted.accept(order.getJobId(), order.getExpiresAtMs());
        } catch (IOException e) {
            throw new OrderRefusedException(ErrorCode.ERROR_CODE_INTERNAL, "", "cannot record job " + order.getJobId()
                    + " as accepted, so not acting on it: " + e.getMessage());
        }
        return order;
    }
}
