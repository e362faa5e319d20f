package io.c2f.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.agent.enrol.Enrolment;
import io.c2f.agent.testing.FakeEnrolmentController;
import io.c2f.agent.testing.FakeEnrolmentController.Decision;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.testing.MosquittoBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code c2f-agent enrol} as a process: its exit status and what it prints. */
class EnrolCommandTest {
    @TempDir
    Path dir;

    private record Outcome(int exit, String output) {
    }

    private Outcome enrol(Path config, Path tokenFile) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), AgentMain.class.getName(),
                "enrol", "--config", config.toString(), "--token-file", tokenFile.toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "enrol did not end");
        return new Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aRejectedEnrolmentExitsWithStatus3NamingTheReasonAndAnAcceptedOneWith0() throws Exception {
        assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        EnrolmentToken token = EnrolmentToken.generate("tok1", new SecureRandom());
        Path tokenFile = dir.resolve("enrol.token");
        Files.writeString(tokenFile, token.text() + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("broker"));
                FakeEnrolmentController controller = new FakeEnrolmentController(broker.uri(), "ctl", "-", "t", token)) {
            Path rejected = dir.resolve("rejected.properties");
            Files.writeString(rejected, "c2f.fleet=t\nc2f.device.id=cam-1\nc2f.broker.url=" + broker.uri()
                    + "\nc2f.state.dir=state-1\n");
            controller.policy(r -> Decision.rejected("not on the purchase order"));
            Outcome no = enrol(rejected, tokenFile);
            assertEquals(3, no.exit(), no.output());
            assertTrue(no.output().contains(
                    "c2f-agent: enrolment of cam-1 was rejected by the controller: not on the purchase order"), no.output());
            assertFalse(no.output().contains(token.secret()), "the token's secret is never printed");

            Path accepted = dir.resolve("accepted.properties");
            Files.writeString(accepted, "c2f.fleet=t\nc2f.device.id=cam-2\nc2f.broker.url=" + broker.uri()
                    + "\nc2f.state.dir=state-2\n");
            controller.policy(r -> Decision.accepted());
            Outcome yes = enrol(accepted, tokenFile);
            assertEquals(0, yes.exit(), yes.output());
            assertTrue(yes.output().contains("cam-2 enrolled"), yes.output());
            assertTrue(Files.readString(dir.resolve("state-2").resolve(Enrolment.FILE)).contains("status=ACCEPTED"));
            assertFalse(yes.output().contains(token.secret()));
        }
    }
}
