package io.c2f.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.c2f.agent.bundle.BundleStore;
import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.agent.generate.GenerationService;
import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.image.PngImages;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.RuntimeOptions;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetExporter;
import io.c2f.models.unet.UnetWeights;
import io.c2f.models.writer.WeightType;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.v1.BundleManifest;
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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bundle holding a real exported UNet, installed, probed and generating on TFLite in the agent. */
class TfliteEngineTest {
    private static final UnetConfig TINY = new UnetConfig(16, List.of(1, 2), 1, Set.of(1), 4, 32, 2, 3, 1e-6f);
    private static final KeyPair KEY = Ed25519Keys.generate();

    @TempDir
    Path dir;

    private static io.c2f.proto.v1.Resolution res(int s) {
        return io.c2f.proto.v1.Resolution.newBuilder().setHeight(s).setWidth(s).build();
    }

    private InstalledSlot install(double probeThreshold, boolean corruptReference) throws Exception {
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
        BundleManifest.Builder m = BundleManifest.newBuilder().setBundleId("tiny").setVersion("1.0.0")
                .setModel(exported.info()).addSchedules(c2f).setDefaultScheduleId("c2f-k6")
                .setProbe(HealthProbe.newBuilder().setSeed(99).setScheduleId("c2f-k6")
                        .setReferencePng(ByteString.copyFrom(png)).setMinPsnrDb(probeThreshold));
        BundlePayload payload = BundlePayload.pack(files, 65536, m);
        SignedManifest signed = ManifestSigning.sign(m.build(), KEY);
        BundleStore store = new BundleStore(dir.resolve("bundles"), KEY.getPublic());
        return store.installIntoInactive(signed, m.build(), BundlePayload.unpack(m.build(), payload.bytes()));
    }

    @Test
    void aRealModelBundleIsProbedAndGeneratesPngs() throws Exception {
        InstalledSlot slot = install(40, false);
        TfliteEngine engine = new TfliteEngine(RuntimeOptions.parse("1", "xnnpack,cpu"));
        ModelSession[] opened = new ModelSession[1];
        QualityProbe probe = new ProbeHealthCheck(engine, s -> opened[0] = s).probe(slot);
        assertTrue(probe.getPassed(), probe.toString());
        assertEquals(Double.POSITIVE_INFINITY, probe.getPsnrDb(), "same model, seed and schedule: identical pixels");
        try (ModelSession session = opened[0];
             GenerationService g = new GenerationService(2, () -> session, ModelSession::defaultScheduleId, r -> { },
                     Clock.systemUTC())) {
            assertEquals("tflite/xnnpack", session.denoiser().engine());
            assertEquals("xnnpack", session.delegates().get(0).getName());
            GenerateResult r = g.generate(GenerateRequest.newBuilder().setRequestId("r").setSeed(1).setCount(2).build());
            assertEquals(2, r.getImagesCount(), r.toString());
            assertEquals(Resolution.square(16), PngImages.decode(r.getImages(0).getPng().toByteArray()).resolution());
            assertEquals("tflite/xnnpack", r.getImages(0).getRecord().getDelegate());
        }
    }

    @Test
    void aReferenceTheModelDoesNotReproduceFailsTheProbe() throws Exception {
        InstalledSlot slot = install(60, true);
        QualityProbe probe = new ProbeHealthCheck(new TfliteEngine(RuntimeOptions.defaults()), s -> { }).probe(slot);
        assertTrue(!probe.getPassed() && probe.getPsnrDb() < 60, probe.toString());
    }

    @Test
    void aBundleWithoutAModelFileIsRefusedWithTheReason() throws Exception {
        InstalledSlot slot = install(40, false);
        BundleManifest noModel = slot.manifest().toBuilder().clearFiles().build();
        InstalledSlot broken = new InstalledSlot(slot.slot(), slot.dir(), slot.signed(), noModel);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TfliteEngine(RuntimeOptions.defaults()).open(broken));
        assertEquals("bundle tiny holds no .tflite file", e.getMessage());
    }
}
