package io.c2f.models.importer;

import static io.c2f.models.testing.FloatArrays.gaussian;
import static io.c2f.models.testing.FloatArrays.maxAbs;
import static io.c2f.models.testing.FloatArrays.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.reference.Nhwc;
import io.c2f.models.reference.ReferenceUnet;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetExporter;
import io.c2f.models.unet.UnetWeights;
import io.c2f.proto.v1.ModelInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffusersImporterTest {
    /** Published parameter count of google/ddpm-cifar10-32. */
    static final long DDPM_CIFAR10_PARAMETERS = 35_746_307L;

    /** Small UNet with the same naming scheme: [32, 64], one resnet per level, attention at level 1. */
    static final String SMALL_CONFIG = """
            {"_class_name": "UNet2DModel", "act_fn": "silu", "attention_head_dim": null,
             "block_out_channels": [32, 64], "center_input_sample": false,
             "down_block_types": ["DownBlock2D", "AttnDownBlock2D"], "downsample_padding": 0,
             "flip_sin_to_cos": false, "freq_shift": 1, "in_channels": 3, "layers_per_block": 1,
             "mid_block_scale_factor": 1, "norm_eps": 1e-06, "norm_num_groups": 8, "out_channels": 3,
             "sample_size": 32, "time_embedding_type": "positional",
             "up_block_types": ["AttnUpBlock2D", "UpBlock2D"]}
            """;
    static final UnetConfig SMALL = new UnetConfig(32, List.of(1, 2), 1, Set.of(1), 8, 128, 2, 3, 1e-6f);

    @TempDir
    Path dir;

    @Test
    void ddpmCifar10LayoutInF32ImportsEveryTensorToItsPlace() throws Exception {
        Map<String, int[]> layout = Checkpoints.ddpmCifar10Layout();
        assertEquals(DDPM_CIFAR10_PARAMETERS, layout.values().stream().mapToLong(Checkpoints::numel).sum(),
                "the test's own enumeration of the checkpoint must have the published size");
        Map<String, float[]> values = Checkpoints.randomValues(layout, 1, "F32");
        Path file = dir.resolve("diffusion_pytorch_model.safetensors");
        Checkpoints.write(file, values, layout, "F32");
        checkImport(file, values, "F32");
    }

    @Test
    void ddpmCifar10LayoutInF16ImportsAndExportsThroughTheCommandWithItsPublishedConfig() throws Exception {
        Map<String, int[]> layout = Checkpoints.ddpmCifar10Layout();
        Map<String, float[]> values = Checkpoints.randomValues(layout, 2, "F16");
        Path file = dir.resolve("diffusion_pytorch_model.safetensors");
        Checkpoints.write(file, values, layout, "F16");
        checkImport(file, values, "F16");

        Path config = dir.resolve("config.json");
        Files.writeString(config, Checkpoints.DDPM_CIFAR10_CONFIG);
        assertEquals(UnetConfig.ddpmCifar10(), DiffusersConfig.read(config).toUnetConfig(2),
                "the published config.json must map to the ddpm-cifar10 preset");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        UnetExporter.ExportedModel m = ImportDiffusersCommand.run(List.of("--safetensors", file.toString(), "--config",
                config.toString(), "--preset", "ddpm-cifar10", "--out", dir.resolve("out/ddpm.tflite").toString(),
                "--fp16", "--resolutions", "32,16"), new PrintStream(text, true, StandardCharsets.UTF_8));
        String report = text.toString(StandardCharsets.UTF_8);
        System.out.print(report);
        ModelInfo info = UnetExporter.readManifest(dir.resolve("out/ddpm.json"));
        assertEquals(m.info(), info);
        assertEquals(DDPM_CIFAR10_PARAMETERS + 2 * 512, info.getParameters());
        assertEquals("fp16", info.getWeightType());
        assertEquals(32, info.getMacsPerForward(0).getResolution().getHeight());
        double g32 = info.getMacsPerForward(0).getMacs() / 1e9;
        double g16 = info.getMacsPerForward(1).getMacs() / 1e9;
        assertEquals(6.2, g32, 0.15, "MACs per forward at 32x32");
        assertEquals(1.5, g16, 0.1, "MACs per forward at 16x16");
        assertTrue(report.contains("35,746,307 parameters"), report);
        assertTrue(report.contains("attention names deprecated"), report);
        assertTrue(report.contains("created as zeros [2, 512]"), report);
        // Full-size parity at 16x16 (the cheaper resolution): the F16 values are exact in the fp16 export,
        // and the yardstick is built from the written values renamed by hand, not by the importer.
        Map<String, float[]> expected = new LinkedHashMap<>();
        values.forEach((k, v) -> expected.put(renamedByHand(k), v));
        expected.put("class_embedding.weight", new float[2 * 512]);
        ReferenceUnet reference = new ReferenceUnet(UnetWeights.of(UnetConfig.ddpmCifar10(), expected));
        float[] x = gaussian(16 * 16 * 3, 16);
        float[] ref = reference.forward(new Nhwc(x, 1, 16, 16, 3), new float[] {999}, 1).data();
        try (TfliteDenoiser d = TfliteDenoiser.open(m.modelFile(), info)) {
            float[] eps = d.predictNoise(new ImageBatch(x.clone(), 1, Resolution.square(16), 3), 999).data();
            float err = maxAbsDiff(eps, ref);
            System.out.printf("imported ddpm-cifar10 layout (fp16 export) 16x16: TFLite vs reference max abs error %.3g "
                    + "(max |ref| %.3g)%n", err, maxAbs(ref));
            assertTrue(err <= 1e-4f * Math.max(1f, maxAbs(ref)), "error " + err);
        }
    }

    private static String renamedByHand(String deprecated) {
        return deprecated.replace(".query.", ".to_q.").replace(".key.", ".to_k.").replace(".value.", ".to_v.")
                .replace(".proj_attn.", ".to_out.0.");
    }

    /** Imports with the preset and compares every tensor, and a few by hand, with what was written. */
    private static void checkImport(Path file, Map<String, float[]> written, String dtype)
            throws Exception {
        DiffusersImporter.ImportedCheckpoint imported = DiffusersImporter.importCheckpoint(file, UnetConfig.ddpmCifar10());
        UnetWeights w = imported.weights();
        System.out.printf("ddpm-cifar10 layout (%s): %d checkpoint parameters, %d imported (with label table), naming %s%n",
                dtype, imported.checkpointParameters(), w.parameterCount(), imported.attentionNaming());
        assertEquals(DDPM_CIFAR10_PARAMETERS, imported.checkpointParameters());
        assertEquals(DDPM_CIFAR10_PARAMETERS + 2 * 512, w.parameterCount());
        assertEquals(DiffusersImporter.AttentionNaming.DEPRECATED, imported.attentionNaming());
        assertEquals(Map.of(dtype, written.size()), imported.dtypes());
        assertTrue(imported.labelTableZeroed());
        assertArrayEquals(new float[2 * 512], w.get("class_embedding.weight"));
        assertArrayEquals(new int[] {2, 512}, w.shape("class_embedding.weight"));
        for (Map.Entry<String, float[]> e : written.entrySet()) {
            assertArrayEquals(e.getValue(), w.get(DiffusersImporter.currentName(e.getKey())), e.getKey());
        }
        // By hand: attention renames, a shortcut conv over concatenated skips, the output conv.
        assertArrayEquals(written.get("down_blocks.1.attentions.0.query.weight"),
                w.get("down_blocks.1.attentions.0.to_q.weight"));
        assertArrayEquals(written.get("mid_block.attentions.0.proj_attn.bias"), w.get("mid_block.attentions.0.to_out.0.bias"));
        assertArrayEquals(written.get("up_blocks.2.attentions.2.value.weight"), w.get("up_blocks.2.attentions.2.to_v.weight"));
        assertArrayEquals(written.get("up_blocks.2.attentions.1.key.bias"), w.get("up_blocks.2.attentions.1.to_k.bias"));
        assertArrayEquals(new int[] {128, 384, 1, 1}, w.shape("up_blocks.3.resnets.0.conv_shortcut.weight"));
        assertArrayEquals(written.get("up_blocks.3.resnets.0.conv_shortcut.weight"),
                w.get("up_blocks.3.resnets.0.conv_shortcut.weight"));
        assertArrayEquals(written.get("conv_out.weight"), w.get("conv_out.weight"));
        assertEquals(written.get("conv_out.weight")[5], w.get("conv_out.weight")[5]);
    }

    /** The small checkpoint: random weights in deprecated names, no label table. */
    private Map<String, float[]> writeSmall(Path file) throws Exception {
        Map<String, int[]> current = new LinkedHashMap<>(SMALL.parameterShapes());
        current.remove("class_embedding.weight");
        Map<String, int[]> layout = Checkpoints.deprecatedNames(current);
        Map<String, float[]> values = Checkpoints.randomValues(layout, 3, "F32");
        Checkpoints.write(file, values, layout, "F32");
        return values;
    }

    @Test
    void smallCheckpointImportedAndExportedMatchesTheReferenceAndIgnoresTheZeroLabel() throws Exception {
        Path file = dir.resolve("small.safetensors");
        Map<String, float[]> values = writeSmall(file);
        Path config = dir.resolve("config.json");
        Files.writeString(config, SMALL_CONFIG);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        UnetExporter.ExportedModel m = ImportDiffusersCommand.run(List.of("--safetensors", file.toString(), "--config",
                config.toString(), "--out", dir.resolve("small.tflite").toString()), quiet);
        // 32x32 gets label 1 here, label 0 above.
        UnetExporter.ExportedModel swapped = ImportDiffusersCommand.run(List.of("--safetensors", file.toString(),
                "--config", config.toString(), "--resolutions", "16,32", "--out", dir.resolve("swapped.tflite").toString()),
                quiet);

        // The yardstick is built from the written values directly (renamed by hand), not from the importer.
        Map<String, float[]> expected = new LinkedHashMap<>();
        values.forEach((k, v) -> expected.put(renamedByHand(k), v));
        expected.put("class_embedding.weight", new float[2 * 128]);
        ReferenceUnet reference = new ReferenceUnet(UnetWeights.of(SMALL, expected));
        try (TfliteDenoiser d = TfliteDenoiser.open(m.modelFile(), m.info());
             TfliteDenoiser s = TfliteDenoiser.open(swapped.modelFile(), swapped.info())) {
            for (int side : new int[] {32, 16}) {
                Resolution r = Resolution.square(side);
                int batch = 2;
                float[] x = gaussian(batch * r.pixels() * 3, side);
                float[] eps = d.predictNoise(new ImageBatch(x.clone(), batch, r, 3), 321).data();
                int label = side == 32 ? 0 : 1;
                float[] ref = reference.forward(new Nhwc(x, batch, side, side, 3), new float[] {321, 321}, label).data();
                float err = maxAbsDiff(eps, ref);
                System.out.printf("imported small UNet %s label %d: TFLite vs reference max abs error %.3g (max |ref| %.3g)%n",
                        r, label, err, maxAbs(ref));
                assertTrue(err <= 1e-4f * Math.max(1f, maxAbs(ref)), "error " + err + " at " + r);
                float[] other = s.predictNoise(new ImageBatch(x.clone(), batch, r, 3), 321).data();
                assertArrayEquals(eps, other, "zero label rows: label " + label + " and label " + (1 - label)
                        + " must give the same output at " + r);
            }
        }
    }

    @Test
    void currentAttentionNamesImportTheSame() throws Exception {
        Map<String, int[]> current = new LinkedHashMap<>(SMALL.parameterShapes());
        current.remove("class_embedding.weight");
        Map<String, float[]> values = Checkpoints.randomValues(current, 4, "F32");
        Path file = dir.resolve("current.safetensors");
        Checkpoints.write(file, values, current, "F32");
        DiffusersImporter.ImportedCheckpoint imported = DiffusersImporter.importCheckpoint(file, SMALL);
        assertEquals(DiffusersImporter.AttentionNaming.CURRENT, imported.attentionNaming());
        values.forEach((k, v) -> assertArrayEquals(v, imported.weights().get(k), k));

        // A checkpoint that has a label table keeps it.
        float[] table = gaussian(2 * 128, 9);
        Map<String, Checkpoints.Entry> entries = entries(values, current);
        entries.put("class_embedding.weight", Checkpoints.Entry.of("F32", new int[] {2, 128}, table));
        Checkpoints.write(file, entries);
        DiffusersImporter.ImportedCheckpoint labelled = DiffusersImporter.importCheckpoint(file, SMALL);
        assertTrue(!labelled.labelTableZeroed());
        assertArrayEquals(table, labelled.weights().get("class_embedding.weight"));
    }

    @Test
    void badCheckpointsAreRefusedPrecisely() throws Exception {
        Path good = dir.resolve("good.safetensors");
        Map<String, float[]> values = writeSmall(good);
        Map<String, int[]> layout = Checkpoints.deprecatedNames(withoutLabels(SMALL.parameterShapes()));
        byte[] bytes = Files.readAllBytes(good);

        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        expectError(tiny, "shorter than the 8-byte header length");

        Path truncatedHeader = dir.resolve("truncated-header.safetensors");
        Files.write(truncatedHeader, java.util.Arrays.copyOf(bytes, 200));
        expectError(truncatedHeader, "does not fit the file (200 bytes): truncated");

        Path cutJson = dir.resolve("cut-json.safetensors");
        byte[] cut = java.util.Arrays.copyOf(bytes, 8 + 100);
        java.nio.ByteBuffer.wrap(cut).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, 100);
        Files.write(cutJson, cut);
        expectError(cutJson, "safetensors header (100 bytes) is not a JSON object");

        Path truncatedData = dir.resolve("truncated-data.safetensors");
        Files.write(truncatedData, java.util.Arrays.copyOf(bytes, bytes.length - 4));
        expectError(truncatedData, "the file is truncated");

        Map<String, Checkpoints.Entry> entries = entries(values, layout);
        entries.put("up_blocks.0.attentions.0.rel_pos_bias", Checkpoints.Entry.of("F32", new int[] {4}, new float[4]));
        entries.put("time_embedding.cond_proj.weight", Checkpoints.Entry.of("F32", new int[] {2, 2}, new float[4]));
        Path unknown = dir.resolve("unknown.safetensors");
        Checkpoints.write(unknown, entries);
        expectError(unknown, "2 unexpected tensors (not part of a UNet with block_out_channels [32, 64], layers_per_block 1,"
                + " attention at down levels [1], time embedding 128, 2 resolution labels):\n"
                + "    time_embedding.cond_proj.weight F32[2, 2]\n    up_blocks.0.attentions.0.rel_pos_bias F32[4]");

        entries = entries(values, layout);
        entries.put("down_blocks.1.attentions.0.query.weight", Checkpoints.Entry.of("F32", new int[] {64, 64, 1, 1},
                values.get("down_blocks.1.attentions.0.query.weight")));
        entries.remove("conv_out.bias");
        Path shape = dir.resolve("shape.safetensors");
        Checkpoints.write(shape, entries);
        String message = expectError(shape, "1 shape mismatches:\n    down_blocks.1.attentions.0.query.weight (as "
                + "down_blocks.1.attentions.0.to_q.weight): file shape [64, 64, 1, 1], expected [64, 64]");
        assertTrue(message.contains("1 missing tensors:\n    conv_out.bias"), message);

        entries = entries(values, layout);
        entries.put("conv_in.bias", new Checkpoints.Entry("F64", new int[] {32}, null, new byte[32 * 8]));
        Path f64 = dir.resolve("f64.safetensors");
        Checkpoints.write(f64, entries);
        expectError(f64, "tensor conv_in.bias has dtype F64; importable dtypes are F32, F16 and BF16");

        entries = entries(values, layout);
        entries.put("conv_in.bias", new Checkpoints.Entry("F32", new int[] {32}, null, new byte[32 * 2]));
        Path offsets = dir.resolve("offsets.safetensors");
        Checkpoints.write(offsets, entries);
        expectError(offsets, "tensor conv_in.bias: data_offsets [");

        entries = entries(values, layout);
        entries.put("mid_block.attentions.0.to_q.weight", entries.get("mid_block.attentions.0.query.weight"));
        Path both = dir.resolve("both.safetensors");
        Checkpoints.write(both, entries);
        expectError(both, "mid_block.attentions.0.query.weight and mid_block.attentions.0.to_q.weight are both "
                + "mid_block.attentions.0.to_q.weight");

        // The ddpm-cifar10 checkpoint under the wrong (small) configuration: listed and counted, not dumped.
        Path big = dir.resolve("big.safetensors");
        Map<String, int[]> ddpm = Checkpoints.ddpmCifar10Layout();
        Map<String, Checkpoints.Entry> huge = new LinkedHashMap<>();
        ddpm.forEach((k, s) -> huge.put(k, new Checkpoints.Entry("F16", s, null, new byte[(int) Checkpoints.numel(s) * 2])));
        Checkpoints.write(big, huge);
        message = expectError(big, "shape mismatches:\n    conv_in.weight: file shape [128, 3, 3, 3], expected [32, 3, 3, 3]");
        assertTrue(message.contains(" more"), message);
    }

    @Test
    void unsupportedConfigurationsAreRefusedWithEveryReason() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, SMALL_CONFIG.replace("\"flip_sin_to_cos\": false", "\"flip_sin_to_cos\": true")
                .replace("\"attention_head_dim\": null", "\"attention_head_dim\": 8")
                .replace("\"positional\"", "\"fourier\"").replace("\"downsample_padding\": 0", "\"downsample_padding\": 1")
                .replace("[\"AttnUpBlock2D\", \"UpBlock2D\"]", "[\"UpBlock2D\", \"AttnUpBlock2D\"]"));
        DiffusersImportException e = assertThrows(DiffusersImportException.class,
                () -> DiffusersConfig.read(config).toUnetConfig(2));
        System.out.println(e.getMessage());
        for (String reason : List.of("time_embedding_type is fourier", "flip_sin_to_cos is true",
                "downsample_padding is 1", "attention_head_dim is 8: down_blocks.1 would have 8 heads over 64 channels",
                "mid_block would have 8 heads", "down_block_types[0] DownBlock2D and up_block_types[1] AttnUpBlock2D")) {
            assertTrue(e.getMessage().contains(reason), reason + " missing from: " + e.getMessage());
        }

        // Keys left out take the diffusers defaults, which this graph does not implement.
        Files.writeString(config, "{\"block_out_channels\": [32, 64], \"down_block_types\": [\"DownBlock2D\", "
                + "\"AttnDownBlock2D\"], \"up_block_types\": [\"AttnUpBlock2D\", \"UpBlock2D\"], \"some_new_key\": 1}");
        DiffusersConfig defaults = DiffusersConfig.read(config);
        assertEquals(List.of("some_new_key"), defaults.unknownKeys());
        e = assertThrows(DiffusersImportException.class, () -> defaults.toUnetConfig(2));
        assertTrue(e.getMessage().contains("flip_sin_to_cos is true") && e.getMessage().contains("freq_shift is 0.0"),
                e.getMessage());

        Files.writeString(config, "{\"block_out_channels\": \"128\"}");
        e = assertThrows(DiffusersImportException.class, () -> DiffusersConfig.read(config));
        assertTrue(e.getMessage().contains("block_out_channels is \"128\", expected a list of integers"), e.getMessage());

        // A config that does not describe the preset asked for.
        Files.writeString(config, SMALL_CONFIG);
        Path file = dir.resolve("small.safetensors");
        writeSmall(file);
        e = assertThrows(DiffusersImportException.class, () -> ImportDiffusersCommand.run(List.of("--safetensors",
                file.toString(), "--config", config.toString(), "--preset", "ddpm-cifar10", "--out",
                dir.resolve("x.tflite").toString()), System.out));
        assertTrue(e.getMessage().contains("but preset ddpm-cifar10 is a UNet with block_out_channels [128, 256, 256, 256]"),
                e.getMessage());
        IllegalArgumentException usage = assertThrows(IllegalArgumentException.class, () -> ImportDiffusersCommand.run(
                List.of("--safetensors", file.toString()), System.out));
        assertTrue(usage.getMessage().startsWith("--out is required"), usage.getMessage());
    }

    private String expectError(Path file, String expected) {
        DiffusersImportException e = assertThrows(DiffusersImportException.class,
                () -> DiffusersImporter.importCheckpoint(file, SMALL));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        System.out.println(e.getMessage().lines().limit(4).reduce((a, b) -> a + "\n" + b).orElse(""));
        return e.getMessage();
    }

    private static Map<String, int[]> withoutLabels(Map<String, int[]> shapes) {
        Map<String, int[]> m = new LinkedHashMap<>(shapes);
        m.remove("class_embedding.weight");
        return m;
    }

    private static Map<String, Checkpoints.Entry> entries(Map<String, float[]> values, Map<String, int[]> shapes) {
        Map<String, Checkpoints.Entry> m = new java.util.TreeMap<>();
        values.forEach((k, v) -> m.put(k, Checkpoints.Entry.of("F32", shapes.get(k), v)));
        return m;
    }

}
