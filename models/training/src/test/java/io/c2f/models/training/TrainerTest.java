package io.c2f.models.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetWeights;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    /** Small enough that a step takes milliseconds; same block types as edgeSmall. */
    static final UnetConfig TINY = new UnetConfig(16, List.of(1, 2), 1, Set.of(1), 4, 32, 2, 3, 1e-6f);

    static TrainingData tinyData(int n, long seed, Path dir) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] full = new float[n * 8 * 8 * 3];
        for (int i = 0; i < n; i++) {
            // smooth colour blobs: learnable structure, values in [-1, 1]
            double cx = r.nextDouble(8);
            double cy = r.nextDouble(8);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    double v = Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / 6.0);
                    for (int c = 0; c < 3; c++) {
                        full[((i * 8 + y) * 8 + x) * 3 + c] = (float) (2 * v * (c == i % 3 ? 1 : 0.3) - 1);
                    }
                }
            }
        }
        float[] low = new float[n * 4 * 4 * 3];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    for (int c = 0; c < 3; c++) {
                        float s = 0;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                s += full[((i * 8 + 2 * y + dy) * 8 + 2 * x + dx) * 3 + c];
                            }
                        }
                        low[((i * 4 + y) * 4 + x) * 3 + c] = s / 4;
                    }
                }
            }
        }
        return new TrainingData(new ImageBatch(full, n, new Resolution(8, 8), 3),
                new ImageBatch(low, n, new Resolution(4, 4), 3), "test-manifest-sha", dir);
    }

    static TrainingOptions options(Path out, double lr, int warmup) {
        return new TrainingOptions(TINY, out, out, 8, lr, warmup, 0.99, 1.0, 1.0, Long.MAX_VALUE,
                Double.POSITIVE_INFINITY, 1e9, 1000, 1, 42, 2);
    }

    @Test
    void trainingLowersTheLossOnATinySet(@TempDir Path dir) {
        TrainingData data = tinyData(4, 1, dir);
        try (Trainer trainer = Trainer.fresh(options(dir, 2e-3, 0), data)) {
            double before = trainer.evaluate(99, 64);
            Trainer.StepResult first = trainer.trainStep();
            assertTrue(Double.isFinite(first.loss()) && !first.skipped(), "first step " + first);
            for (int i = 0; i < 40; i++) {
                assertFalse(trainer.trainStep().skipped());
            }
            double after = trainer.evaluate(99, 64);
            System.out.printf("tiny set: held-fixed loss %.4f before, %.4f after 41 steps%n", before, after);
            assertTrue(after < 0.8 * before, "loss " + before + " -> " + after);
            assertEquals(41, trainer.step());
        }
    }

    /**
     * A resumed run repeats the uninterrupted run's next step: same batch, same weights, moments and
     * EMA. The exception, checked separately, is every value whose gradient is rounding noise (its saved
     * Adam second moment below 1e-6 of the largest), such as the whole attention key bias: adding a
     * vector to every key shifts each query's scores by a constant, which softmax ignores, so its
     * gradient is zero in exact arithmetic and only kernel rounding remains (MKL/oneDNN pick vector
     * paths by buffer alignment, so that rounding differs between two trainers in one process on some
     * CPUs). Adam divides by the gradient's own size, turning that noise into full-size steps of either
     * sign: those values may differ by up to two step sizes even though every byte was restored.
     */
    @Test
    void checkpointResumesExactly(@TempDir Path dir) throws Exception {
        TrainingData data = tinyData(4, 2, dir);
        TrainingOptions opt = options(dir.resolve("run"), 1e-3, 3);
        UnetWeights continuedRaw;
        UnetWeights continuedEma;
        Trainer.StepResult continuedStep;
        Path saved;
        try (Trainer a = Trainer.fresh(opt, data)) {
            a.trainStep();
            a.trainStep();
            saved = a.checkpoint();
            continuedStep = a.trainStep();
            continuedRaw = a.weights();
            continuedEma = a.emaWeights();
        }
        assertEquals("step-00000002", saved.getFileName().toString());
        Checkpoints.Loaded loaded = Checkpoints.load(saved, TINY);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        try (Trainer b = Trainer.resume(opt, data, dir.resolve("run"), quiet)) {
            assertEquals(2, b.step());
            assertEquals(0.0, maxDiff(loaded.weights(), b.weights(), name -> true));
            assertEquals(0.0, maxDiff(loaded.ema(), b.emaWeights(), name -> true));
            Trainer.StepResult resumedStep = b.trainStep();
            assertEquals(3, b.step());
            // the same batch through the same weights: the loss agrees to float rounding
            assertEquals(continuedStep.loss(), resumedStep.loss(), 1e-5 * continuedStep.loss(),
                    "step 3 loss continued vs resumed");
            ElementFilter noise = noiseGradients(loaded.adamV());
            double raw = maxDiff(continuedRaw, b.weights(), (name, i) -> !noise.test(name, i));
            double ema = maxDiff(continuedEma, b.emaWeights(), (name, i) -> !noise.test(name, i));
            double noiseRaw = maxDiff(continuedRaw, b.weights(), noise);
            double noiseEma = maxDiff(continuedEma, b.emaWeights(), noise);
            System.out.printf("resume: max |continued - resumed| raw %.3g, EMA %.3g after one more step "
                    + "(values with noise gradients, the attention key bias among them: raw %.3g, EMA %.3g)%n",
                    raw, ema, noiseRaw, noiseEma);
            assertTrue(raw < 1e-6 && ema < 1e-6, raw + " " + ema);
            double oneStep = opt.learningRate() / (1 - Math.pow(Trainer.BETA1, 3));
            assertTrue(noiseRaw <= 2 * oneStep && noiseEma <= 2 * oneStep, noiseRaw + " " + noiseEma);
        }
        // the premise of the exception: the key bias's gradients are rounding noise next to the rest
        double keyV = 0;
        double otherV = 0;
        for (String name : loaded.adamV().tensors().keySet()) {
            for (float v : loaded.adamV().get(name)) {
                if (isKeyBias(name)) {
                    keyV = Math.max(keyV, v);
                } else {
                    otherV = Math.max(otherV, v);
                }
            }
        }
        assertTrue(keyV > 0 || otherV > 0, "no Adam second moments saved");
        assertTrue(keyV < 1e-6 * otherV, "key bias second moment " + keyV + " vs the rest's " + otherV);
    }

    static boolean isKeyBias(String name) {
        return name.endsWith(".to_k.bias");
    }

    @Test
    void committedCheckpointWithoutMomentsResumes(@TempDir Path dir) throws Exception {
        TrainingData data = tinyData(4, 5, dir);
        TrainingOptions opt = options(dir.resolve("run"), 1e-3, 3);
        Path saved;
        try (Trainer a = Trainer.fresh(opt, data)) {
            a.trainStep();
            saved = a.checkpoint();
        }
        Path flat = dir.resolve("zoo-checkpoint");
        Checkpoints.saveWithoutMoments(flat, Checkpoints.load(saved, TINY));
        assertFalse(Files.exists(flat.resolve(Checkpoints.ADAM_M)));
        assertFalse(Checkpoints.readState(flat).hasAdamMoments());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        try (Trainer b = Trainer.resume(opt, data, flat, quiet)) {
            assertEquals(1, b.step());
            assertEquals(0.0, maxDiff(Checkpoints.load(saved, TINY).ema(), b.emaWeights()));
            // fresh moments: warmup restarts at the resume step
            assertEquals(1e-3 / 3, b.learningRate(), 1e-12);
            assertFalse(b.trainStep().skipped());
            assertEquals(2, b.step());
        }
    }

    @Test
    void nanGuardSkipsHalvesAndAborts(@TempDir Path dir) {
        TrainingData good = tinyData(2, 3, dir);
        float[] bad = good.full().data().clone();
        java.util.Arrays.fill(bad, Float.NaN);
        TrainingData poisoned = new TrainingData(new ImageBatch(bad, 2, good.full().resolution(), 3), good.low(),
                "sha", dir);
        try (Trainer t = Trainer.fresh(options(dir, 1e-3, 0), poisoned)) {
            UnetWeights before = t.weights();
            Trainer.StepResult r = t.trainStep();
            assertTrue(r.skipped());
            assertEquals(0.5, t.lrScale());
            assertEquals(0.0, maxDiff(before, t.weights()), "a skipped step must not move the weights");
            for (int i = 0; i < Trainer.MAX_CONSECUTIVE_BAD_STEPS - 2; i++) {
                assertTrue(t.trainStep().skipped());
            }
            Trainer.TrainingDivergedException e = assertThrows(Trainer.TrainingDivergedException.class, t::trainStep);
            assertTrue(e.getMessage().contains("consecutive"), e.getMessage());
        }
    }

    @Test
    void missingDataFileIsNamed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("manifest.json"), "{}");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> TrainingData.load(dir, "train", 32));
        assertTrue(e.getMessage().contains("train-32x32.c2fd"), e.getMessage());
        assertTrue(e.getReason().contains("PrepareData"), e.getReason());
    }

    @Test
    void checkpointOfAnotherConfigIsRefused(@TempDir Path dir) throws Exception {
        TrainingData data = tinyData(2, 4, dir);
        try (Trainer a = Trainer.fresh(options(dir.resolve("run"), 1e-3, 0), data)) {
            a.trainStep();
            a.checkpoint();
        }
        UnetConfig other = new UnetConfig(16, List.of(1, 2), 2, Set.of(1), 4, 32, 2, 3, 1e-6f);
        TrainingOptions opt = new TrainingOptions(other, dir, dir.resolve("run"), 8, 1e-3, 0, 0.99, 1, 1, 10, 1, 1, 1, 1,
                1, 1);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Checkpoints.IncompatibleCheckpointException e = assertThrows(Checkpoints.IncompatibleCheckpointException.class,
                () -> Trainer.resume(opt, data, dir.resolve("run"), quiet));
        assertTrue(e.getMessage().contains("resBlocksPerLevel=1") && e.getMessage().contains("resBlocksPerLevel=2"),
                e.getMessage());
        NoSuchFileException none = assertThrows(NoSuchFileException.class,
                () -> Trainer.resume(opt, data, dir.resolve("nothing-here"), quiet));
        assertTrue(none.getFile().endsWith("nothing-here"));
    }

    static double maxDiff(UnetWeights a, UnetWeights b) {
        return maxDiff(a, b, name -> true);
    }

    static double maxDiff(UnetWeights a, UnetWeights b, java.util.function.Predicate<String> which) {
        return maxDiff(a, b, (name, i) -> which.test(name));
    }

    /** Which values of a tensor a check covers, by tensor name and index. */
    interface ElementFilter {
        boolean test(String name, int index);
    }

    static double maxDiff(UnetWeights a, UnetWeights b, ElementFilter which) {
        double m = 0;
        for (String name : a.tensors().keySet()) {
            float[] x = a.get(name);
            float[] y = b.get(name);
            for (int i = 0; i < x.length; i++) {
                if (which.test(name, i)) {
                    m = Math.max(m, Math.abs(x[i] - y[i]));
                }
            }
        }
        return m;
    }

    /** The values whose Adam second moment is below 1e-6 of the largest: their gradients are rounding noise. */
    static ElementFilter noiseGradients(UnetWeights adamV) {
        double max = 0;
        for (String name : adamV.tensors().keySet()) {
            for (float v : adamV.get(name)) {
                max = Math.max(max, v);
            }
        }
        double bound = 1e-6 * max;
        return (name, i) -> adamV.get(name)[i] < bound;
    }
}
