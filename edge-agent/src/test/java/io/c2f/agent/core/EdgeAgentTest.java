package io.c2f.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.engine.ModelSession;
import io.c2f.agent.sim.SimulatedEngine;
import io.c2f.agent.testing.BrokerKind;
import io.c2f.proto.testing.TestBroker;
import io.c2f.agent.testing.SyntheticBundles;
import io.c2f.agent.testing.TestController;
import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.image.PngImages;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.ApplySchedule;
import io.c2f.proto.v1.BetaSchedule;
import io.c2f.proto.DeviceCapabilities;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.HealthProbe;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.Interpolation;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.MacsAtResolution;
import io.c2f.proto.v1.ModelInfo;
import io.c2f.proto.v1.NoiseScheduleSpec;
import io.c2f.proto.v1.Sampler;
import io.c2f.proto.v1.Schedule;
import io.c2f.proto.v1.SwitchMethod;
import io.c2f.proto.v1.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** A whole agent (simulated engine) against each real broker (Mosquitto, embedded Moquette) and a test controller. */
class EdgeAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final KeyPair KEY = Ed25519Keys.generate();

    @TempDir
    Path dir;

    private AgentConfig config(String uri) throws Exception {
        Properties p = new Properties();
        p.setProperty("c2f.fleet", "t");
        p.setProperty("c2f.device.id", "dev-1");
        p.setProperty("c2f.broker.url", uri);
        p.setProperty("c2f.heartbeat.interval", "500ms");
        p.setProperty("c2f.broker.keep-alive", "2s");
        return AgentConfig.from(p, dir);
    }

    private static boolean finalState(Inbound in, String job) {
        if (in.address().channel() != Channel.JOB_STATUS) {
            return false;
        }
        JobStatusUpdate u = in.as(JobStatusUpdate.class);
        return u.getJobId().equals(job) && u.getState() != JobState.JOB_STATE_IN_PROGRESS
                && u.getState() != JobState.JOB_STATE_QUEUED;
    }

    @ParameterizedTest
    @EnumSource(BrokerKind.class)
    void installGenerateTelemetryAndScheduleChanges(BrokerKind kind) throws Exception {
        assumeTrue(kind.available(), kind + " is not installed");
        try (TestBroker broker = kind.start(dir.resolve("broker"));
             TestController controller = new TestController(broker.uri(), "t");
             EdgeAgent agent = new EdgeAgent(config(broker.uri()), new SimulatedEngine(() -> 0), KEY.getPublic(),
                     Clock.systemUTC())) {
            agent.start();
            Birth birth = controller.await(in -> in.address().channel() == Channel.BIRTH, WAIT).as(Birth.class);
            assertEquals("dev-1", birth.getDeviceId());
            assertEquals(List.of(DeviceCapabilities.BUNDLE_DELTA), birth.getCapabilitiesList(), "deltas by default");
            Telemetry facts = controller.await(in -> in.address().channel() == Channel.TELEMETRY
                    && in.as(Telemetry.class).hasFacts(), WAIT).as(Telemetry.class);
            assertTrue(facts.getFacts().getHardware().getCpuCores() > 0);
            assertTrue(facts.getFacts().getResidentMemoryBytes() > 0);
            assertTrue(!birth.hasInstalled(), "nothing installed yet");

            // 1. install a bundle
            BundleManifest.Builder m = SyntheticBundles.manifest("1.0.0");
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("model.tflite", new byte[50_000]);
            controller.serveBundle("synthetic", BundlePayload.pack(files, 8192, m));
            controller.sendJob(KEY, "dev-1", JobCommand.newBuilder().setJobId("job-1")
                    .setInstallBundle(InstallBundle.newBuilder().setManifest(ManifestSigning.sign(m.build(), KEY)))
                    .build());
            JobStatusUpdate installed = controller.await(in -> finalState(in, "job-1"), WAIT).as(JobStatusUpdate.class);
            assertEquals(JobState.JOB_STATE_SUCCEEDED, installed.getState(), installed.toString());
            assertTrue(installed.getProbe().getPassed());

            // 2. generate
            controller.send("dev-1", Channel.GENERATE_REQUEST, GenerateRequest.newBuilder().setRequestId("g1")
                    .setSeed(5).setCount(2).build());
            GenerateResult result = controller.await(in -> in.address().channel() == Channel.GENERATE_RESULT, WAIT)
                    .as(GenerateResult.class);
            assertEquals("g1", result.getRequestId());
            assertEquals(2, result.getImagesCount());
            assertEquals(new Resolution(16, 16), PngImages.decode(result.getImages(0).getPng().toByteArray())
                    .resolution());
            Telemetry t = controller.await(in -> in.address().channel() == Channel.TELEMETRY
                    && in.as(Telemetry.class).hasGeneration(), WAIT).as(Telemetry.class);
            assertEquals("c2f-k6", t.getGeneration().getScheduleId());

            // 3. a bad schedule is refused and the good one stays
            controller.sendJob(KEY, "dev-1", JobCommand.newBuilder().setJobId("job-2")
                    .setApplySchedule(ApplySchedule.newBuilder().setSchedule(
                            SyntheticBundles.schedule("broken", List.of(100, 500, 50), 0)))
                    .build());
            JobStatusUpdate refused = controller.await(in -> finalState(in, "job-2"), WAIT).as(JobStatusUpdate.class);
            assertEquals(JobState.JOB_STATE_REJECTED, refused.getState());
            assertTrue(refused.getError().getMessage().contains("keeping 'c2f-k6'"), refused.getError().getMessage());

            // 4. a good schedule becomes the device default, without reinstalling
            controller.sendJob(KEY, "dev-1", JobCommand.newBuilder().setJobId("job-3")
                    .setApplySchedule(ApplySchedule.newBuilder().setSchedule(
                            SyntheticBundles.schedule("c2f-k4", List.of(800, 500, 200, 20), 2)).setReason("faster"))
                    .build());
            assertEquals(JobState.JOB_STATE_SUCCEEDED,
                    controller.await(in -> finalState(in, "job-3"), WAIT).as(JobStatusUpdate.class).getState());
            controller.send("dev-1", Channel.GENERATE_REQUEST, GenerateRequest.newBuilder().setRequestId("g2")
                    .setSeed(5).setCount(1).build());
            GenerateResult second = controller.await(in -> in.address().channel() == Channel.GENERATE_RESULT
                    && in.as(GenerateResult.class).getRequestId().equals("g2"), WAIT).as(GenerateResult.class);
            assertEquals("c2f-k4", second.getImages(0).getRecord().getScheduleId());

            // 5. an unknown schedule in a request is answered precisely
            controller.send("dev-1", Channel.GENERATE_REQUEST, GenerateRequest.newBuilder().setRequestId("g3")
                    .setSeed(5).setCount(1).setScheduleId("nope").build());
            GenerateResult err = controller.await(in -> in.address().channel() == Channel.GENERATE_RESULT
                    && in.as(GenerateResult.class).getRequestId().equals("g3"), WAIT).as(GenerateResult.class);
            assertEquals(ErrorCode.ERROR_CODE_NOT_FOUND, err.getError().getCode());
        }

        // a restarted agent comes back with its bundle and its applied schedule
        try (TestBroker broker = kind.start(dir.resolve("broker2"));
             TestController controller = new TestController(broker.uri(), "t");
             EdgeAgent agent = new EdgeAgent(config(broker.uri()), new SimulatedEngine(() -> 0), KEY.getPublic(),
                     Clock.systemUTC())) {
            agent.start();
            Birth birth = controller.await(in -> in.address().channel() == Channel.BIRTH, WAIT).as(Birth.class);
            assertEquals("synthetic", birth.getInstalled().getBundleId());
            assertEquals("c2f-k4", birth.getScheduleId());
            assertTrue(Files.exists(dir.resolve("state/schedule/applied.pb")));
        }
    }
}
