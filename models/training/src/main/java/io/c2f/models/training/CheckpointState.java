package io.c2f.models.training;

import io.c2f.models.unet.UnetConfig;

/**
 * The JSON beside a checkpoint's tensors ({@code state.json}).
 *
 * @param step optimiser steps done
 * @param lrScale learning-rate multiplier left by the NaN guard (1 unless steps were skipped)
 * @param elapsedSeconds training wall time over all sessions
 * @param hasAdamMoments whether adam-m/adam-v.safetensors sit beside it (else Adam restarts its moments)
 */
record CheckpointState(long step, long seed, double lrScale, double elapsedSeconds, String dataManifestSha256,
                              String dataDir, UnetConfig unet, int batch, double learningRate, double emaDecay,
                              double lowResWeight, boolean hasAdamMoments, String savedAt) {
}
