package io.c2f.agent.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.agent.enrol.Enrolment;
import io.c2f.agent.testing.FakeEnrolmentController;
import io.c2f.agent.testing.FakeEnrolmentController.Decision;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.proto.v1.EnrolmentRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Simulated devices enrol with a token through the same code as a real agent. */
class SimulatedEnrolmentTest {
    @TempDir
    Path dir;

    @Test
    void simulatedDevicesEnrolWithATokenAndComeOnlineWithTheirOwnCredentials() throws Exception {
        assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        EnrolmentToken token = EnrolmentToken.generate("sim-fleet", new SecureRandom());
        int n = 4;
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("broker"));
             FakeEnrolmentController controller = new FakeEnrolmentController(broker.uri(), "ctl", "-", "t", token);
             FleetSimulator sim = new FleetSimulator(new FleetSimulator.Plan(broker.uri(), "t", "sim", n, 1000, 3, 0, 0,
                     7, dir.resolve("state")), Ed25519Keys.generate().getPublic(), DevicePasswords.none(), token)) {
            controller.policy(r -> Decision.accepted()); // an auto-accept token
            sim.start();
            for (int i = 0; i < n; i++) {
                controller.awaitBirth(String.format("sim-%04d", i), Duration.ofSeconds(30));
            }
            Set<String> credentials = controller.requests().stream().map(EnrolmentRequest::getCredential)
                    .collect(Collectors.toSet());
            assertEquals(n, credentials.size(), "one credential per device");
            assertTrue(controller.badProofs().isEmpty());
            for (int i = 0; i < n; i++) {
                String stored = Files.readString(dir.resolve("state").resolve(String.format("sim-%04d", i))
                        .resolve(Enrolment.FILE));
                assertTrue(stored.contains("status=ACCEPTED"), stored);
            }
        }
    }
}
