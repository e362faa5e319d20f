package io.c2f.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.agent.testing.SyntheticBundles;
import io.c2f.agent.testing.TestController;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.JobStep;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent process is killed (SIGKILL) in the middle of a bundle download; restarted, it resumes
 * with only the missing chunks and never runs a half-written bundle.
 */
class AgentKillTest {
    @TempDir
    Path dir;

    private Process startAgent(String brokerUri, Path key, Path state) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), AgentMain.class.getName(),
                "simulate", "--broker", brokerUri, "--fleet", "t", "--devices", "1", "--prefix", "kill",
                "--controller-key", key.toString(), "--state", state.toString(), "--speed", "0")
                .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile()).start();
    }

    @Test
    void aKilledInstallResumesAndNeverRunsAHalfWrittenBundle() throws Exception {
        assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        KeyPair key = Ed25519Keys.generate();
        Path keyFile = dir.resolve("controller.pub");
        Files.writeString(keyFile, Ed25519Keys.publicPem(key.getPublic()));
        Path state = dir.resolve("state");
        BundleManifest.Builder m = SyntheticBundles.manifest("1.0.0");
        byte[] model = new byte[120 * 1024];
        new SplittableRandom(1).nextBytes(model);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.tflite", model);
        BundlePayload payload = BundlePayload.pack(files, 2048, m);
        JobCommand job = JobCommand.newBuilder().setJobId("install-1").setInstallBundle(
                InstallBundle.newBuilder().setManifest(ManifestSigning.sign(m.build(), key))).build();
        Duration wait = Duration.ofSeconds(30);
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("broker"));
             TestController controller = new TestController(broker.uri(), "t")) {
            controller.serveBundle("synthetic", payload);
            controller.chunkDelay(40); // about 25 chunks a second: the kill lands mid-download
            Process agent = startAgent(broker.uri(), keyFile, state);
            try {
                controller.await(in -> in.address().channel() == Channel.BIRTH, wait);
                controller.sendJob(key, "kill-0000", job);
                controller.await(in -> in.address().channel() == Channel.JOB_STATUS
                        && in.as(JobStatusUpdate.class).getStep() == JobStep.JOB_STEP_DOWNLOADING
                        && in.as(JobStatusUpdate.class).getProgressPercent() >= 20, wait);
            } finally {
                agent.destroyForcibly().waitFor();
            }
            Path deviceState = state.resolve("kill-0000");
            long stored;
            try (Stream<Path> chunks = Files.list(deviceState.resolve("downloads/synthetic"))) {
                stored = chunks.map(f -> f.getFileName().toString())
                        .filter(n -> n.startsWith("chunk-") && !n.endsWith(".tmp")).count();
            }
            assertTrue(stored > 0 && stored < payload.chunkCount(), stored + " of " + payload.chunkCount() + " chunks");
            assertFalse(Files.exists(deviceState.resolve("bundles/active")), "nothing half-installed is active");

            controller.chunkRequests().clear();
            controller.chunkDelay(0);
            Process again = startAgent(broker.uri(), keyFile, state);
            try {
                controller.await(in -> in.address().channel() == Channel.BIRTH, wait);
                controller.sendJob(key, "kill-0000", job); // the controller re-sends the pending job
                JobStatusUpdate done = controller.await(in -> in.address().channel() == Channel.JOB_STATUS
                        && in.as(JobStatusUpdate.class).getState() != JobState.JOB_STATE_IN_PROGRESS, wait)
                        .as(JobStatusUpdate.class);
                assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
                List<Integer> firstAsk = controller.chunkRequests().get(0);
                assertFalse(firstAsk.contains(0), "chunks stored before the kill are not fetched again: " + firstAsk);
                int asked = controller.chunkRequests().stream().mapToInt(List::size).sum();
                assertEquals(payload.chunkCount() - stored, asked, "exactly the missing chunks were requested");
                System.out.printf("killed after %d of %d chunks; the restarted agent fetched the other %d%n", stored,
                        payload.chunkCount(), asked);
            } finally {
                again.destroy();
                again.waitFor();
            }
            Birth birth;
            Process third = startAgent(broker.uri(), keyFile, state);
            try {
                birth = controller.await(in -> in.address().channel() == Channel.BIRTH, wait).as(Birth.class);
            } finally {
                third.destroy();
                third.waitFor();
            }
            assertEquals("synthetic", birth.getInstalled().getBundleId(), "the installed bundle survives restarts");
        } finally {
            if (Files.exists(dir.resolve("agent.log"))) {
                System.out.println(String.join(File.separator, "agent log:") + "\n"
                        + Files.readString(dir.resolve("agent.log")).lines().limit(40).reduce("", (a, b) -> a + b + "\n"));
            }
        }
    }
}
