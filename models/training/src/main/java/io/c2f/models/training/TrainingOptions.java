package io.c2f.models.training;

import io.c2f.models.unet.UnetConfig;
import java.nio.file.Path;

/**
 * Hyper-parameters of a run. Each optimiser step takes one batch at full resolution (label 0) and
 * one batch at half resolution (label 1); the loss is mse_full + lowResWeight * mse_low.
 *
 * @param emaDecay target EMA decay; the effective decay is min(emaDecay, (1 + step) / (10 + step))
 *     so that a short run's EMA is not dominated by the random init
 * @param clipNorm global gradient-norm clip (0: off)
 */
record TrainingOptions(UnetConfig unet, Path dataDir, Path outDir, int batch, double learningRate, int warmupSteps,
                              double emaDecay, double clipNorm, double lowResWeight, long maxSteps, double maxMinutes,
                              double checkpointMinutes, int logEvery, int threads, long seed, int keepCheckpoints) {

    public TrainingOptions {
        if (batch < 1 || learningRate <= 0 || warmupSteps < 0 || emaDecay < 0 || emaDecay >= 1 || maxSteps < 0
                || logEvery < 1 || threads < 1 || keepCheckpoints < 1) {
            throw new IllegalArgumentException("invalid training options: " + this);
        }
    }

    public static TrainingOptions defaults(Path dataDir, Path outDir) {
        return new TrainingOptions(UnetConfig.edgeSmall(), dataDir, outDir, 64, 2e-4, 200, 0.999, 1.0, 1.0,
                Long.MAX_VALUE, Double.POSITIVE_INFINITY, 10, 20, 2, 1234, 2);
    }

    public TrainingOptions withLimits(long steps, double minutes) {
        return new TrainingOptions(unet, dataDir, outDir, batch, learningRate, warmupSteps, emaDecay, clipNorm,
                lowResWeight, steps, minutes, checkpointMinutes, logEvery, threads, seed, keepCheckpoints);
    }
}
