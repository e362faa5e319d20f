package io.c2f.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.engine.EngineLinks;
import io.c2f.agent.engine.Platform;
import io.c2f.agent.testing.MoquetteBroker;
import io.c2f.agent.testing.TestController;
import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.image.PngImages;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.DelegateInfo;
import io.c2f.proto.v1.DelegateStatus;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.HealthProbe;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.Interpolation;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.ModelInfo;
import io.c2f.proto.v1.Resolution;
import io.c2f.proto.v1.Sampler;
import io.c2f.proto.v1.Schedule;
import io.c2f.proto.v1.SwitchMethod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped model as a bundle carrying both files (model.tflite and model.onnx), installed over a
 * real broker on real agents pinned to each engine, by the device's c2f.engine and by the rollout's
 * signed order: each passes the health probe (reference image made on TFLite) on the pinned
 * engine, announces it in its birth and generates on it; a pin the agent's chain cannot honour is
 * refused with its typed reason and the agent keeps what it ran.
 */
class PinnedEngineInstallTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final KeyPair KEY = Ed25519Keys.generate();
    private static final Path ZOO = Path.of("../models/zoo/emoji32-c2f");
    private static BundleManifest.Builder manifest;
    private static BundlePayload payload;

    @TempDir
    Path dir;

    private static Resolution res(int s) {
        return Resolution.newBuilder().setHeight(s).setWidth(s).build();
    }

    @BeforeAll
    static void bundle() throws Exception {
        ModelInfo.Builder info = ModelInfo.newBuilder();
        JsonFormat.parser().ignoringUnknownFields().merge(Files.readString(ZOO.resolve("model.json"),
                StandardCharsets.UTF_8), info);
        Schedule c2f = Schedule.newBuilder().setScheduleId("c2f-k4").addAllTimesteps(List.of(900, 600, 300, 50))
                .setSwitchIndex(2).setLowResolution(res(16)).setHighResolution(res(32))
                .setSwitchMethod(SwitchMethod.SWITCH_METHOD_UPSAMPLE_XT_VARIANCE_CORRECTED)
                .setInterpolation(Interpolation.INTERPOLATION_NEAREST).setSampler(Sampler.SAMPLER_DDIM).build();
        ImageBatch reference;
        try (TfliteDenoiser d = TfliteDenoiser.open(ZOO.resolve("model.tflite"), info.build())) {
            reference = new C2fExecutor(d, NoiseSchedule.fromSpec(info.getNoiseSchedule()))
                    .run(C2fPlan.fromProto(c2f), new long[] {42}).images();
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.tflite", Files.readAllBytes(ZOO.resolve("model.tflite")));
        files.put("model.onnx", Files.readAllBytes(ZOO.resolve("model.onnx")));
        manifest = BundleManifest.newBuilder().setBundleId("emoji32-c2f").setVersion("1.0.0").setModel(info)
                .addSchedules(c2f).setDefaultScheduleId("c2f-k4")
                .setProbe(HealthProbe.newBuilder().setSeed(42).setScheduleId("c2f-k4")
                        .setReferencePng(ByteString.copyFrom(PngImages.encode(reference, 0))).setMinPsnrDb(30));
        payload = BundlePayload.pack(files, 65536, manifest); // lists both files with sha256 and size
    }

    private AgentConfig config(String uri, String device, String pin, String chain) throws Exception {
        Properties p = new Properties();
        p.setProperty("c2f.fleet", "t");
        p.setProperty("c2f.device.id", device);
        p.setProperty("c2f.broker.url", uri);
        p.setProperty("c2f.heartbeat.interval", "500ms");
        p.setProperty("c2f.broker.keep-alive", "2s");
        p.setProperty("c2f.engine", pin);
        p.setProperty("c2f.engine.chain", chain);
        p.setProperty("c2f.engine.threads", "1");
        return AgentConfig.from(p, dir.resolve(device));
    }

    private static boolean finalState(Inbound in, String job) {
        if (in.address().channel() != Channel.JOB_STATUS) {
            return false;
        }
        JobStatusUpdate u = in.as(JobStatusUpdate.class);
        return u.getJobId().equals(job) && u.getState() != JobState.JOB_STATE_IN_PROGRESS
                && u.getState() != JobState.JOB_STATE_QUEUED;
    }

    /** Installs the bundle on one agent (pinned by config and/or by the order) and returns the final status. */
    private JobStatusUpdate install(String uri, TestController controller, String device, String devicePin,
            String chain, String orderPin, String expectEngine) throws Exception {
        AgentConfig config = config(uri, device, devicePin, chain);
        JobStatusUpdate done;
        try (EdgeAgent agent = agent(config)) {
            agent.start();
            controller.await(in -> in.address().channel() == Channel.BIRTH && in.address().deviceId().equals(device),
                    WAIT);
            String job = "job-" + device;
            controller.sendInstall(KEY, device, JobCommand.newBuilder().setJobId(job)
                    .setInstallBundle(InstallBundle.newBuilder().setManifest(ManifestSigning.sign(manifest.build(), KEY)))
                    .build(), orderPin);
            done = controller.await(in -> finalState(in, job), WAIT).as(JobStatusUpdate.class);
        }
        if (expectEngine == null) {
            return done;
        }
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
        assertTrue(done.getProbe().getPassed() && done.getProbe().getPsnrDb() >= 30, done.getProbe().toString());
        // restarted, the agent reopens the slot on the same engine (a rollout's pin is kept with the slot)
        try (EdgeAgent agent = agent(config)) {
            agent.start();
            Birth birth = controller.await(in -> in.address().channel() == Channel.BIRTH
                    && in.address().deviceId().equals(device) && in.as(Birth.class).hasInstalled(), WAIT).as(Birth.class);
            assertEquals(expectEngine, birth.getEngine(), birth.getDelegatesList().toString());
            DelegateInfo active = birth.getDelegatesList().stream()
                    .filter(d -> d.getStatus() == DelegateStatus.DELEGATE_STATUS_ACTIVE).findFirst().orElseThrow();
            assertEquals(expectEngine + (expectEngine.equals("tflite") ? "-xnnpack" : "-cpu"), active.getName());
            controller.send(device, Channel.GENERATE_REQUEST, GenerateRequest.newBuilder().setRequestId("g-" + device)
                    .setSeed(7).setCount(1).build());
            GenerateResult r = controller.await(in -> in.address().channel() == Channel.GENERATE_RESULT
                    && in.as(GenerateResult.class).getRequestId().equals("g-" + device), WAIT).as(GenerateResult.class);
            assertEquals(expectEngine, r.getImages(0).getRecord().getEngine(), r.toString());
            System.out.printf("%s: pinned %s by %s, probe PSNR %.1f dB, one image in %.0f ms on %s%n", device,
                    expectEngine, orderPin.isEmpty() ? "c2f.engine" : "the rollout", done.getProbe().getPsnrDb(),
                    r.getImages(0).getRecord().getTotalMillis(), r.getImages(0).getRecord().getDelegate());
        }
        return done;
    }

    private static EdgeAgent agent(AgentConfig config) throws Exception {
        return new EdgeAgent(config, EngineLinks.chain(config.engine(), Platform.current(), false), KEY.getPublic(),
                Clock.systemUTC());
    }

    @Test
    void aBundleWithBothModelsPassesItsProbeOnEachPinnedEngine() throws Exception {
        String chain = "tflite-xnnpack,onnx-cpu,tflite-cpu";
        try (MoquetteBroker broker = MoquetteBroker.start(dir.resolve("broker"));
             TestController controller = new TestController(broker.uri(), "t")) {
            controller.serveBundle("emoji32-c2f", payload);
            install(broker.uri(), controller, "pi-tflite", "tflite", chain, "", "tflite");
            install(broker.uri(), controller, "pi-onnx", "onnx", chain, "", "onnx");
            install(broker.uri(), controller, "pi-rollout", "auto", chain, "onnx", "onnx");
            JobStatusUpdate refused = install(broker.uri(), controller, "pi-refuses", "auto", "tflite-xnnpack",
                    "onnx", null);
            assertEquals(JobState.JOB_STATE_FAILED, refused.getState());
            assertEquals(ErrorCode.ERROR_CODE_UNSUPPORTED, refused.getError().getCode());
            assertEquals("pinned_engine_not_in_chain", refused.getDetailsOrThrow("refusal"));
            assertTrue(refused.getError().getMessage().contains("engine onnx is pinned by the rollout but this agent's "
                    + "engine chain (tflite-xnnpack) has no onnx link"), refused.getError().getMessage());
        }
    }

    /**
     * A slot pinned to an engine the restarted agent no longer has (its chain changed, or its platform
     * has no natives for it): requests are answered with why the installed bundle cannot run, not
     * with "nothing installed".
     */
    @Test
    void anInstalledBundleThatCannotRunHereSaysWhy() throws Exception {
        try (MoquetteBroker broker = MoquetteBroker.start(dir.resolve("broker"));
             TestController controller = new TestController(broker.uri(), "t")) {
            controller.serveBundle("emoji32-c2f", payload);
            JobStatusUpdate done = install(broker.uri(), controller, "pi-moved", "auto", "tflite-xnnpack,onnx-cpu",
                    "onnx", null);
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
            try (EdgeAgent agent = agent(config(broker.uri(), "pi-moved", "auto", "tflite-xnnpack"))) {
                agent.start();
                controller.await(in -> in.address().channel() == Channel.BIRTH
                        && in.address().deviceId().equals("pi-moved"), WAIT);
                controller.send("pi-moved", Channel.GENERATE_REQUEST, GenerateRequest.newBuilder()
                        .setRequestId("g-moved").setSeed(7).setCount(1).build());
                GenerateResult r = controller.await(in -> in.address().channel() == Channel.GENERATE_RESULT
                        && in.as(GenerateResult.class).getRequestId().equals("g-moved"), WAIT).as(GenerateResult.class);
                assertEquals(ErrorCode.ERROR_CODE_NOT_FOUND, r.getError().getCode(), r.toString());
                String message = r.getError().getMessage();
                assertTrue(message.startsWith("the installed bundle (slot ") && message.contains("cannot run on this device")
                        && message.contains("onnx"), message);
            }
        }
    }
}
