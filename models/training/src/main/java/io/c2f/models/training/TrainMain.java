package io.c2f.models.training;

import io.c2f.models.unet.UnetConfig;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Command line:
 * <pre>
 * TrainMain --data DIR --out DIR [--resume DIR] [--max-steps N] [--max-minutes M] [--batch B]
 *           [--threads T] [--lr LR] [--warmup N] [--ema-decay D] [--low-res-weight W]
 *           [--checkpoint-minutes M] [--log-every N] [--seed S] [--keep K]
 * </pre>
 * Stops at the step or time limit or on SIGTERM/SIGINT, always writing a final checkpoint.
 * Run with {@code -Dai.djl.offline=true} and DJL_CACHE_DIR outside the source tree.
 */
public final class TrainMain {
    private TrainMain() {
    }

    public static void main(String[] args) throws Exception {
        TrainingOptions d = TrainingOptions.defaults(null, null);
        Path data = null;
        Path out = null;
        Path resume = null;
        long maxSteps = d.maxSteps();
        double maxMinutes = d.maxMinutes();
        int batch = d.batch();
        int threads = d.threads();
        double lr = d.learningRate();
        int warmup = d.warmupSteps();
        double emaDecay = d.emaDecay();
        double lowWeight = d.lowResWeight();
        double ckptMinutes = d.checkpointMinutes();
        int logEvery = d.logEvery();
        long seed = d.seed();
        int keep = d.keepCheckpoints();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            i++;
            switch (a) {
                case "--data" -> data = Path.of(v);
                case "--out" -> out = Path.of(v);
                case "--resume" -> resume = Path.of(v);
                case "--max-steps" -> maxSteps = Long.parseLong(v);
                case "--max-minutes" -> maxMinutes = Double.parseDouble(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--lr" -> lr = Double.parseDouble(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--ema-decay" -> emaDecay = Double.parseDouble(v);
                case "--low-res-weight" -> lowWeight = Double.parseDouble(v);
                case "--checkpoint-minutes" -> ckptMinutes = Double.parseDouble(v);
                case "--log-every" -> logEvery = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--keep" -> keep = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        if (data == null || out == null) {
            System.err.println("usage: TrainMain --data DIR --out DIR [--resume DIR] [--max-steps N] [--max-minutes M]"
                    + " [--batch B] [--threads T] [--lr LR] [--warmup N] [--ema-decay D] [--low-res-weight W]"
                    + " [--checkpoint-minutes M] [--log-every N] [--seed S] [--keep K]");
            System.exit(2);
        }
        Threads.configure(threads);
        TrainingOptions opt = new TrainingOptions(UnetConfig.edgeSmall(), data, out, batch, lr, warmup, emaDecay, 1.0,
                lowWeight, maxSteps, maxMinutes, ckptMinutes, logEvery, threads, seed, keep);
        TrainingData set = TrainingData.load(data, "train", 32);
        AtomicBoolean stop = new AtomicBoolean();
        // Handle TERM/INT ourselves instead of in a shutdown hook: DJL's own hook closes every native
        // array when the JVM shuts down, racing a final checkpoint. The loop sees the flag after its
        // current step, writes the checkpoint and returns normally.
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                System.out.println("signal " + sig.getName() + ": stopping after this step");
                stop.set(true);
            });
        }
        try (Trainer trainer = resume != null ? Trainer.resume(opt, set, resume, System.out) : Trainer.fresh(opt, set)) {
            trainer.run(stop::get, System.out);
        }
        System.out.flush();
    }
}
