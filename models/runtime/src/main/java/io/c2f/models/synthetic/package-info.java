/**
 * Analytic denoisers: exact noise predictors for Gaussian data sets whose best schedules and PCA
 * ranks are known, so samplers, searches and rank analyses can be checked without a trained model
 * ({@code --model synthetic:two-scale|low-rank} of the tools, through
 * {@link io.c2f.models.engine.DenoiserSource}), and the simulated devices' stand-in model
 * ({@link io.c2f.models.synthetic.SyntheticDenoiser}).
 */
package io.c2f.models.synthetic;
