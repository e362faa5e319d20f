package io.c2f.models.importer;

import io.c2f.models.tensor.Resolution;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetExporter;
import io.c2f.models.writer.WeightType;
import io.c2f.proto.v1.MacsAtResolution;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code import-diffusers --safetensors FILE [--config config.json] [--preset ddpm-cifar10]
 * --out DIR/model.tflite [--fp16] [--resolutions 32,16] [--name NAME]}: imports a diffusers
 * UNet2DModel checkpoint and writes model.tflite + model.json.
 */
public final class ImportDiffusersCommand {
    public static final String USAGE = "import-diffusers --safetensors FILE [--config config.json] [--preset ddpm-cifar10]"
            + " --out DIR/model.tflite [--fp16] [--resolutions 32,16] [--name NAME]";

    private static final Map<String, UnetConfig> PRESETS = Map.of("ddpm-cifar10", UnetConfig.ddpmCifar10());

    private ImportDiffusersCommand() {
    }

    /** Parsed command line. */
    record Options(Path safetensors, Path config, String preset, Path out, WeightType weightType,
                   List<Resolution> resolutions, String name) {
        static Options parse(List<String> args) {
            Map<String, String> values = new LinkedHashMap<>();
            boolean fp16 = false;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("--fp16")) {
                    fp16 = true;
                } else if (List.of("--safetensors", "--config", "--preset", "--out", "--resolutions", "--name").contains(a)) {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException(a + " needs a value; usage: " + USAGE);
                    }
                    values.put(a.substring(2), args.get(++i));
                } else {
                    throw new IllegalArgumentException("unknown argument '" + a + "'; usage: " + USAGE);
                }
            }
            for (String required : List.of("safetensors", "out")) {
                if (!values.containsKey(required)) {
                    throw new IllegalArgumentException("--" + required + " is required; usage: " + USAGE);
                }
            }
            String preset = values.get("preset");
            if (preset != null && !PRESETS.containsKey(preset)) {
                throw new IllegalArgumentException("unknown preset '" + preset + "'; presets: " + PRESETS.keySet());
            }
            List<Resolution> resolutions = null;
            if (values.containsKey("resolutions")) {
                resolutions = new ArrayList<>();
                for (String s : values.get("resolutions").split(",")) {
                    try {
                        resolutions.add(Resolution.square(Integer.parseInt(s.strip())));
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("--resolutions takes sizes like 32,16, got '"
                                + values.get("resolutions") + "'");
                    }
                }
            }
            Path out = Path.of(values.get("out"));
            String file = out.getFileName().toString();
            String name = values.getOrDefault("name", file.endsWith(".tflite") ? file.substring(0, file.length() - 7) : file);
            return new Options(Path.of(values.get("safetensors")), values.containsKey("config")
                    ? Path.of(values.get("config")) : null, preset, out, fp16 ? WeightType.FP16 : WeightType.FP32,
                    resolutions, name);
        }
    }

    public static void main(String[] args) throws Exception {
        try {
            run(List.of(args), System.out);
        } catch (IllegalArgumentException | DiffusersImportException e) {
            System.err.println("import-diffusers: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Runs the command, printing its report to {@code out}; returns the written model. */
    public static UnetExporter.ExportedModel run(List<String> args, PrintStream out) throws IOException {
        Options o = Options.parse(args);
        UnetConfig config;
        List<Resolution> resolutions = o.resolutions();
        if (o.config() != null) {
            DiffusersConfig dc = DiffusersConfig.read(o.config());
            if (resolutions == null) {
                int size = dc.sampleSize() != null ? dc.sampleSize() : 32;
                resolutions = List.of(Resolution.square(size), Resolution.square(size / 2));
            }
            config = dc.toUnetConfig(Math.max(2, resolutions.size()));
            if (!dc.unknownKeys().isEmpty()) {
                out.println("note: config keys not interpreted (no effect on the graph, or checked through the "
                        + "tensor shapes): " + dc.unknownKeys());
            }
            if (o.preset() != null && !PRESETS.get(o.preset()).equals(config)) {
                throw new DiffusersImportException(o.config() + " describes " + DiffusersImporter.describe(config)
                        + ", but preset " + o.preset() + " is " + DiffusersImporter.describe(PRESETS.get(o.preset())));
            }
        } else {
            config = PRESETS.get(o.preset() != null ? o.preset() : "ddpm-cifar10");
            if (resolutions == null) {
                resolutions = List.of(Resolution.square(32), Resolution.square(16));
            }
        }
        for (Resolution r : resolutions) {
            if (r.height() % config.sizeDivisor() != 0) {
                throw new IllegalArgumentException("resolution " + r + " is not divisible by " + config.sizeDivisor()
                        + " (one halving per level but the last)");
            }
        }
        DiffusersImporter.ImportedCheckpoint imported = DiffusersImporter.importCheckpoint(o.safetensors(), config);
        out.printf(Locale.ROOT, "imported %s: %,d parameters (%s), attention names %s%n", o.safetensors(),
                imported.checkpointParameters(), imported.dtypes(), imported.attentionNaming().name().toLowerCase(Locale.ROOT));
        if (imported.labelTableZeroed()) {
            out.printf(Locale.ROOT, "resolution-label table %s created as zeros [%d, %d] (+%,d parameters): the model "
                            + "equals the original at every resolution until fine-tuned%n", DiffusersImporter.LABEL_TABLE,
                    config.numResolutionLabels(), config.timeEmbedDim(),
                    (long) config.numResolutionLabels() * config.timeEmbedDim());
        } else {
            out.printf(Locale.ROOT, "resolution-label table %s [%d, %d] taken from the checkpoint (counted above)%n",
                    DiffusersImporter.LABEL_TABLE, config.numResolutionLabels(), config.timeEmbedDim());
        }
        UnetExporter.ExportedModel model = UnetExporter.export(imported.weights(), resolutions, o.weightType(), o.name(),
                o.out());
        out.printf(Locale.ROOT, "wrote %s (%s weights, %.1f MB) and %s: %,d parameters%n", model.modelFile(),
                o.weightType().label(), model.fileBytes() / 1e6, model.manifestFile(), model.info().getParameters());
        for (int i = 0; i < model.info().getMacsPerForwardCount(); i++) {
            MacsAtResolution m = model.info().getMacsPerForward(i);
            out.printf(Locale.ROOT, "  %dx%d (label %d): %.3f GMACs per image per forward%n", m.getResolution().getHeight(),
                    m.getResolution().getWidth(), i, m.getMacs() / 1e9);
        }
        return model;
    }
}
