package io.c2f.agent.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.agent.core.EdgeAgent;
import io.c2f.agent.testing.SyntheticBundles;
import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.agent.testing.TestController;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.IntervalAggregate;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.Telemetry;
import io.c2f.agent.telemetry.SpoolDurability;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetSimulatorTest {
    @TempDir
    Path dir;

    @Test
    void twentySimulatedDevicesSpeakTheRealProtocol() throws Exception {
        assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        KeyPair key = Ed25519Keys.generate();
        int n = 20;
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("broker"));
             TestController controller = new TestController(broker.uri(), "t");
             FleetSimulator sim = new FleetSimulator(new FleetSimulator.Plan(broker.uri(), "t", "sim", n, 1000, 3,
                     0.2, 0.0, 7, dir.resolve("state")), key.getPublic())) {
            sim.start();
            Set<String> born = new HashSet<>();
            while (born.size() < n) {
                born.add(controller.await(in -> in.address().channel() == Channel.BIRTH, Duration.ofSeconds(30))
                        .address().deviceId());
            }
            BundleManifest.Builder m = SyntheticBundles.manifest("1.0.0");
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("model.tflite", new byte[20_000]);
            controller.serveBundle("synthetic", BundlePayload.pack(files, 8192, m));
            InstallBundle install = InstallBundle.newBuilder().setManifest(ManifestSigning.sign(m.build(), key)).build();
            for (String id : born) {
                controller.sendJob(key, id, JobCommand.newBuilder().setJobId("j-" + id)
                        .setInstallBundle(install).build());
            }
            Map<String, JobState> states = new HashMap<>();
            while (states.size() < n) {
                JobStatusUpdate u = controller.await(in -> in.address().channel() == Channel.JOB_STATUS
                        && in.as(JobStatusUpdate.class).getState() != JobState.JOB_STATE_IN_PROGRESS,
                        Duration.ofSeconds(60)).as(JobStatusUpdate.class);
                states.put(u.getDeviceId(), u.getState());
            }
            long ok = states.values().stream().filter(s -> s == JobState.JOB_STATE_SUCCEEDED).count();
            long failed = states.values().stream().filter(s -> s == JobState.JOB_STATE_FAILED).count();
            System.out.printf("simulated install: %d succeeded, %d failed (probe failure rate 0.2)%n", ok, failed);
            assertEquals(n, ok + failed);
            assertTrue(failed >= 1 && ok >= n / 2, "about a fifth fail: " + states);

            String healthy = states.entrySet().stream().filter(e -> e.getValue() == JobState.JOB_STATE_SUCCEEDED)
                    .findFirst().orElseThrow().getKey();
            controller.send(healthy, Channel.GENERATE_REQUEST, GenerateRequest.newBuilder().setRequestId("g")
                    .setSeed(1).setCount(1).build());
            GenerateResult r = controller.await(in -> in.address().channel() == Channel.GENERATE_RESULT,
                    Duration.ofSeconds(30)).as(GenerateResult.class);
            assertEquals(1, r.getImagesCount());
        }
    }

    /**
     * c2f.* JVM system properties reach every device (here the latency totals' interval, 60 s by
     * default: totals within 10 s prove it applied), but never replace the keys the simulator sets
     * per device (a system c2f.device.id would give every device the same id).
     */
    @Test
    void agentKeysFromSystemPropertiesApplyToEveryDeviceButNotItsOwnKeys() throws Exception {
        assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        KeyPair key = Ed25519Keys.generate();
        System.setProperty("c2f.telemetry.interval", "1s");
        System.setProperty("c2f.device.id", "intruder");
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("broker"));
             TestController controller = new TestController(broker.uri(), "t");
             FleetSimulator sim = new FleetSimulator(new FleetSimulator.Plan(broker.uri(), "t", "sim", 2, 1000, 3,
                     0.0, 0.0, 7, dir.resolve("state")), key.getPublic())) {
            sim.start();
            Set<String> totals = new HashSet<>();
            while (totals.size() < 2) {
                Telemetry t = controller.await(in -> in.address().channel() == Channel.TELEMETRY
                        && in.as(Telemetry.class).hasAggregate(), Duration.ofSeconds(10)).as(Telemetry.class);
                totals.add(t.getDeviceId());
            }
            assertEquals(Set.of("sim-0000", "sim-0001"), totals);
        } finally {
            System.clearProperty("c2f.telemetry.interval");
            System.clearProperty("c2f.device.id");
        }
    }

    /**
     * The console's clean end of a run: a device whose records are paused creates no interval totals
     * (none ends after the pause) while its heartbeats go on, a generation still gives its record,
     * and its spool drains to 0; the other device goes on as before. After resuming, its first
     * totals cover the paused time, the generation included.
     */
    @Test
    void pausedDevicesCreateNoPeriodicRecordsWhileHeartbeatsAndSendingGoOn() throws Exception {
        assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        KeyPair key = Ed25519Keys.generate();
        System.setProperty("c2f.telemetry.interval", "1s");
        System.setProperty("c2f.heartbeat.interval", "1s");
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("broker"));
             TestController controller = new TestController(broker.uri(), "t");
             FleetSimulator sim = new FleetSimulator(new FleetSimulator.Plan(broker.uri(), "t", "sim", 2, 1000, 3,
                     0.0, 0.0, 7, dir.resolve("state")), key.getPublic())) {
            sim.start();
            SimulatorConsole console = new SimulatorConsole(sim.devices());
            EdgeAgent paused = sim.devices().get(0).agent();
            awaitTotals(controller, "sim-0000", 0);
            awaitTotals(controller, "sim-0001", 0);
            BundleManifest.Builder m = SyntheticBundles.manifest("1.0.0");
            controller.serveBundle("synthetic", BundlePayload.pack(Map.of("model.tflite", new byte[20_000]), 8192, m));
            controller.sendJob(key, "sim-0000", JobCommand.newBuilder().setJobId("j").setInstallBundle(
                    InstallBundle.newBuilder().setManifest(ManifestSigning.sign(m.build(), key))).build());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, controller.await(in -> in.address().channel() == Channel.JOB_STATUS
                    && in.as(JobStatusUpdate.class).getState() != JobState.JOB_STATE_IN_PROGRESS, Duration.ofSeconds(30))
                    .as(JobStatusUpdate.class).getState());

            assertEquals("cmd ok telemetry pause sim-0000: 1 devices sim-0000", console.handle("telemetry pause sim-0000"));
            long pausedAt = System.currentTimeMillis();
            int heartbeatsAtPause = history(controller, Channel.STATE, "sim-0000").size();
            controller.send("sim-0000", Channel.GENERATE_REQUEST, GenerateRequest.newBuilder().setRequestId("g")
                    .setSeed(1).setCount(1).build());
            assertEquals(1, controller.await(in -> in.address().channel() == Channel.GENERATE_RESULT,
                    Duration.ofSeconds(30)).as(GenerateResult.class).getImagesCount());
            controller.await(in -> in.address().channel() == Channel.TELEMETRY && in.address().deviceId().equals("sim-0000")
                    && in.as(Telemetry.class).hasGeneration(), Duration.ofSeconds(10));
            long drainDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (paused.telemetrySpooled() > 0) {
                assertTrue(System.nanoTime() < drainDeadline, "the paused device's spool did not drain: "
                        + paused.telemetrySpooled() + " records left");
                Thread.sleep(50);
            }
            Thread.sleep(3_500); // three and a half intervals and heartbeats

            assertEquals(List.of(), totalsEndingAfter(controller, "sim-0000", pausedAt), "totals created while paused");
            assertTrue(totalsEndingAfter(controller, "sim-0001", pausedAt).size() >= 2, "the other device goes on");
            int heartbeats = history(controller, Channel.STATE, "sim-0000").size() - heartbeatsAtPause;
            assertTrue(heartbeats >= 2, "heartbeats while paused: " + heartbeats);
            assertEquals(0, paused.telemetrySpooled());
            assertTrue(console.handle("telemetry status").startsWith("cmd ok telemetry status: 1 of 2 paused, "));

            long resumedAt = System.currentTimeMillis();
            assertEquals("cmd ok telemetry resume sim-0000: 1 devices sim-0000", console.handle("telemetry resume sim-0000"));
            IntervalAggregate first = awaitTotals(controller, "sim-0000", resumedAt);
            assertTrue(first.getWindowStartMs() <= pausedAt, "the first totals after resuming cover the pause: " + first);
            assertEquals(1, first.getCount(), "the generation while paused counts in them");
        } finally {
            System.clearProperty("c2f.telemetry.interval");
            System.clearProperty("c2f.heartbeat.interval");
        }
    }

    /** The next interval totals of {@code device} whose window ends after {@code afterMs}. */
    private static IntervalAggregate awaitTotals(TestController controller, String device, long afterMs)
            throws InterruptedException {
        return controller.await(in -> in.address().channel() == Channel.TELEMETRY
                && in.address().deviceId().equals(device) && in.as(Telemetry.class).hasAggregate()
                && in.as(Telemetry.class).getAggregate().getWindowEndMs() > afterMs, Duration.ofSeconds(10))
                .as(Telemetry.class).getAggregate();
    }

    private static List<IntervalAggregate> totalsEndingAfter(TestController controller, String device, long afterMs) {
        return history(controller, Channel.TELEMETRY, device).stream().map(in -> in.as(Telemetry.class))
                .filter(Telemetry::hasAggregate).map(Telemetry::getAggregate)
                .filter(a -> a.getWindowEndMs() > afterMs).toList();
    }

    private static List<Inbound> history(TestController controller, Channel channel, String device) {
        return controller.history(channel).stream().filter(in -> in.address().deviceId().equals(device)).toList();
    }

    /** Simulated devices hold their spools in memory (the host's disk is not what is simulated), unless told. */
    @Test
    void simulatedDevicesSpoolInMemoryUnlessTheKeySaysOtherwise() throws Exception {
        KeyPair key = Ed25519Keys.generate();
        FleetSimulator.Plan plan = new FleetSimulator.Plan("tcp://127.0.0.1:1", "t", "sim", 2, 1000, 3, 0.0, 0.0, 7,
                dir.resolve("state"));
        try (FleetSimulator sim = new FleetSimulator(plan, key.getPublic())) {
            assertEquals(List.of(SpoolDurability.MEMORY, SpoolDurability.MEMORY),
                    sim.devices().stream().map(d -> d.agent().config().spoolDurability()).toList());
        }
        System.setProperty("c2f.telemetry.spool.durability", "fsync");
        try (FleetSimulator sim = new FleetSimulator(plan, key.getPublic())) {
            assertEquals(List.of(SpoolDurability.FSYNC, SpoolDurability.FSYNC),
                    sim.devices().stream().map(d -> d.agent().config().spoolDurability()).toList());
        } finally {
            System.clearProperty("c2f.telemetry.spool.durability");
        }
    }
}
