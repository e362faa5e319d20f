package io.c2f.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.c2f.agent.bundle.BundleStore;
import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.agent.generate.GenerationService;
import io.c2f.agent.config.EngineSettings;
import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.image.PngImages;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetExporter;
import io.c2f.models.unet.UnetWeights;
import io.c2f.models.writer.WeightType;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.v1.BundleFile;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.ModelFile;
import io.c2f.proto.v1.ModelInfo;
import io.c2f.proto.v1.DelegateStatus;
import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.HealthProbe;
import io.c2f.proto.v1.Interpolation;
import io.c2f.proto.v1.QualityProbe;
import io.c2f.proto.v1.Sampler;
import io.c2f.proto.v1.Schedule;
import io.c2f.proto.v1.SignedManifest;
import io.c2f.proto.v1.SwitchMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine chain's decisions, link by link (fake links that refuse as told or open on real
 * TFLite, and the real TFLite links), and a bundle holding a real exported UNet installed, probed
 * and generating through it.
 */
class EngineChainTest {
    private static final UnetConfig TINY = new UnetConfig(16, List.of(1, 2), 1, Set.of(1), 4, 32, 2, 3, 1e-6f);
    private static final KeyPair KEY = Ed25519Keys.generate();

    @TempDir
    Path dir;

    private static io.c2f.proto.v1.Resolution res(int s) {
        return io.c2f.proto.v1.Resolution.newBuilder().setHeight(s).setWidth(s).build();
    }

    private InstalledSlot install(double probeThreshold, boolean corruptReference) throws Exception {
        return install(probeThreshold, corruptReference, "");
    }

    private InstalledSlot install(double probeThreshold, boolean corruptReference, String enginePin)
            throws Exception {
        UnetExporter.ExportedModel exported = UnetExporter.export(UnetWeights.random(TINY, 3, 0.3),
                List.of(Resolution.square(16), Resolution.square(8)), WeightType.FP32, "tiny",
                dir.resolve("export/model.tflite"));
        Schedule c2f = Schedule.newBuilder().setScheduleId("c2f-k6").addAllTimesteps(List.of(900, 700, 500, 300, 150, 50))
                .setSwitchIndex(3).setLowResolution(res(8)).setHighResolution(res(16))
                .setSwitchMethod(SwitchMethod.SWITCH_METHOD_UPSAMPLE_XT_VARIANCE_CORRECTED)
                .setInterpolation(Interpolation.INTERPOLATION_NEAREST).setSampler(Sampler.SAMPLER_DDIM).build();
        ImageBatch reference;
        try (TfliteDenoiser d = TfliteDenoiser.open(exported.modelFile(), exported.info())) {
            reference = new C2fExecutor(d, NoiseSchedule.fromSpec(exported.info().getNoiseSchedule()))
                    .run(C2fPlan.fromProto(c2f), new long[] {99}).images();
        }
        byte[] png = PngImages.encode(reference, 0);
        if (corruptReference) {
            float[] v = reference.data(); // a reference that no longer matches what the model makes
            for (int i = 0; i < v.length; i++) {
                v[i] = v[i] > 0 ? -1f : 1f;
            }
            png = PngImages.encode(reference, 0);
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.tflite", Files.readAllBytes(exported.modelFile()));
        files.put("model.onnx", Files.readAllBytes(exported.onnxFile()));
        BundleManifest.Builder m = BundleManifest.newBuilder().setBundleId("tiny").setVersion("1.0.0")
                .setModel(exported.info()).addSchedules(c2f).setDefaultScheduleId("c2f-k6")
                .setProbe(HealthProbe.newBuilder().setSeed(99).setScheduleId("c2f-k6")
                        .setReferencePng(ByteString.copyFrom(png)).setMinPsnrDb(probeThreshold));
        BundlePayload payload = BundlePayload.pack(files, 65536, m);
        SignedManifest signed = ManifestSigning.sign(m.build(), KEY);
        BundleStore store = new BundleStore(dir.resolve("bundles"), KEY.getPublic());
        return store.installIntoInactive(signed, m.build(), BundlePayload.unpack(m.build(), payload.bytes()),
                enginePin);
    }

    /** A link under test control: refuses as told, or opens the bundle on real TFLite under its own name. */
    private record FakeLink(String name, String engine, LinkRefusedException refusal, String unavailable,
            int[] opened) implements EngineLink {
        static FakeLink opening(String name, String engine) {
            return new FakeLink(name, engine, null, null, new int[1]);
        }

        static FakeLink refusing(String name, String engine, LinkRefusedException why) {
            return new FakeLink(name, engine, why, null, new int[1]);
        }

        static FakeLink unusable(String name, String engine, String why) {
            return new FakeLink(name, engine, LinkRefusedException.unavailable(why), why, new int[1]);
        }

        @Override
        public Denoiser open(InstalledSlot slot) throws LinkRefusedException {
            opened[0]++;
            if (refusal != null) {
                throw refusal;
            }
            return TfliteLink.cpu(1, Platform.LINUX_X86_64, false).open(slot);
        }

        @Override
        public Optional<String> unavailableReason(InstalledSlot slot) {
            return Optional.ofNullable(unavailable);
        }
    }

    private static String outcomes(ModelSession s) {
        return s.delegates().stream().map(d -> d.getName() + "/" + d.getEngine() + " "
                + d.getStatus().name().substring("DELEGATE_STATUS_".length()) + ": " + d.getReason())
                .collect(Collectors.joining("\n"));
    }

    @Test
    void theFirstLinkThatOpensRunsAndEveryLinkSaysWhy() throws Exception {
        InstalledSlot slot = install(40, false);
        FakeLink gpu = FakeLink.unusable("tflite-gpu", "tflite", "delegate library /usr/lib/libgpu.so not found");
        FakeLink cuda = FakeLink.refusing("onnx-cuda", "onnx",
                LinkRefusedException.failed("probe failed: CUDA out of memory", null));
        FakeLink xnn = FakeLink.opening("tflite-xnnpack", "tflite");
        FakeLink onnxCpu = FakeLink.opening("onnx-cpu", "onnx");
        FakeLink cpu = FakeLink.unusable("tflite-cpu", "tflite", "bundle has no .tflite file");
        try (ModelSession s = new EngineChain(List.of(gpu, cuda, xnn, onnxCpu, cpu), "").open(slot)) {
            assertEquals("""
                    tflite-gpu/tflite UNAVAILABLE: delegate library /usr/lib/libgpu.so not found
                    onnx-cuda/onnx FAILED: probe failed: CUDA out of memory
                    tflite-xnnpack/tflite ACTIVE: opened the bundle's model (tflite/cpu)
                    onnx-cpu/onnx AVAILABLE: not tried: tflite-xnnpack is active
                    tflite-cpu/tflite UNAVAILABLE: bundle has no .tflite file""", outcomes(s));
            assertEquals("tflite", s.engine());
            assertEquals("tflite-xnnpack", s.activeLink().getName());
            assertEquals(0, onnxCpu.opened()[0], "links after the active one are never opened");
        }
    }

    @Test
    void aDevicePinSkipsTheOtherEnginesLinks() throws Exception {
        InstalledSlot slot = install(40, false);
        FakeLink xnn = FakeLink.opening("tflite-xnnpack", "tflite");
        FakeLink onnxCpu = FakeLink.opening("onnx-cpu", "onnx");
        try (ModelSession s = new EngineChain(List.of(xnn, onnxCpu), "onnx").open(slot)) {
            assertEquals("""
                    tflite-xnnpack/tflite UNAVAILABLE: skipped: engine onnx is pinned by the device (c2f.engine)
                    onnx-cpu/onnx ACTIVE: opened the bundle's model (tflite/cpu)""", outcomes(s));
            assertEquals(0, xnn.opened()[0]);
        }
    }

    @Test
    void theRolloutsPinWinsOverTheDevicesAndIsKeptWithTheSlot() throws Exception {
        InstalledSlot slot = install(40, false, "tflite");
        assertEquals("tflite", slot.enginePin());
        FakeLink xnn = FakeLink.opening("tflite-xnnpack", "tflite");
        FakeLink onnxCpu = FakeLink.opening("onnx-cpu", "onnx");
        try (ModelSession s = new EngineChain(List.of(onnxCpu, xnn), "onnx").open(slot)) {
            assertEquals("onnx-cpu/onnx UNAVAILABLE: skipped: engine tflite is pinned by the rollout",
                    outcomes(s).lines().findFirst().orElseThrow());
            assertEquals("tflite-xnnpack", s.activeLink().getName());
        }
        InstalledSlot reloaded = new BundleStore(dir.resolve("bundles"), KEY.getPublic()).load(slot.slot());
        assertEquals("tflite", reloaded.enginePin(), "a restart opens the slot on the rollout's engine again");
    }

    @Test
    void aPinnedEngineThatCannotOpenTheBundleIsRefusedWithATypedReason() throws Exception {
        InstalledSlot slot = install(40, false);
        FakeLink xnn = FakeLink.opening("tflite-xnnpack", "tflite");
        FakeLink onnxCpu = FakeLink.unusable("onnx-cpu", "onnx", "bundle has no .onnx file");
        EngineRefusedException e = assertThrows(EngineRefusedException.class,
                () -> new EngineChain(List.of(xnn, onnxCpu), "onnx").open(slot));
        assertEquals(EngineRefusedException.Reason.PINNED_ENGINE_CANNOT_OPEN, e.reason());
        assertEquals("pinned_engine_cannot_open", e.refusal());
        assertEquals("engine onnx is pinned by the device (c2f.engine) and none of its links opens bundle tiny "
                + "1.0.0: onnx-cpu unavailable: bundle has no .onnx file", e.getMessage());
        assertEquals(0, xnn.opened()[0], "no fallback to another engine");
    }

    @Test
    void aPinnedEngineWithoutALinkInTheChainIsRefused() throws Exception {
        InstalledSlot slot = install(40, false, "onnx");
        EngineRefusedException e = assertThrows(EngineRefusedException.class,
                () -> new EngineChain(List.of(FakeLink.opening("tflite-cpu", "tflite")), "").open(slot));
        assertEquals(EngineRefusedException.Reason.PINNED_ENGINE_NOT_IN_CHAIN, e.reason());
        assertEquals("engine onnx is pinned by the rollout but this agent's engine chain (tflite-cpu) has no onnx "
                + "link", e.getMessage());
    }

    @Test
    void noLinkOpeningTheBundleListsEveryReason() throws Exception {
        InstalledSlot slot = install(40, false);
        EngineRefusedException e = assertThrows(EngineRefusedException.class, () -> new EngineChain(List.of(
                FakeLink.unusable("onnx-cpu", "onnx", "bundle has no .onnx file"),
                FakeLink.refusing("tflite-cpu", "tflite", LinkRefusedException.failed("interpreter failed", null))),
                "").open(slot));
        assertEquals(EngineRefusedException.Reason.NO_LINK_OPENS, e.reason());
        assertEquals("no link of the engine chain opens bundle tiny 1.0.0: onnx-cpu unavailable: bundle has no "
                + ".onnx file; tflite-cpu failed: interpreter failed", e.getMessage());
    }

    @Test
    void realTfliteLinksSayWhyTheyCannotRun() throws Exception {
        InstalledSlot slot = install(40, false);
        assertEquals(Optional.of("TFLite natives not available on linux-aarch64 (this build ships them for "
                        + "linux-x86_64 only); set -Dc2f.tflite.jni=/path/libtensorflowlite_jni.so"),
                TfliteLink.xnnpack(1, Platform.LINUX_AARCH64, false).unavailableReason(slot));
        assertEquals(Optional.empty(), TfliteLink.xnnpack(1, Platform.LINUX_AARCH64, true).unavailableReason(slot),
                "a device that brings its own JNI library may try");
        TfliteLink gpu = TfliteLink.external("gpu", dir.resolve("no/libtensorflowlite_gpu_delegate.so"),
                "TfLiteGpuDelegateV2Create", "TfLiteGpuDelegateV2Delete", 1, Platform.LINUX_X86_64, false);
        LinkRefusedException e = assertThrows(LinkRefusedException.class, () -> gpu.open(slot));
        assertEquals(DelegateStatus.DELEGATE_STATUS_UNAVAILABLE, e.status());
        assertEquals("delegate library " + dir.resolve("no/libtensorflowlite_gpu_delegate.so") + " not found",
                e.getMessage());
        InstalledSlot noModel = new InstalledSlot(slot.slot(), slot.dir(), slot.signed(),
                slot.manifest().toBuilder().clearFiles().build());
        assertEquals("bundle has no .tflite file", assertThrows(LinkRefusedException.class,
                () -> TfliteLink.cpu(1, Platform.LINUX_X86_64, false).open(noModel)).getMessage());
        assertEquals(Optional.of("bundle has no .onnx file"), OnnxLink.cpu(1).unavailableReason(noModel));
    }

    @Test
    void realOnnxLinksOpenOnCpuAndSayWhyCudaPasses() throws Exception {
        InstalledSlot slot = install(40, false);
        EngineChain chain = EngineLinks.chain(new EngineSettings(1, "onnx", "onnx-cuda,tflite-xnnpack,onnx-cpu", ""),
                Platform.LINUX_X86_64, false);
        ModelSession[] opened = new ModelSession[1];
        QualityProbe probe = new ProbeHealthCheck(chain, s -> opened[0] = s).probe(slot);
        try (ModelSession s = opened[0]) {
            assertTrue(probe.getPassed(), "the TFLite reference image at 40 dB on ONNX Runtime: " + probe);
            assertEquals("""
                    onnx-cuda/onnx UNAVAILABLE: no ONNX Runtime execution provider took %s (cuda: CUDA execution \
                    provider not in this ONNX Runtime build (onnxruntime_gpu adds it))
                    tflite-xnnpack/tflite UNAVAILABLE: skipped: engine onnx is pinned by the device (c2f.engine)
                    onnx-cpu/onnx ACTIVE: opened the bundle's model (onnxruntime/cpu)""".formatted(
                    slot.file("model.onnx")), outcomes(s));
            assertEquals("onnx", s.engine());
        }
    }

    @Test
    void anOnnxFileTheManifestDescribesOtherwiseIsRefused() throws Exception {
        InstalledSlot slot = install(40, false);
        BundleFile onnx = slot.manifest().getFilesList().stream().filter(f -> f.getPath().equals("model.onnx"))
                .findFirst().orElseThrow();
        ModelInfo lying = slot.manifest().getModel().toBuilder().clearModelFiles().addModelFiles(ModelFile.newBuilder()
                .setEngine("onnx").setPath("model.onnx").setSha256("ab".repeat(32))).build();
        InstalledSlot contradicting = new InstalledSlot(slot.slot(), slot.dir(), slot.signed(),
                slot.manifest().toBuilder().setModel(lying).build());
        LinkRefusedException e = assertThrows(LinkRefusedException.class, () -> OnnxLink.cpu(1).open(contradicting));
        assertEquals("manifest lists sha256 " + "ab".repeat(32) + " for the onnx model but its file model.onnx has "
                + onnx.getSha256(), e.getMessage());
        Files.write(slot.file("model.onnx"), new byte[] {8, 1, 2, 3}); // swapped on disk after install
        LinkRefusedException swapped = assertThrows(LinkRefusedException.class, () -> OnnxLink.cpu(1).open(slot));
        assertEquals(DelegateStatus.DELEGATE_STATUS_FAILED, swapped.status());
        assertTrue(swapped.getMessage().startsWith("model.onnx sha256 is "), swapped.getMessage());
    }

    @Test
    void theDefaultChainSuitsThePlatform() {
        assertEquals("onnx-cuda,tflite-xnnpack,onnx-cpu,tflite-cpu", EngineLinks.defaultSpec(Platform.LINUX_X86_64,
                false));
        assertEquals("tflite-gpu,onnx-cuda,onnx-cpu,tflite-xnnpack,tflite-cpu",
                EngineLinks.defaultSpec(Platform.LINUX_AARCH64, true));
        assertEquals(Platform.LINUX_AARCH64, Platform.of("Linux", "arm64"));
        assertEquals(Platform.LINUX_X86_64, Platform.of("Linux", "amd64"));
        EngineChain chain = EngineLinks.chain(new EngineSettings(2, "", "", "/usr/lib/libgpu.so"),
                Platform.LINUX_X86_64, false);
        assertEquals("tflite-gpu,onnx-cuda,tflite-xnnpack,onnx-cpu,tflite-cpu", chain.spec());
        assertEquals("c2f.engine.chain names tflite-gpu but c2f.tflite.gpu-delegate (the GPU delegate library, e.g. "
                + "/usr/lib/libtensorflowlite_gpu_delegate.so) is not set", assertThrows(IllegalArgumentException.class,
                () -> EngineLinks.chain(new EngineSettings(1, "", "tflite-gpu,tflite-cpu", ""), Platform.LINUX_X86_64,
                        false)).getMessage());
        assertEquals("c2f.engine.chain \"tflite-cpu,tensorrt\": unknown link \"tensorrt\"; links are tflite-gpu, "
                + "onnx-cuda, tflite-xnnpack, onnx-cpu, tflite-cpu", assertThrows(IllegalArgumentException.class,
                () -> EngineLinks.chain(new EngineSettings(1, "", "tflite-cpu,tensorrt", ""), Platform.LINUX_X86_64,
                        false)).getMessage());
    }

    @Test
    void aRealModelBundleIsProbedAndGeneratesPngs() throws Exception {
        InstalledSlot slot = install(40, false);
        EngineChain engine = EngineLinks.chain(new EngineSettings(1, "", "tflite-xnnpack,tflite-cpu", ""),
                Platform.LINUX_X86_64, false);
        ModelSession[] opened = new ModelSession[1];
        QualityProbe probe = new ProbeHealthCheck(engine, s -> opened[0] = s).probe(slot);
        assertTrue(probe.getPassed(), probe.toString());
        assertEquals(Double.POSITIVE_INFINITY, probe.getPsnrDb(), "same model, seed and schedule: identical pixels");
        try (ModelSession session = opened[0];
             GenerationService g = new GenerationService(2, () -> session, ModelSession::defaultScheduleId, r -> { },
                     Clock.systemUTC())) {
            assertEquals("tflite/xnnpack", session.denoiser().engine());
            assertEquals("tflite-xnnpack", session.delegates().get(0).getName());
            assertEquals("tflite", session.delegates().get(0).getEngine());
            GenerateResult r = g.generate(GenerateRequest.newBuilder().setRequestId("r").setSeed(1).setCount(2).build());
            assertEquals(2, r.getImagesCount(), r.toString());
            assertEquals(Resolution.square(16), PngImages.decode(r.getImages(0).getPng().toByteArray()).resolution());
            GenerationRecord record = r.getImages(0).getRecord();
            assertEquals("tflite/xnnpack", record.getDelegate());
            assertEquals("tflite", record.getEngine());
            assertEquals("tflite-xnnpack", record.getEngineLink());
        }
    }

    @Test
    void aReferenceTheModelDoesNotReproduceFailsTheProbe() throws Exception {
        InstalledSlot slot = install(60, true);
        EngineChain engine = new EngineChain(List.of(TfliteLink.cpu(1, Platform.LINUX_X86_64, false)), "");
        QualityProbe probe = new ProbeHealthCheck(engine, s -> { }).probe(slot);
        assertTrue(!probe.getPassed() && probe.getPsnrDb() < 60, probe.toString());
    }
}
