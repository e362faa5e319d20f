package io.c2f.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.c2f.agent.bundle.BundleStore;
import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.sim.SimulatedEngine;
import io.c2f.agent.testing.BrokerKind;
import io.c2f.agent.testing.SyntheticBundles;
import io.c2f.agent.testing.TcpProxy;
import io.c2f.agent.testing.TestController;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.bundle.Sha256;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.testing.RawMqttClient;
import io.c2f.proto.testing.TestBroker;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.BundleChunk;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.JobStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole agent loses its broker in the middle of a bundle download (the connection cut and
 * refused for a while, or the broker restarted): the download pauses and resumes with only the
 * chunks it lacks, the job never fails in between, and an outage longer than the agent's
 * patience fails the job with a precise error. A chunk damaged on disk while the agent was down
 * is fetched again, and forged chunks queued for the device during an outage are refused.
 *
 * <p>Runs on Mosquitto where it is installed. Moquette (the fallback) is not a reliable subject for
 * abrupt cuts: in this test it once failed the agent's reconnect with "Session Executor reached
 * exception ... increment : 0", the same fault as finding 5 of issue 13.
 */
class AgentDownloadOutageTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final KeyPair KEY = Ed25519Keys.generate();

    @TempDir
    Path dir;

    private final BundleManifest.Builder manifest = manifest();
    private final BundlePayload payload = payload(manifest);
    private final JobCommand job = JobCommand.newBuilder().setJobId("j1").setInstallBundle(
            InstallBundle.newBuilder().setManifest(ManifestSigning.sign(manifest.build(), KEY))).build();

    private static BundleManifest.Builder manifest() {
        try {
            return SyntheticBundles.manifest("1.0.0");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static BundlePayload payload(BundleManifest.Builder m) {
        byte[] model = new byte[120 * 1024];
        new SplittableRandom(1).nextBytes(model);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.tflite", model);
        return BundlePayload.pack(files, 2048, m); // about 60 chunks
    }

    private AgentConfig config(String brokerUri, String patience) throws Exception {
        Properties p = new Properties();
        p.setProperty("c2f.fleet", "t");
        p.setProperty("c2f.device.id", "dev-1");
        p.setProperty("c2f.broker.url", brokerUri);
        p.setProperty("c2f.heartbeat.interval", "500ms");
        p.setProperty("c2f.broker.keep-alive", "2s");
        p.setProperty("c2f.download.patience", patience);
        return AgentConfig.from(p, dir);
    }

    private EdgeAgent agent(AgentConfig config) throws Exception {
        return new EdgeAgent(config, new SimulatedEngine(() -> 0), KEY.getPublic(), Clock.systemUTC());
    }

    /**
     * Serves the bundle at about 25 chunks a second (so a cut lands mid-download), starts the agent,
     * sends it the job and waits until a fifth of the bundle is downloaded.
     */
    private void startSlowDownload(TestController controller, EdgeAgent agent) throws Exception {
        controller.serveBundle("synthetic", payload);
        controller.chunkDelay(40);
        agent.start();
        controller.await(in -> in.address().channel() == Channel.BIRTH, WAIT);
        controller.sendJob(KEY, "dev-1", job);
        controller.await(in -> downloading(in, 20), WAIT);
    }

    private static boolean isJob(Inbound in) {
        return in.address().channel() == Channel.JOB_STATUS && in.as(JobStatusUpdate.class).getJobId().equals("j1");
    }

    private static boolean downloading(Inbound in, int atLeastPercent) {
        return isJob(in) && in.as(JobStatusUpdate.class).getStep() == JobStep.JOB_STEP_DOWNLOADING
                && in.as(JobStatusUpdate.class).getProgressPercent() >= atLeastPercent;
    }

    private static JobStatusUpdate finalStatus(TestController controller) throws InterruptedException {
        return controller.await(in -> isJob(in)
                && in.as(JobStatusUpdate.class).getState() != JobState.JOB_STATE_IN_PROGRESS, WAIT)
                .as(JobStatusUpdate.class);
    }

    private static List<JobStatusUpdate> statuses(TestController controller) {
        return controller.history(Channel.JOB_STATUS).stream().filter(AgentDownloadOutageTest::isJob)
                .map(in -> in.as(JobStatusUpdate.class)).toList();
    }

    /** The chunk indices the agent holds on disk now. */
    private Set<Integer> storedChunks() throws Exception {
        Set<Integer> stored = new HashSet<>();
        Path downloads = dir.resolve("state/downloads/synthetic");
        for (int i = 0; i < payload.chunkCount(); i++) {
            if (Files.exists(downloads.resolve(String.format("chunk-%06d", i)))) {
                stored.add(i);
            }
        }
        return stored;
    }

    private static Set<Integer> askedFor(TestController controller) {
        Set<Integer> asked = new HashSet<>();
        controller.chunkRequests().forEach(asked::addAll);
        return asked;
    }

    private void assertInstalledAndVerified() throws Exception {
        InstalledSlot slot = new BundleStore(dir.resolve("state/bundles"), KEY.getPublic()).active().orElseThrow();
        assertEquals("synthetic", slot.manifest().getBundleId()); // active() re-verified every file's sha256
    }

    private static BrokerKind brokerKind() {
        return BrokerKind.MOSQUITTO.available() ? BrokerKind.MOSQUITTO : BrokerKind.MOQUETTE;
    }

    @Test
    void aConnectionLostMidDownloadPausesTheJobAndResumesWithOnlyTheMissingChunks() throws Exception {
        try (TestBroker broker = brokerKind().start(dir.resolve("broker"));
             TcpProxy proxy = new TcpProxy(broker.port());
             TestController controller = new TestController(broker.uri(), "t");
             EdgeAgent agent = agent(config(proxy.uri(), "60s"))) {
            startSlowDownload(controller, agent);

            proxy.refuse(true);
            proxy.cutAll();
            // longer than the agent's chunk wait (10 s) would be needed to fail a round; the point
            // here is that the job neither fails nor asks while the link is down
            Thread.sleep(2000);
            Set<Integer> storedAtOutage = storedChunks();
            assertTrue(storedAtOutage.size() < payload.chunkCount(), "the outage came mid-download");
            assertFalse(agent.isOnline());
            int statusesDuringOutage = statuses(controller).size();
            controller.chunkRequests().clear();
            controller.chunkDelay(0);
            proxy.refuse(false);

            JobStatusUpdate done = finalStatus(controller);
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
            List<JobStatusUpdate> all = statuses(controller);
            assertTrue(all.stream().limit(all.size() - 1).allMatch(u -> u.getState() == JobState.JOB_STATE_IN_PROGRESS),
                    "nothing but IN_PROGRESS before the success: " + all);
            JobStatusUpdate reReported = all.get(statusesDuringOutage);
            assertEquals(JobState.JOB_STATE_IN_PROGRESS, reReported.getState());
            assertEquals(JobStep.JOB_STEP_DOWNLOADING, reReported.getStep(), "the job is re-reported after reconnect");

            Set<Integer> asked = askedFor(controller);
            Set<Integer> again = new HashSet<>(asked);
            again.retainAll(storedAtOutage);
            assertTrue(again.isEmpty(), "chunks stored before the outage were asked for again: " + again);
            // chunks the broker queued during the outage may arrive without being asked for again
            assertTrue(asked.size() <= payload.chunkCount() - storedAtOutage.size(), asked + " " + storedAtOutage);
            assertInstalledAndVerified();
        }
    }

    @Test
    void aBrokerRestartMidDownloadDoesNotFailTheJob() throws Exception {
        try (TestBroker broker = brokerKind().start(dir.resolve("broker"));
             EdgeAgent agent = agent(config(broker.uri(), "60s"))) {
            Set<Integer> storedAtOutage;
            try (TestController before = new TestController(broker.uri(), "t")) {
                startSlowDownload(before, agent);
                broker.stop();
                Thread.sleep(1500);
                storedAtOutage = storedChunks();
                assertTrue(storedAtOutage.size() < payload.chunkCount(), "the restart came mid-download");
                assertTrue(statuses(before).stream().allMatch(u -> u.getState() == JobState.JOB_STATE_IN_PROGRESS));
            }
            broker.restart();
            try (TestController after = new TestController(broker.uri(), "t")) {
                after.serveBundle("synthetic", payload);
                JobStatusUpdate done = finalStatus(after);
                assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
                assertTrue(statuses(after).stream().allMatch(u -> u.getState() == JobState.JOB_STATE_IN_PROGRESS
                        || u.getState() == JobState.JOB_STATE_SUCCEEDED), statuses(after).toString());
                Set<Integer> again = new HashSet<>(askedFor(after));
                again.retainAll(storedAtOutage);
                assertTrue(again.isEmpty(), "chunks stored before the restart were asked for again: " + again);
            }
            assertInstalledAndVerified();
        }
    }

    @Test
    void anOutageLongerThanThePatienceFailsTheJobWithThePreciseError() throws Exception {
        try (TestBroker broker = brokerKind().start(dir.resolve("broker"));
             TcpProxy proxy = new TcpProxy(broker.port());
             TestController controller = new TestController(broker.uri(), "t");
             EdgeAgent agent = agent(config(proxy.uri(), "1s"))) {
            startSlowDownload(controller, agent);
            proxy.refuse(true);
            proxy.cutAll();
            Thread.sleep(3000);
            Set<Integer> stored = storedChunks();
            controller.chunkDelay(0);
            proxy.refuse(false);

            // failed while offline; reported once the agent is back
            JobStatusUpdate done = finalStatus(controller);
            assertEquals(JobState.JOB_STATE_FAILED, done.getState(), done.toString());
            assertEquals(JobStep.JOB_STEP_DOWNLOADING, done.getStep());
            assertEquals(ErrorCode.ERROR_CODE_TIMEOUT, done.getError().getCode());
            String message = done.getError().getMessage();
            assertTrue(message.startsWith("download of synthetic 1.0.0 paused 1 time(s) for "), message);
            assertTrue(message.contains(" in all while the broker was unreachable, more than the download patience "
                    + "of 1.0 s; "), message);
            assertTrue(message.endsWith((payload.chunkCount() - stored.size()) + " of " + payload.chunkCount()
                    + " chunks missing, the " + stored.size() + " stored are kept for the next attempt"), message);
            assertEquals(stored, storedChunks(), "the stored chunks are kept");
        }
    }

    @Test
    void aChunkDamagedOnDiskWhileTheAgentWasDownIsFetchedAgain() throws Exception {
        try (TestBroker broker = brokerKind().start(dir.resolve("broker"));
             TestController controller = new TestController(broker.uri(), "t")) {
            controller.serveBundle("synthetic", payload);
            controller.chunkDelay(40);
            AgentConfig config = config(broker.uri(), "60s");
            try (EdgeAgent first = agent(config)) {
                first.start();
                controller.await(in -> in.address().channel() == Channel.BIRTH, WAIT);
                controller.sendJob(KEY, "dev-1", job);
                controller.await(in -> downloading(in, 20), WAIT);
            } // the agent stops mid-download
            assertTrue(statuses(controller).stream().allMatch(u -> u.getState() == JobState.JOB_STATE_IN_PROGRESS),
                    "a stopped agent does not fail its job: " + statuses(controller));
            List<Integer> stored = new ArrayList<>(storedChunks());
            stored.sort(null);
            assertTrue(stored.size() >= 2 && stored.size() < payload.chunkCount(), stored.toString());
            int damaged = stored.get(stored.size() / 2);
            Path file = dir.resolve(String.format("state/downloads/synthetic/chunk-%06d", damaged));
            byte[] bytes = Files.readAllBytes(file);
            bytes[7] ^= 0x01;
            Files.write(file, bytes);

            controller.chunkRequests().clear();
            controller.chunkDelay(0);
            try (EdgeAgent second = agent(config)) {
                second.start();
                controller.await(in -> in.address().channel() == Channel.BIRTH, WAIT);
                controller.sendJob(KEY, "dev-1", job); // the controller re-sends the open job
                JobStatusUpdate done = finalStatus(controller);
                assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
                Set<Integer> asked = askedFor(controller);
                assertTrue(asked.contains(damaged), "the damaged chunk " + damaged + " was fetched again: " + asked);
                Set<Integer> again = new HashSet<>(asked);
                again.retainAll(stored);
                assertEquals(Set.of(damaged), again, "no sound stored chunk was fetched again");
            }
            assertInstalledAndVerified();
        }
    }

    @Test
    void forgedChunksQueuedDuringAnOutageAreRefusedAndTheGenuineBundleIsInstalled() throws Exception {
        try (TestBroker broker = brokerKind().start(dir.resolve("broker"));
             TcpProxy proxy = new TcpProxy(broker.port());
             TestController controller = new TestController(broker.uri(), "t");
             EdgeAgent agent = agent(config(proxy.uri(), "60s"))) {
            startSlowDownload(controller, agent);
            proxy.refuse(true);
            proxy.cutAll();
            Thread.sleep(500); // chunks already on their way are stored or lost
            Set<Integer> storedAtOutage = storedChunks();
            controller.chunkRequests().clear();
            controller.chunkDelay(0);

            // a peer that can publish on the device's data topic (here: an anonymous broker) queues
            // a forged chunk for every index, right length and wrong bytes, written by hand
            int[] rc = new int[1];
            try (RawMqttClient attacker = RawMqttClient.connect("127.0.0.1", broker.port(),
                    RawMqttClient.Connect.as("attacker", null, null), rc)) {
                assertEquals(0, rc[0], "the test broker lets the attacker in");
                HeaderFactory forgedHeaders = new HeaderFactory("controller");
                String topic = Topics.fleet("t").device("dev-1", Channel.BUNDLE_DATA);
                for (int i = 0; i < payload.chunkCount(); i++) {
                    byte[] forged = payload.chunk(i);
                    forged[0] ^= 0x55;
                    BundleChunk chunk = BundleChunk.newBuilder().setHeader(forgedHeaders.next())
                            .setBundleId("synthetic").setIndex(i).setCount(payload.chunkCount())
                            .setSha256(Sha256.hex(forged)).setData(ByteString.copyFrom(forged)).build();
                    int id = attacker.publish(topic, WireCodec.encode(Channel.BUNDLE_DATA, chunk), 1, false);
                    assertTrue(attacker.awaitPubAck(id, Duration.ofSeconds(5)), "forged chunk " + i + " accepted");
                }
            }
            proxy.refuse(false); // the forged chunks reach the agent first, queued in its session

            JobStatusUpdate done = finalStatus(controller);
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
            Set<Integer> again = new HashSet<>(askedFor(controller));
            again.retainAll(storedAtOutage);
            assertTrue(again.isEmpty(), "a forged chunk replaced a stored one, fetched again: " + again);
            InstalledSlot slot = new BundleStore(dir.resolve("state/bundles"), KEY.getPublic()).active().orElseThrow();
            assertEquals(payload.chunkCount(), slot.manifest().getChunkCount());
            byte[] model = new byte[120 * 1024];
            new SplittableRandom(1).nextBytes(model);
            assertTrue(java.util.Arrays.equals(model, Files.readAllBytes(slot.file("model.tflite"))),
                    "the genuine model is installed");
        }
    }
}
