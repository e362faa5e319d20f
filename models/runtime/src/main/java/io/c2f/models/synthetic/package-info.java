/**
 * Analytic denoisers: exact noise predictors for Gaussian data sets whose best schedules and PCA
 * ranks are known, so samplers, searches and rank analyses can be checked without a trained model.
 */
package io.c2f.models.synthetic;
