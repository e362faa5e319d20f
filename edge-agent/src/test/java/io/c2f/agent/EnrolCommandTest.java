package io.c2f.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.agent.enrol.Enrolment;
import io.c2f.agent.testing.FakeEnrolmentController;
import io.c2f.agent.testing.FakeEnrolmentController.Decision;
import io.c2f.proto.bundle.Ed25519Keys;
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
        return agent("enrol", "--config", config.toString(), "--token-file", tokenFile.toString());
    }

    private Outcome agent(String... args) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(javaBin, "-cp",
                System.getProperty("java.class.path"), AgentMain.class.getName()));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "enrol did not end");
        return new Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aRejectedEnrolmentExitsWithStatus3NamingTheReasonInEnrolAndRunAndAnAcceptedOneWith0() throws Exception {
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

            // run with the token in its config: the same refusal ends the agent with status 3
            Path key = dir.resolve("controller.pub");
            Files.writeString(key, Ed25519Keys.publicPem(Ed25519Keys.generate().getPublic()));
            Path running = dir.resolve("run.properties");
            Files.writeString(running, "c2f.fleet=t\nc2f.device.id=cam-3\nc2f.broker.url=" + broker.uri()
                    + "\nc2f.state.dir=state-3\nc2f.controller.public-key=controller.pub\nc2f.enrol.token-file="
                    + tokenFile + "\n");
            Outcome run = agent("run", "--config", running.toString());
            assertEquals(3, run.exit(), run.output());
            assertTrue(run.output().contains(
                    "c2f-agent: enrolment of cam-3 was rejected by the controller: not on the purchase order"), run.output());
            assertFalse(run.output().contains(token.secret()));

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
