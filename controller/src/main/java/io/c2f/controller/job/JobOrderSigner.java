package io.c2f.controller.job;

import io.c2f.controller.signing.BundleSigningKey;
import io.c2f.proto.bundle.JobOrders;
import io.c2f.proto.v1.ApplySchedule;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobOrder;
import io.c2f.proto.v1.SignedManifest;
import java.time.Clock;
import java.time.Duration;

/**
 * Makes the job commands this controller sends: each carries a {@link JobOrder} signed with the
 * bundle-signing key, for one device of the fleet, valid {@link #VALIDITY} from the moment it is
 * sent (a re-send signs a fresh order for the same job id). Agents act only on what the order says.
 */
public final class JobOrderSigner {
    /** How long a device may take to receive an order; agents refuse it later (and remember its job id until then). */
    public static final Duration VALIDITY = Duration.ofMinutes(15);

    private final BundleSigningKey key;
    private final String fleet;
    private final Clock clock;

    public JobOrderSigner(BundleSigningKey key, String fleet, Clock clock) {
        this.key = key;
        this.fleet = fleet;
        this.clock = clock;
    }

    /** Install (or, for a ROLLBACK job, roll back to) the bundle of this signed manifest. */
    public JobCommand install(Job job, SignedManifest manifest) {
        return install(job, manifest, "");
    }

    /**
     * As {@link #install(Job, SignedManifest)}, pinning the engine the device must run the bundle on
     * ("tflite", "onnx"; "" for the device's choice). A rollback is never pinned: it restores what
     * ran before, on whatever engine opens it.
     */
    public JobCommand install(Job job, SignedManifest manifest, String engine) {
        JobOrder.Builder order = envelope(job.deviceId(), job.id())
                .setRolloutId(job.rolloutId() == null ? "" : job.rolloutId()).setStepTimeoutMs(job.stepTimeoutMs());
        boolean rollback = job.kind() == JobKind.ROLLBACK;
        return JobOrders.installCommand(order, manifest, rollback, rollback ? "" : engine, key.pair());
    }

    public JobCommand applySchedule(String deviceId, String jobId, ApplySchedule apply) {
        return JobOrders.applyScheduleCommand(envelope(deviceId, jobId), apply, key.pair());
    }

    private JobOrder.Builder envelope(String deviceId, String jobId) {
        return JobOrders.envelope(fleet, deviceId, jobId, clock.instant(), VALIDITY);
    }
}
