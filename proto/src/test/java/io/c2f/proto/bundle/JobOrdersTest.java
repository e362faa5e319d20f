package io.c2f.proto.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobOrder;
import io.c2f.proto.v1.SignedJobOrder;
import io.c2f.proto.v1.SignedManifest;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Signed job orders: what verifies, and that nothing else (altered, another key, a manifest) passes as one. */
class JobOrdersTest {
    private static final KeyPair KEY = Ed25519Keys.generate();
    private static final Instant NOW = Instant.parse("2026-12-02T07:00:00Z");

    private static SignedManifest manifest() {
        return ManifestSigning.sign(BundleManifest.newBuilder().setBundleId("unet-s").setVersion("1.2.0").build(), KEY);
    }

    @Test
    void aSignedInstallCommandVerifiesAndNamesTheExactManifestAndTheRollback() throws Exception {
        SignedManifest m = manifest();
        JobCommand cmd = JobOrders.installCommand(JobOrders.envelope("lab", "rpi-1", "job-1", NOW, Duration.ofMinutes(15))
                .setRolloutId("r-1").setStepTimeoutMs(60_000), m, true, KEY);
        JobOrder order = JobOrders.verify(cmd.getOrder(), KEY.getPublic());
        assertEquals("rpi-1", order.getDeviceId());
        assertEquals("lab", order.getFleet());
        assertEquals("job-1", order.getJobId());
        assertEquals(NOW.plus(Duration.ofMinutes(15)).toEpochMilli(), order.getExpiresAtMs());
        assertEquals(Sha256.hex(m.getManifest().toByteArray()), order.getInstallBundle().getManifestSha256());
        assertEquals("1.2.0", order.getInstallBundle().getVersion());
        assertTrue(order.getInstallBundle().getRollback());
        assertEquals(m, cmd.getInstallBundle().getManifest());
        assertEquals("job-1", cmd.getJobId());
    }

    @Test
    void anAlteredOrderAnotherKeyOrAManifestSignatureDoNotVerify() {
        JobCommand cmd = JobOrders.installCommand(JobOrders.envelope("lab", "rpi-1", "job-1", NOW, Duration.ofMinutes(15)),
                manifest(), false, KEY);
        JobOrder altered = parse(cmd.getOrder()).toBuilder()
                .setInstallBundle(parse(cmd.getOrder()).getInstallBundle().toBuilder().setRollback(true)).build();
        SignedJobOrder tampered = cmd.getOrder().toBuilder().setOrder(altered.toByteString()).build();
        BundleVerificationException e = assertThrows(BundleVerificationException.class,
                () -> JobOrders.verify(tampered, KEY.getPublic()));
        assertTrue(e.getMessage().contains("job order signature does not verify"), e.getMessage());

        KeyPair other = Ed25519Keys.generate();
        assertThrows(BundleVerificationException.class, () -> JobOrders.verify(
                JobOrders.sign(parse(cmd.getOrder()), other), KEY.getPublic()));

        // a manifest's bytes and signature (the controller signs those too) are no order
        SignedManifest m = ManifestSigning.sign(BundleManifest.newBuilder().setBundleId("job-9").build(), KEY);
        assertThrows(BundleVerificationException.class, () -> JobOrders.verify(SignedJobOrder.newBuilder()
                .setOrder(m.getManifest()).setSignature(m.getSignature()).build(), KEY.getPublic()));
        // nor the other way round
        assertThrows(BundleVerificationException.class, () -> ManifestSigning.verify(SignedManifest.newBuilder()
                .setManifest(cmd.getOrder().getOrder()).setSignature(cmd.getOrder().getSignature()).build(),
                KEY.getPublic()));
        assertThrows(BundleVerificationException.class, () -> JobOrders.verify(cmd.getOrder().toBuilder()
                .setOrder(ByteString.EMPTY).build(), KEY.getPublic()));
    }

    private static JobOrder parse(SignedJobOrder s) {
        try {
            return JobOrder.parseFrom(s.getOrder());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
