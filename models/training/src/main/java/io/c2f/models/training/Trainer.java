package io.c2f.models.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetWeights;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * DDPM epsilon-prediction training of the multi-resolution UNet (METHOD.md "1DM-label"): each step
 * draws a batch at full resolution (label 0) and a batch at half resolution (label 1), uniform
 * t in [0, T), x_t = sqrt(abar) x0 + sqrt(1 - abar) eps, loss = mse_full + w * mse_low. Adam with
 * linear warmup, global-norm clipping, an EMA copy of the weights, random horizontal flips.
 *
 * <p>Everything random in step s comes from a generator seeded by (seed, s), so a resumed run draws
 * exactly the batches and noise the uninterrupted run would have drawn.
 */
final class Trainer implements AutoCloseable {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double ADAM_EPS = 1e-8;
    static final int MAX_CONSECUTIVE_BAD_STEPS = 5;

    private final TrainingOptions opt;
    private final TrainingData data;
    private final NDManager root;
    private final DjlUnet model;
    private final Map<String, NDArray> ema = new LinkedHashMap<>();
    private final Map<String, NDArray> adamM = new LinkedHashMap<>();
    private final Map<String, NDArray> adamV = new LinkedHashMap<>();
    private final double[] alphaBar;
    private long step;
    private long adamSteps;
    private long adamStartStep;
    private double lrScale;
    private double elapsedBefore;
    private int consecutiveBad;
    private final long sessionStart = System.nanoTime();

    /** One optimiser step's outcome; skipped when the loss or gradient was not finite. */
    public record StepResult(long step, double loss, double lossFull, double lossLow, double gradNorm, boolean skipped) {
    }

    private Trainer(TrainingOptions opt, TrainingData data, UnetWeights weights, UnetWeights emaWeights, UnetWeights m,
                    UnetWeights v, long step, double lrScale, double elapsedBefore) {
        if (opt.unet().numResolutionLabels() < 2) {
            throw new IllegalArgumentException("multi-resolution training needs 2 resolution labels, config has "
                    + opt.unet().numResolutionLabels());
        }
        if (data.full().height() % opt.unet().sizeDivisor() != 0 || data.low().height() % opt.unet().sizeDivisor() != 0) {
            throw new IllegalArgumentException("image sizes " + data.full().resolution() + "/" + data.low().resolution()
                    + " not divisible by " + opt.unet().sizeDivisor());
        }
        this.opt = opt;
        this.data = data;
        this.root = Engine.getEngine("PyTorch").newBaseManager();
        this.model = DjlUnet.fromUnetWeights(root, weights);
        NDManager pm = model.parameterManager();
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            NDArray p = e.getValue();
            ema.put(e.getKey(), pm.create(Arrays.copyOf(emaWeights.get(e.getKey()), (int) p.size()), p.getShape()));
            adamM.put(e.getKey(), m != null ? pm.create(Arrays.copyOf(m.get(e.getKey()), (int) p.size()), p.getShape())
                    : pm.zeros(p.getShape()));
            adamV.put(e.getKey(), v != null ? pm.create(Arrays.copyOf(v.get(e.getKey()), (int) p.size()), p.getShape())
                    : pm.zeros(p.getShape()));
        }
        NoiseSchedule schedule = NoiseSchedule.ddpmLinear();
        this.alphaBar = schedule.alphasCumprod();
        this.step = step;
        // without saved moments Adam restarts: bias correction and warmup count from here
        this.adamStartStep = m != null ? 0 : step;
        this.adamSteps = step - adamStartStep;
        this.lrScale = lrScale;
        this.elapsedBefore = elapsedBefore;
    }

    public static Trainer fresh(TrainingOptions opt, TrainingData data) {
        UnetWeights init = Initialization.pytorchDefault(opt.unet(), opt.seed());
        return new Trainer(opt, data, init, init, null, null, 0, 1.0, 0);
    }

    /** Continues from the newest checkpoint in {@code dir} (or the checkpoint {@code dir}). */
    public static Trainer resume(TrainingOptions opt, TrainingData data, Path dir, PrintStream log) throws IOException {
        Path latest = Checkpoints.latest(dir);
        Checkpoints.Loaded c = Checkpoints.load(latest, opt.unet());
        CheckpointState s = c.state();
        if (!data.manifestSha256().equals(s.dataManifestSha256())) {
            log.println("warning: " + latest + " was trained on data with manifest sha256 " + s.dataManifestSha256()
                    + ", now " + data.manifestSha256() + " (" + data.directory() + ")");
        }
        log.println("resuming from " + latest + " at step " + s.step() + (c.adamM() == null
                ? " (no Adam moments saved: Adam restarts with a fresh warmup)" : " (with Adam moments)"));
        return new Trainer(opt, data, c.weights(), c.ema(), c.adamM(), c.adamV(), s.step(), s.lrScale(),
                s.elapsedSeconds());
    }

    public long step() {
        return step;
    }

    public double lrScale() {
        return lrScale;
    }

    public UnetWeights weights() {
        return model.toUnetWeights();
    }

    public UnetWeights emaWeights() {
        return toWeights(ema);
    }

    double learningRate() {
        double warm = opt.warmupSteps() == 0 ? 1 : Math.min(1.0, (adamSteps + 1.0) / opt.warmupSteps());
        return opt.learningRate() * warm * lrScale;
    }

    /** One optimiser step over a full-resolution and a half-resolution batch. */
    public StepResult trainStep() {
        SplittableRandom rng = new SplittableRandom(opt.seed() * 0x9E3779B97F4A7C15L + step);
        int b = opt.batch();
        try (NDManager s = model.parameterManager().newSubManager()) {
            Batch full = batch(s, data.full(), b, rng);
            Batch low = batch(s, data.low(), b, rng);
            NDArray lossFull;
            NDArray lossLow;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                lossFull = model.forward(full.xt, full.t, 0).sub(full.eps).square().mean();
                lossLow = model.forward(low.xt, low.t, 1).sub(low.eps).square().mean();
                gc.backward(lossFull.add(lossLow.mul(opt.lowResWeight())));
            }
            double lf = lossFull.getFloat();
            double ll = lossLow.getFloat();
            double loss = lf + opt.lowResWeight() * ll;
            Map<String, NDArray> grads = new LinkedHashMap<>();
            double sq = 0;
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                NDArray g = ParameterStore.onStep(e.getValue().getGradient(), s);
                grads.put(e.getKey(), g);
                sq += g.square().sum().getFloat();
            }
            double norm = Math.sqrt(sq);
            if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                grads.values().forEach(g -> g.muli(0));
                lrScale /= 2;
                step++;
                if (++consecutiveBad >= MAX_CONSECUTIVE_BAD_STEPS) {
                    throw new TrainingDivergedException("loss " + loss + ", gradient norm " + norm + " for "
                            + consecutiveBad + " consecutive steps (last " + step + "); learning-rate scale now " + lrScale);
                }
                return new StepResult(step, loss, lf, ll, norm, true);
            }
            consecutiveBad = 0;
            double clip = opt.clipNorm() > 0 && norm > opt.clipNorm() ? opt.clipNorm() / norm : 1.0;
            adamUpdate(grads, clip);
            step++;
            adamSteps++;
            updateEma();
            grads.values().forEach(g -> g.muli(0));
            return new StepResult(step, loss, lf, ll, norm, false);
        }
    }

    /**
     * The training loss (mse_full + w * mse_low) on {@code n} images, times and noises drawn from
     * {@code seed} alone: the same numbers before and after training, for comparisons. No gradient.
     */
    public double evaluate(long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        try (NDManager s = model.parameterManager().newSubManager()) {
            Batch full = batch(s, data.full(), n, rng);
            Batch low = batch(s, data.low(), n, rng);
            double lf = model.forward(full.xt, full.t, 0).sub(full.eps).square().mean().getFloat();
            double ll = model.forward(low.xt, low.t, 1).sub(low.eps).square().mean().getFloat();
            return lf + opt.lowResWeight() * ll;
        }
    }

    private void adamUpdate(Map<String, NDArray> grads, double clip) {
        double lr = learningRate();
        long k = adamSteps + 1;
        double c1 = 1 - Math.pow(BETA1, k);
        double c2 = 1 - Math.pow(BETA2, k);
        double stepSize = lr / c1;
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            NDArray g = grads.get(e.getKey());
            if (clip != 1.0) {
                g.muli(clip);
            }
            NDArray m = adamM.get(e.getKey());
            NDArray v = adamV.get(e.getKey());
            try (NDArray g1 = g.mul(1 - BETA1); NDArray g2 = g.square().muli(1 - BETA2)) {
                m.muli(BETA1).addi(g1);
                v.muli(BETA2).addi(g2);
            }
            try (NDArray vHat = v.div(c2); NDArray denom = vHat.sqrt(); NDArray update = m.mul(stepSize)) {
                denom.addi(ADAM_EPS);
                update.divi(denom);
                e.getValue().subi(update);
            }
        }
    }

    private void updateEma() {
        double d = Math.min(opt.emaDecay(), (1.0 + step) / (10.0 + step));
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            try (NDArray w = e.getValue().mul(1 - d)) {
                ema.get(e.getKey()).muli(d).addi(w);
            }
        }
    }

    private record Batch(NDArray xt, NDArray eps, float[] t) {
    }

    /** Random images (with replacement), random horizontal flips, uniform t, forward diffusion in Java. */
    private Batch batch(NDManager s, ImageBatch set, int n, SplittableRandom rng) {
        int h = set.height();
        int w = set.width();
        int c = set.channels();
        int size = h * w * c;
        float[] xt = new float[n * size];
        float[] eps = new float[n * size];
        float[] t = new float[n];
        float[] src = set.data();
        for (int i = 0; i < n; i++) {
            int img = rng.nextInt(set.batch());
            boolean flip = rng.nextBoolean();
            int ti = rng.nextInt(alphaBar.length);
            t[i] = ti;
            float a = (float) Math.sqrt(alphaBar[ti]);
            float sgm = (float) Math.sqrt(1 - alphaBar[ti]);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int from = img * size + (y * w + (flip ? w - 1 - x : x)) * c;
                    int to = i * size + (y * w + x) * c;
                    for (int ch = 0; ch < c; ch++) {
                        float e = (float) rng.nextGaussian();
                        eps[to + ch] = e;
                        xt[to + ch] = a * src[from + ch] + sgm * e;
                    }
                }
            }
        }
        return new Batch(Layouts.nchw(s, xt, n, h, w, c), Layouts.nchw(s, eps, n, h, w, c), t);
    }

    public double elapsedSeconds() {
        return elapsedBefore + (System.nanoTime() - sessionStart) / 1e9;
    }

    /** Writes a checkpoint (raw, EMA, Adam moments, state) into the run's output directory. */
    public Path checkpoint() throws IOException {
        CheckpointState state = new CheckpointState(step, opt.seed(), lrScale, elapsedSeconds(), data.manifestSha256(),
                data.directory().toString(), opt.unet(), opt.batch(), opt.learningRate(), opt.emaDecay(),
                opt.lowResWeight(), true, Instant.now().toString());
        return Checkpoints.save(opt.outDir(), state, weights(), emaWeights(), toWeights(adamM), toWeights(adamV),
                opt.keepCheckpoints());
    }

    /** Trains until max steps, max minutes or {@code stop}; checkpoints periodically and at the end. */
    public Path run(BooleanSupplier stop, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        long lastCheckpoint = t0;
        long windowStart = t0;
        long windowSteps = 0;
        double windowLoss = 0;
        double windowFull = 0;
        double windowLow = 0;
        int windowCount = 0;
        log.printf("training %s, %d parameters, data %s (%d images), batch %d+%d, from step %d%n", opt.unet(),
                opt.unet().parameterCount(), data.directory(), data.size(), opt.batch(), opt.batch(), step);
        while (step < opt.maxSteps() && (System.nanoTime() - t0) / 60e9 < opt.maxMinutes() && !stop.getAsBoolean()) {
            StepResult r = trainStep();
            windowSteps++;
            if (r.skipped()) {
                log.printf("step %d: non-finite loss %.4g / gradient norm %.4g, skipped; learning-rate scale %.4g%n",
                        r.step(), r.loss(), r.gradNorm(), lrScale);
            } else {
                windowLoss += r.loss();
                windowFull += r.lossFull();
                windowLow += r.lossLow();
                windowCount++;
            }
            if (step % opt.logEvery() == 0) {
                long now = System.nanoTime();
                int k = Math.max(windowCount, 1);
                log.printf("step %d loss %.5f (full %.5f, low %.5f) grad %.3f lr %.3g %.3f steps/s elapsed %s%n", step,
                        windowLoss / k, windowFull / k, windowLow / k, r.gradNorm(), learningRate(),
                        windowSteps / ((now - windowStart) / 1e9), hms(elapsedSeconds()));
                windowStart = now;
                windowSteps = 0;
                windowLoss = windowFull = windowLow = 0;
                windowCount = 0;
            }
            if ((System.nanoTime() - lastCheckpoint) / 60e9 >= opt.checkpointMinutes()) {
                log.println("checkpoint " + checkpoint());
                lastCheckpoint = System.nanoTime();
            }
        }
        Path last = checkpoint();
        log.println("stopped at step " + step + " after " + hms(elapsedSeconds()) + " in total; checkpoint " + last);
        return last;
    }

    static String hms(double seconds) {
        long s = (long) seconds;
        return String.format("%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    private UnetWeights toWeights(Map<String, NDArray> arrays) {
        UnetConfig cfg = opt.unet();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : cfg.parameterShapes().entrySet()) {
            out.put(e.getKey(), Arrays.copyOf(arrays.get(e.getKey()).toFloatArray(), DjlUnet.numel(e.getValue())));
        }
        return UnetWeights.of(cfg, out);
    }

    @Override
    public void close() {
        root.close();
    }

    /** Training produced non-finite losses or gradients too many times in a row. */
    public static final class TrainingDivergedException extends RuntimeException {
        public TrainingDivergedException(String message) {
            super(message);
        }
    }
}
