package io.c2f.models.training;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetExporter;
import io.c2f.models.unet.UnetWeights;
import io.c2f.models.writer.GraphForm;
import io.c2f.models.writer.WeightType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Command line: a checkpoint's EMA (or raw) weights to {@code OUT/model.tflite}, {@code OUT/model.onnx}
 * (same weights, for the ONNX Runtime engine) + {@code OUT/model.json}.
 * <pre>
 * ExportMain --checkpoint DIR --out DIR [--name NAME] [--weights ema|raw] [--type auto|fp16|fp32]
 *            [--max-fp16-error E] [--copy-checkpoint DIR] [--graph-form tiled|compact|legacy]
 * </pre>
 * {@code --graph-form} chooses the TFLite ops ({@link GraphForm}; the default is tiled; compact and
 * legacy rewrite the files exported before it byte for byte; the .onnx file is the same in every form).
 * {@code --copy-checkpoint} also writes the checkpoint's raw and EMA weights and state (without Adam
 * moments) to DIR, to be committed and resumed from with {@code TrainMain --resume DIR}.
 * {@code auto} writes fp16 weights when the largest |fp16 - fp32| output difference, over random inputs at
 * every resolution and several time steps, stays under E (default 0.01; outputs are unit-variance noise
 * predictions), else fp32. Resolution i of [32x32, 16x16] gets resolution label i, as in training.
 */
public final class ExportMain {
    public static final List<Resolution> RESOLUTIONS = List.of(new Resolution(32, 32), new Resolution(16, 16));

    private ExportMain() {
    }

    public static void main(String[] args) throws Exception {
        Path checkpoint = null;
        Path out = null;
        String name = "emoji32-c2f";
        String which = "ema";
        String type = "auto";
        double maxError = 0.01;
        Path copyCheckpoint = null;
        GraphForm form = GraphForm.DEFAULT;
        for (int i = 0; i + 1 < args.length || i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--checkpoint" -> checkpoint = Path.of(v);
                case "--out" -> out = Path.of(v);
                case "--name" -> name = v;
                case "--weights" -> which = v;
                case "--type" -> type = v;
                case "--max-fp16-error" -> maxError = Double.parseDouble(v);
                case "--copy-checkpoint" -> copyCheckpoint = Path.of(v);
                case "--graph-form" -> form = GraphForm.parse(v);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        if (checkpoint == null || out == null) {
            System.err.println("usage: ExportMain --checkpoint DIR --out DIR [--name NAME] [--weights ema|raw]"
                    + " [--type auto|fp16|fp32] [--max-fp16-error E] [--copy-checkpoint DIR] [--graph-form tiled|compact|legacy]");
            System.exit(2);
        }
        Path latest = Checkpoints.latest(checkpoint);
        CheckpointState state = Checkpoints.readState(latest);
        UnetConfig cfg = state.unet();
        Checkpoints.Loaded c = Checkpoints.load(latest, cfg);
        UnetWeights w = switch (which) {
            case "ema" -> c.ema();
            case "raw" -> c.weights();
            default -> throw new IllegalArgumentException("--weights must be ema or raw, got '" + which + "'");
        };
        System.out.printf("checkpoint %s: step %d, %.1f min of training, %s weights%n", latest, state.step(),
                state.elapsedSeconds() / 60, which);
        Files.createDirectories(out);
        if (copyCheckpoint != null) {
            Checkpoints.saveWithoutMoments(copyCheckpoint, c);
            System.out.println("copied checkpoint (raw + EMA, no Adam moments) to " + copyCheckpoint);
        }
        Path model = out.resolve("model.tflite");
        Path fp32 = Files.createTempFile("export-fp32", ".tflite");
        Path fp16 = Files.createTempFile("export-fp16", ".tflite");
        try {
            UnetExporter.ExportedModel m32 = UnetExporter.export(w, RESOLUTIONS, WeightType.FP32, form, name, fp32);
            UnetExporter.ExportedModel m16 = UnetExporter.export(w, RESOLUTIONS, WeightType.FP16, form, name, fp16);
            double err = fp16Error(m32, m16);
            System.out.printf("fp16 vs fp32 weights: max |output difference| %.3g (threshold %.3g)%n", err, maxError);
            boolean useFp16 = switch (type) {
                case "auto" -> err <= maxError;
                case "fp16" -> true;
                case "fp32" -> false;
                default -> throw new IllegalArgumentException("--type must be auto, fp16 or fp32, got '" + type + "'");
            };
            UnetExporter.ExportedModel e = UnetExporter.export(w, RESOLUTIONS, useFp16 ? WeightType.FP16 : WeightType.FP32,
                    form, name, model);
            System.out.printf("wrote %s (%s, %d bytes, sha256 %s) and %s%n", e.modelFile(), e.info().getWeightType(),
                    e.fileBytes(), e.info().getModelSha256(), e.manifestFile());
            e.info().getModelFilesList().forEach(f -> System.out.printf("  %s file %s: %d bytes, sha256 %s%n",
                    f.getEngine(), f.getPath(), f.getSizeBytes(), f.getSha256()));
            e.info().getMacsPerForwardList().forEach(mr -> System.out.printf("  MACs per image per step at %dx%d: %d%n",
                    mr.getResolution().getHeight(), mr.getResolution().getWidth(), mr.getMacs()));
        } finally {
            for (Path p : List.of(fp32, fp16)) {
                Files.deleteIfExists(p);
                Files.deleteIfExists(UnetExporter.onnxPath(p));
                Files.deleteIfExists(UnetExporter.manifestPath(p));
            }
        }
    }

    /** Largest output difference between the two models over random inputs, all resolutions, t in {10, 500, 990}. */
    static double fp16Error(UnetExporter.ExportedModel a, UnetExporter.ExportedModel b) throws IOException {
        double max = 0;
        try (TfliteDenoiser da = TfliteDenoiser.open(a.modelFile(), a.info());
             TfliteDenoiser db = TfliteDenoiser.open(b.modelFile(), b.info())) {
            SplittableRandom r = new SplittableRandom(5);
            for (Resolution res : RESOLUTIONS) {
                for (int t : new int[] {10, 500, 990}) {
                    float[] x = new float[4 * res.height() * res.width() * 3];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) r.nextGaussian();
                    }
                    ImageBatch in = new ImageBatch(x, 4, res, 3);
                    float[] ya = da.predictNoise(in, t).data();
                    float[] yb = db.predictNoise(in, t).data();
                    for (int i = 0; i < ya.length; i++) {
                        max = Math.max(max, Math.abs(ya[i] - yb[i]));
                    }
                }
            }
        } catch (io.c2f.models.diffusion.DenoiserException e) {
            throw new IOException("could not run the exported model: " + e.getMessage(), e);
        }
        return max;
    }
}
