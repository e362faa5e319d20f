package io.c2f.controller.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.c2f.controller.signing.BundleSigningKey;
import io.c2f.proto.bundle.JobOrders;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.SignedManifest;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollout's engine pin travels inside the signed order, never in an unsigned copy. */
class JobOrderSignerTest {
    @TempDir
    Path dir;

    @Test
    void anInstallCarriesTheRolloutsPinSignedAndARollbackNone() throws Exception {
        BundleSigningKey key = BundleSigningKey.loadOrCreate(dir);
        SignedManifest manifest = ManifestSigning.sign(BundleManifest.newBuilder().setBundleId("b-1.0.0")
                .setVersion("1.0.0").build(), key.pair());
        JobOrderSigner signer = new JobOrderSigner(key, "lab", Clock.systemUTC());
        Job install = Job.queued("j1", "r1", 0, "rpi-1", JobKind.INSTALL, "b-1.0.0", null, 1000, 2000, 0);
        JobCommand cmd = signer.install(install, manifest, "onnx");
        assertEquals("onnx", JobOrders.verify(cmd.getOrder(), key.pair().getPublic()).getInstallBundle().getEngine());
        Job rollback = Job.queued("j2", "r1", null, "rpi-1", JobKind.ROLLBACK, "b-1.0.0", null, 1000, 2000, 0);
        assertEquals("", JobOrders.verify(signer.install(rollback, manifest, "onnx").getOrder(),
                key.pair().getPublic()).getInstallBundle().getEngine(), "a rollback restores on any engine");
    }
}
