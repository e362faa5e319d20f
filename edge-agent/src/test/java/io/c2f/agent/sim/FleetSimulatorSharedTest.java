package io.c2f.agent.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.agent.link.mqtt.MqttTransport;
import io.c2f.agent.testing.SyntheticBundles;
import io.c2f.agent.testing.TcpProxy;
import io.c2f.agent.testing.TestController;
import io.c2f.agent.threads.SharedThreads;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.Death;
import io.c2f.proto.v1.DeathReason;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.Telemetry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The simulator on shared pools, on each MQTT transport: threads per device, the shared model, and
 * the wire behaviour (births, wills, jobs, installs, generation, telemetry).
 */
class FleetSimulatorSharedTest {
    @TempDir
    Path dir;

    private static FleetSimulator.Plan plan(String uri, String prefix, int n, double probeFailures, Path state) {
        return new FleetSimulator.Plan(uri, "t", prefix, n, 1000, 3, probeFailures, 0.0, 7, state);
    }

    @ParameterizedTest
    @EnumSource(MqttTransport.class)
    void manyDevicesComeOnlineOnFewThreadsAndTheirWillsFire(MqttTransport transport) throws Exception {
        assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        KeyPair key = Ed25519Keys.generate();
        int n = transport == MqttTransport.NETTY ? 300 : 200;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("broker"));
             TestController controller = new TestController(broker.uri(), "t");
             TcpProxy door = new TcpProxy(broker.port());
             SharedThreads threads = new SharedThreads(16, 8, 64, transport)) {
            int before = mx.getThreadCount();
            // n - 1 devices straight to the broker, one through a door the test cuts; same pools
            try (FleetSimulator sim = new FleetSimulator(plan(broker.uri(), "sim", n - 1, 0, dir.resolve("s1")),
                    key.getPublic(), DevicePasswords.none(), null, threads);
                 FleetSimulator cut = new FleetSimulator(plan(door.uri(), "cut", 1, 0, dir.resolve("s2")),
                         key.getPublic(), DevicePasswords.none(), null, threads)) {
                sim.start();
                cut.start();
                Set<String> born = new HashSet<>();
                while (born.size() < n) {
                    born.add(controller.await(in -> in.address().channel() == Channel.BIRTH, Duration.ofSeconds(60))
                            .address().deviceId());
                }
                assertEquals(n, sim.online() + cut.online());
                int grown = mx.getThreadCount() - before;
                System.out.printf("%s: %d simulated devices online: %d more threads (%.2f per device), %d of them "
                        + "the MQTT client's%n", transport, n, grown, grown / (double) n, threads.mqttThreads());
                if (transport == MqttTransport.PAHO) {
                    // Paho's receiver, sender and callback loops hold 3 per connected client; everything
                    // else is bounded pools (8 to 9 threads per device with a thread per part)
                    int loops = threads.mqttThreads();
                    assertTrue(loops >= 3 * n && loops <= 3 * n + 6, loops + " loop threads for " + n + " clients");
                    assertTrue(grown <= 3 * n + 100, "threads grew by " + grown + " for " + n + " devices");
                } else {
                    // one event loop for all connections, the rest bounded pools: 16 link, 8 jobs, 64
                    // generation, 8 MQTT callbacks, 2 event loop, 1 timer at most (and the test's proxy
                    // threads), none per device
                    assertEquals(2, threads.mqttThreads());
                    assertTrue(grown <= 16 + 8 + 64 + 8 + 2 + 1 + 10, "threads grew by " + grown + " for " + n
                            + " devices");
                }

                door.refuse(true);
                door.cutAll();
                Inbound death = controller.await(in -> in.address().channel() == Channel.DEATH
                        && in.address().deviceId().equals("cut-0000"), Duration.ofSeconds(60));
                assertEquals(DeathReason.DEATH_REASON_CONNECTION_LOST, death.as(Death.class).getReason());
                door.refuse(false);
                controller.await(in -> in.address().channel() == Channel.BIRTH
                        && in.address().deviceId().equals("cut-0000"), Duration.ofSeconds(60));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(MqttTransport.class)
    void devicesOnSharedPoolsInstallOneSharedModelGenerateAndReport(MqttTransport transport) throws Exception {
        assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        KeyPair key = Ed25519Keys.generate();
        int n = 20;
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("broker"));
             TestController controller = new TestController(broker.uri(), "t");
             // two installs at a time: the others wait their turn on the jobs pool
             SharedThreads threads = new SharedThreads(4, 2, 4, transport);
             FleetSimulator sim = new FleetSimulator(plan(broker.uri(), "sim", n, 0, dir.resolve("state")),
                     key.getPublic(), DevicePasswords.none(), null, threads)) {
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
                        Duration.ofSeconds(120)).as(JobStatusUpdate.class);
                states.put(u.getDeviceId(), u.getState());
            }
            assertTrue(states.values().stream().allMatch(s -> s == JobState.JOB_STATE_SUCCEEDED), states::toString);
            // 20 installs (each probed) of one bundle: one model
            assertEquals(1, sim.models().opened());

            String device = born.iterator().next();
            controller.send(device, Channel.GENERATE_REQUEST, GenerateRequest.newBuilder().setRequestId("g")
                    .setSeed(1).setCount(1).build());
            GenerateResult r = controller.await(in -> in.address().channel() == Channel.GENERATE_RESULT,
                    Duration.ofSeconds(30)).as(GenerateResult.class);
            assertEquals(1, r.getImagesCount(), r::toString);
            assertEquals("synthetic", r.getImages(0).getRecord().getBundleId());
            // its generation record comes through the telemetry spool and pump
            Telemetry t = controller.await(in -> in.address().channel() == Channel.TELEMETRY
                    && in.address().deviceId().equals(device) && in.as(Telemetry.class).hasGeneration(),
                    Duration.ofSeconds(30)).as(Telemetry.class);
            assertEquals("g", t.getGeneration().getRequestId());
        }
    }
}
