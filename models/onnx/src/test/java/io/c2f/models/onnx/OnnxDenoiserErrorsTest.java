package io.c2f.models.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.engine.DenoiserSource;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetExporter;
import io.c2f.models.unet.UnetWeights;
import io.c2f.models.writer.WeightType;
import io.c2f.models.writer.onnx.OnnxGraph;
import io.c2f.models.writer.onnx.proto.TensorProto;
import io.c2f.proto.v1.ModelFile;
import io.c2f.proto.v1.ModelInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files and options an attacker or an accident could hand the engine, each refused with its reason. */
class OnnxDenoiserErrorsTest {
    static final UnetConfig TINY = new UnetConfig(16, List.of(1, 2), 1, Set.of(1), 4, 32, 2, 3, 1e-6f);

    @TempDir
    Path dir;
    UnetExporter.ExportedModel exported;

    @BeforeEach
    void export() throws Exception {
        exported = UnetExporter.export(UnetWeights.random(TINY, 7, 0.5),
                List.of(Resolution.square(8), Resolution.square(16)), WeightType.FP16, "tiny", dir.resolve("m.tflite"));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** The manifest with the onnx entry's sha256 replaced (as a forger who also edits the manifest would). */
    private ModelInfo withOnnxSha(String sha) {
        ModelInfo.Builder b = exported.info().toBuilder().clearModelFiles();
        for (ModelFile f : exported.info().getModelFilesList()) {
            b.addModelFiles(f.getEngine().equals("onnx") ? f.toBuilder().setSha256(sha).build() : f);
        }
        return b.build();
    }

    @Test
    void aCorruptedFileIsRefusedByItsSha256() throws Exception {
        byte[] bytes = Files.readAllBytes(exported.onnxFile());
        bytes[bytes.length / 2] ^= 0x40; // one flipped bit inside a weight
        Files.write(exported.onnxFile(), bytes);
        OnnxModelFileException e = assertThrows(OnnxModelFileException.class,
                () -> OnnxDenoiser.open(exported.onnxFile(), exported.info(), OnnxOptions.cpu(1)));
        assertTrue(e.getMessage().contains("m.onnx sha256 is " + sha256(bytes) + ", manifest says "), e.getMessage());
    }

    @Test
    void aManifestWithAnotherSha256IsRefused() {
        OnnxModelFileException e = assertThrows(OnnxModelFileException.class,
                () -> OnnxDenoiser.open(exported.onnxFile(), withOnnxSha("0".repeat(64)), OnnxOptions.cpu(1)));
        assertTrue(e.getMessage().contains("manifest says " + "0".repeat(64)), e.getMessage());
        OnnxModelFileException malformed = assertThrows(OnnxModelFileException.class,
                () -> OnnxDenoiser.open(exported.onnxFile(), withOnnxSha("ABC"), OnnxOptions.cpu(1)));
        assertTrue(malformed.getMessage().contains("not 64 lower-case hex digits: \"ABC\""), malformed.getMessage());
    }

    @Test
    void aManifestWithoutAnOnnxEntryIsRefused() {
        ModelInfo old = exported.info().toBuilder().clearModelFiles().build();
        OnnxModelFileException e = assertThrows(OnnxModelFileException.class,
                () -> OnnxDenoiser.open(exported.onnxFile(), old, OnnxOptions.cpu(1)));
        assertTrue(e.getMessage().contains("lists 0 model files for engine 'onnx'"), e.getMessage());
    }

    @Test
    void aMissingFileIsRefused() {
        OnnxModelFileException e = assertThrows(OnnxModelFileException.class,
                () -> OnnxDenoiser.open(dir.resolve("absent.onnx"), exported.info(), OnnxOptions.cpu(1)));
        assertTrue(e.getMessage().contains("cannot read model file"), e.getMessage());
    }

    @Test
    void bytesThatAreNoOnnxModelAreRefusedEvenWithAMatchingSha() throws Exception {
        byte[] garbage = "not an onnx model, but its manifest lists this very hash".getBytes();
        Path file = dir.resolve("garbage.onnx");
        Files.write(file, garbage);
        OnnxModelFileException e = assertThrows(OnnxModelFileException.class,
                () -> OnnxDenoiser.open(file, withOnnxSha(sha256(garbage)), OnnxOptions.cpu(1)));
        assertTrue(e.getMessage().contains("does not load in ONNX Runtime"), e.getMessage());
    }

    @Test
    void aForeignOnnxModelIsRefusedByItsInputs() throws Exception {
        OnnxGraph g = new OnnxGraph(WeightType.FP32);
        int in = g.input("image", TensorProto.DataType.FLOAT, "batch", 8, 8, 3);
        g.output("out", g.node("Sigmoid", new int[] {in}), TensorProto.DataType.FLOAT, "batch", 8, 8, 3);
        byte[] foreign = g.toModel("foreign", "a valid ONNX model that is no UNet").toByteArray();
        Path file = dir.resolve("foreign.onnx");
        Files.write(file, foreign);
        OnnxModelFileException e = assertThrows(OnnxModelFileException.class,
                () -> OnnxDenoiser.open(file, withOnnxSha(sha256(foreign)), OnnxOptions.cpu(1)));
        assertTrue(e.getMessage().contains("is not a c2f UNet: expected inputs [x, t, label] and output [eps], found "
                + "inputs [image], outputs [out]"), e.getMessage());
    }

    @Test
    void cudaAloneFailsWithTheReasonWhereThisBuildLacksIt() {
        boolean cudaBuilt = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        if (cudaBuilt) {
            return; // a GPU build: the reason would be the driver's, not the build's
        }
        OnnxProviderException e = assertThrows(OnnxProviderException.class,
                () -> OnnxDenoiser.open(exported.onnxFile(), exported.info(), new OnnxOptions(1, List.of("cuda"))));
        assertTrue(e.getMessage().contains("cuda: " + OnnxDenoiser.CUDA_NOT_BUILT), e.getMessage());
        assertInstanceOf(DenoiserException.class, e);
    }

    @Test
    void cudaThenCpuFallsBackToTheCpu() throws Exception {
        try (OnnxDenoiser d = OnnxDenoiser.open(exported.onnxFile(), exported.info(),
                new OnnxOptions(2, List.of("cuda", "cpu")))) {
            boolean cudaBuilt = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
            if (cudaBuilt) {
                assertTrue(Set.of("cuda", "cpu").contains(d.executionProvider()), d.executionProvider());
            } else {
                assertEquals("cpu", d.executionProvider());
                assertEquals("onnxruntime/cpu", d.engine());
            }
        }
    }

    @Test
    void badOptionsAndInputsAreRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new OnnxOptions(0, List.of("cpu")));
        assertThrows(IllegalArgumentException.class, () -> new OnnxOptions(1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new OnnxOptions(1, List.of("tpu")));
        assertThrows(IllegalArgumentException.class, () -> new OnnxOptions(1, List.of("cpu", "cpu")));
        try (OnnxDenoiser d = OnnxDenoiser.open(exported.onnxFile(), exported.info(), OnnxOptions.cpu(1))) {
            DenoiserException wrongSize = assertThrows(DenoiserException.class,
                    () -> d.predictNoise(new ImageBatch(new float[4 * 4 * 3], 1, Resolution.square(4), 3), 10));
            assertTrue(wrongSize.getMessage().contains("no session for 4x4"), wrongSize.getMessage());
            DenoiserException wrongChannels = assertThrows(DenoiserException.class,
                    () -> d.predictNoise(new ImageBatch(new float[8 * 8], 1, Resolution.square(8), 1), 10));
            assertTrue(wrongChannels.getMessage().contains("takes 3 channels, got 1"), wrongChannels.getMessage());
        }
    }

    @Test
    void theEngineIsFoundByFileSuffixAndOpensTheModel() throws Exception {
        Path onnx = exported.onnxFile();
        DenoiserSource source = DenoiserSource.forModel(onnx.toString(), 1);
        assertEquals(Resolution.square(16), source.highResolution());
        try (Denoiser d = source.open()) {
            assertEquals("onnxruntime/cpu", d.engine());
            ImageBatch eps = d.predictNoise(new ImageBatch(new float[2 * 16 * 16 * 3], 2, Resolution.square(16), 3), 3);
            assertEquals(2, eps.batch());
        }
        assertTrue(new OnnxDenoiserEngine().runtimeVersion().startsWith("1.20"), new OnnxDenoiserEngine().runtimeVersion());
    }
}
