package io.c2f.proto.bundle;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.c2f.proto.v1.ApplySchedule;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.CancelJob;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.InstallOrder;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobOrder;
import io.c2f.proto.v1.SignedJobOrder;
import io.c2f.proto.v1.SignedManifest;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;

/**
 * Signed job orders: everything a device acts on, signed with the controller's bundle-signing key
 * ({@link JobOrder}, {@link SignedJobOrder}). The signature covers {@link #CONTEXT} and the exact
 * order bytes, so a signed manifest can never pass as an order. The controller builds commands
 * here; agents check them with {@link #verify}.
 */
public final class JobOrders {
    /** Signed before the order bytes: the signature is for a job order and nothing else. */
    public static final String CONTEXT = "c2f.v1.JobOrder\n";
    private static final byte[] CONTEXT_BYTES = CONTEXT.getBytes(StandardCharsets.US_ASCII);

    private JobOrders() {
    }

    /** An order's envelope: who and when, valid from {@code now} for {@code validity}. */
    public static JobOrder.Builder envelope(String fleet, String deviceId, String jobId, Instant now, Duration validity) {
        return JobOrder.newBuilder().setFleet(fleet).setDeviceId(deviceId).setJobId(jobId)
                .setIssuedAtMs(now.toEpochMilli()).setExpiresAtMs(now.plus(validity).toEpochMilli());
    }

    /** What an install order names of a signed manifest: its id, version and the digest of its exact bytes. */
    public static InstallOrder install(SignedManifest manifest, boolean rollback) {
        return install(manifest, rollback, "");
    }

    /** As {@link #install(SignedManifest, boolean)}, pinning the engine ("" for none). */
    public static InstallOrder install(SignedManifest manifest, boolean rollback, String engine) {
        BundleManifest m;
        try {
            m = BundleManifest.parseFrom(manifest.getManifest());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("signed manifest bytes are not a BundleManifest", e);
        }
        return InstallOrder.newBuilder().setBundleId(m.getBundleId()).setVersion(m.getVersion())
                .setManifestSha256(Sha256.hex(manifest.getManifest().toByteArray())).setRollback(rollback).setEngine(engine).build();
    }

    /** The command installing {@code manifest}, with the signed order; the unsigned copies are for older readers. */
    public static JobCommand installCommand(JobOrder.Builder envelope, SignedManifest manifest, boolean rollback,
            KeyPair key) {
        return installCommand(envelope, manifest, rollback, "", key);
    }

    /** As {@link #installCommand(JobOrder.Builder, SignedManifest, boolean, KeyPair)}, pinning the engine. */
    public static JobCommand installCommand(JobOrder.Builder envelope, SignedManifest manifest, boolean rollback,
            String engine, KeyPair key) {
        JobOrder order = envelope.setInstallBundle(install(manifest, rollback, engine)).build();
        return legacy(order).setInstallBundle(InstallBundle.newBuilder().setManifest(manifest).setRollback(rollback))
                .setOrder(sign(order, key)).build();
    }

    public static JobCommand applyScheduleCommand(JobOrder.Builder envelope, ApplySchedule apply, KeyPair key) {
        JobOrder order = envelope.setApplySchedule(apply).build();
        return legacy(order).setApplySchedule(apply).setOrder(sign(order, key)).build();
    }

    public static JobCommand cancelCommand(JobOrder.Builder envelope, CancelJob cancel, KeyPair key) {
        JobOrder order = envelope.setCancel(cancel).build();
        return legacy(order).setCancel(cancel).setOrder(sign(order, key)).build();
    }

    private static JobCommand.Builder legacy(JobOrder order) {
        return JobCommand.newBuilder().setJobId(order.getJobId()).setRolloutId(order.getRolloutId())
                .setStepTimeoutMs(order.getStepTimeoutMs());
    }

    public static SignedJobOrder sign(JobOrder order, KeyPair key) {
        byte[] bytes = order.toByteArray();
        return SignedJobOrder.newBuilder().setOrder(ByteString.copyFrom(bytes))
                .setSignature(Ed25519Signatures.sign(signed(bytes), key)).build();
    }

    /**
     * Checks the signature with the trusted key and returns the order it covers. Whether the order
     * is for this device, current and new is the receiver's check.
     *
     * @throws BundleVerificationException naming what did not verify
     */
    public static JobOrder verify(SignedJobOrder signed, PublicKey trusted) throws BundleVerificationException {
        Ed25519Signatures.verify(signed(signed.getOrder().toByteArray()), signed.getSignature(), trusted, "job order");
        try {
            return JobOrder.parseFrom(signed.getOrder());
        } catch (InvalidProtocolBufferException e) {
            throw new BundleVerificationException("signed job order bytes are not a JobOrder: " + e.getMessage(), e);
        }
    }

    private static byte[] signed(byte[] order) {
        byte[] out = new byte[CONTEXT_BYTES.length + order.length];
        System.arraycopy(CONTEXT_BYTES, 0, out, 0, CONTEXT_BYTES.length);
        System.arraycopy(order, 0, out, CONTEXT_BYTES.length, order.length);
        return out;
    }
}
