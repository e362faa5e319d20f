package io.c2f.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.sim.SimulatedEngine;
import io.c2f.agent.testing.BrokerKind;
import io.c2f.agent.testing.TcpProxy;
import io.c2f.proto.testing.TestBroker;
import io.c2f.agent.testing.SyntheticBundles;
import io.c2f.agent.testing.TestController;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.Telemetry;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** The broker goes away while the device is generating: the generation's telemetry still arrives. */
class AgentOutageTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(BrokerKind.class)
    void aBrokerRestartDuringAGenerationLosesNoTelemetry(BrokerKind kind) throws Exception {
        assumeTrue(kind.available(), kind + " is not installed");
        KeyPair key = Ed25519Keys.generate();
        AtomicLong cost = new AtomicLong(0);
        Properties p = new Properties();
        p.setProperty("c2f.fleet", "t");
        p.setProperty("c2f.device.id", "dev-1");
        p.setProperty("c2f.heartbeat.interval", "500ms");
        p.setProperty("c2f.broker.keep-alive", "2s");
        try (TestBroker broker = kind.start(dir.resolve("broker"));
             // the agent's way to the broker: closed across the restart until the controller has
             // subscribed again, so the agent cannot publish to nobody in between
             TcpProxy door = new TcpProxy(broker.port())) {
            p.setProperty("c2f.broker.url", door.uri());
            try (EdgeAgent agent = new EdgeAgent(AgentConfig.from(p, dir), new SimulatedEngine(cost::get),
                    key.getPublic(), Clock.systemUTC())) {
                long lastSeq;
                try (TestController controller = new TestController(broker.uri(), "t")) {
                    agent.start(); // after the controller subscribed, so it sees the birth
                    controller.await(in -> in.address().channel() == Channel.BIRTH, WAIT);
                    BundleManifest.Builder m = SyntheticBundles.manifest("1.0.0");
                    Map<String, byte[]> files = new LinkedHashMap<>();
                    files.put("model.tflite", new byte[10_000]);
                    controller.serveBundle("synthetic", BundlePayload.pack(files, 4096, m));
                    controller.sendJob(key, "dev-1", JobCommand.newBuilder().setJobId("j1")
                            .setInstallBundle(InstallBundle.newBuilder().setManifest(ManifestSigning.sign(m.build(), key)))
                            .build());
                    Inbound done = controller.await(in -> in.address().channel() == Channel.JOB_STATUS
                            && in.as(JobStatusUpdate.class).getState() == JobState.JOB_STATE_SUCCEEDED, WAIT);
                    assertEquals("j1", done.as(JobStatusUpdate.class).getJobId());
                    lastSeq = controller.await(in -> in.address().channel() == Channel.TELEMETRY, WAIT)
                            .as(Telemetry.class).getTelemetrySeq();

                    // each generation now takes about 1.5 s (15 M pretend MACs at 0.1 s per million)
                    cost.set(100_000_000);
                    controller.send("dev-1", Channel.GENERATE_REQUEST, GenerateRequest.newBuilder()
                            .setRequestId("during-outage").setSeed(3).setCount(1).build());
                    Thread.sleep(300);
                }
                door.refuse(true);
                broker.stop();
                Thread.sleep(2500); // the generation finishes while the device is offline
                broker.restart();
                try (TestController controller = new TestController(broker.uri(), "t")) {
                    door.refuse(false);
                    Telemetry t = controller.await(in -> in.address().channel() == Channel.TELEMETRY
                            && in.as(Telemetry.class).hasGeneration()
                            && in.as(Telemetry.class).getGeneration().getRequestId().equals("during-outage"),
                            Duration.ofSeconds(30)).as(Telemetry.class);
                    assertTrue(t.getTelemetrySeq() > lastSeq, "sequence continues");
                    assertEquals(0, t.getDroppedBefore(), "nothing was dropped");
                    assertTrue(t.getGeneration().getTotalMillis() >= 1000, "the slow generation was measured");
                }
            }
        }
    }
}
