package io.c2f.models.quality;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The maths every Fréchet measure of this package shares: principal axes fitted on one feature set,
 * projection on the top k of them, and the Fréchet distance between Gaussians fitted to two projected
 * sets. Feature rows are one image each.
 */
final class PcaFrechet {
    private final double[] mean;
    private final double[][] axes; // k x d

    private PcaFrechet(double[] mean, double[][] axes) {
        this.mean = mean;
        this.axes = axes;
    }

    /** The top k principal axes of {@code features}; {@code what} names the features in messages. */
    static PcaFrechet fit(double[][] features, int k, String what) {
        int d = features[0].length;
        requireFittable(features.length, k, d, what);
        double[] mu = mean(features);
        DMatrixRMaj cov = covariance(features, mu);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(cov)) {
            throw new IllegalStateException("eigen decomposition of the " + d + "x" + d + " covariance of " + what
                    + " failed");
        }
        Integer[] order = new Integer[d];
        double[] values = new double[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
            values[i] = eig.getEigenvalue(i).getReal();
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        double[][] axes = new double[k][];
        for (int i = 0; i < k; i++) {
            axes[i] = eig.getEigenVector(order[i]).getData().clone();
        }
        return new PcaFrechet(mu, axes);
    }

    /** Rejects k outside [1, d] and fitting sets too small for k axes. */
    static void requireFittable(int n, int k, int d, String what) {
        if (k < 1 || k > d) {
            throw new IllegalArgumentException(k + " principal components asked from " + d + " " + what);
        }
        if (n <= k) {
            // n images span at most n - 1 directions: more axes than that would be arbitrary
            throw new IllegalArgumentException(k + " principal components need at least " + (k + 1)
                    + " fitting images, got " + n);
        }
    }

    int components() {
        return axes.length;
    }

    /** Each row centred on the fitting mean and projected on the k axes. */
    double[][] project(double[][] features) {
        double[][] out = new double[features.length][axes.length];
        for (int n = 0; n < features.length; n++) {
            if (features[n].length != mean.length) {
                throw new IllegalArgumentException("feature row " + n + " has " + features[n].length
                        + " values, the axes were fitted on " + mean.length);
            }
            for (int a = 0; a < axes.length; a++) {
                double s = 0;
                for (int i = 0; i < mean.length; i++) {
                    s += (features[n][i] - mean[i]) * axes[a][i];
                }
                out[n][a] = s;
            }
        }
        return out;
    }

    double distance(double[][] a, double[][] b) {
        return frechet(project(a), project(b));
    }

    /** |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1^1/2 S2 S1^1/2)^1/2). */
    static double frechet(double[][] fa, double[][] fb) {
        requireCovariance(fa, "first");
        requireCovariance(fb, "second");
        double[] ma = mean(fa);
        double[] mb = mean(fb);
        DMatrixRMaj sa = covariance(fa, ma);
        DMatrixRMaj sb = covariance(fb, mb);
        double d = 0;
        for (int i = 0; i < ma.length; i++) {
            d += (ma[i] - mb[i]) * (ma[i] - mb[i]);
        }
        DMatrixRMaj root = sqrtPsd(sa);
        DMatrixRMaj tmp = new DMatrixRMaj(ma.length, ma.length);
        DMatrixRMaj inner = new DMatrixRMaj(ma.length, ma.length);
        CommonOps_DDRM.mult(root, sb, tmp);
        CommonOps_DDRM.mult(tmp, root, inner);
        double traceRoot = 0;
        for (double ev : symmetricEigenvalues(inner)) {
            traceRoot += Math.sqrt(Math.max(ev, 0));
        }
        return d + CommonOps_DDRM.trace(sa) + CommonOps_DDRM.trace(sb) - 2 * traceRoot;
    }

    private static void requireCovariance(double[][] f, String which) {
        if (f.length < 2) {
            throw new IllegalArgumentException("a covariance needs at least 2 images, the " + which + " set has "
                    + f.length);
        }
    }

    private static DMatrixRMaj sqrtPsd(DMatrixRMaj s) {
        int d = s.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(s.copy())) {
            throw new IllegalStateException("eigen decomposition failed");
        }
        DMatrixRMaj out = new DMatrixRMaj(d, d);
        for (int k = 0; k < d; k++) {
            double r = Math.sqrt(Math.max(eig.getEigenvalue(k).getReal(), 0));
            double[] v = eig.getEigenVector(k).getData();
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    out.add(i, j, r * v[i] * v[j]);
                }
            }
        }
        return out;
    }

    private static double[] symmetricEigenvalues(DMatrixRMaj m) {
        DMatrixRMaj sym = m.copy();
        DMatrixRMaj t = new DMatrixRMaj(m.numRows, m.numCols);
        CommonOps_DDRM.transpose(m, t);
        CommonOps_DDRM.add(0.5, sym, 0.5, t, sym);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(m.numRows, false, true);
        if (!eig.decompose(sym)) {
            throw new IllegalStateException("eigen decomposition failed");
        }
        double[] out = new double[m.numRows];
        for (int i = 0; i < out.length; i++) {
            out[i] = eig.getEigenvalue(i).getReal();
        }
        return out;
    }

    static double[] mean(double[][] f) {
        double[] mu = new double[f[0].length];
        for (double[] row : f) {
            for (int i = 0; i < mu.length; i++) {
                mu[i] += row[i] / f.length;
            }
        }
        return mu;
    }

    /** Sample covariance (n - 1); the upper triangle is summed and mirrored, in the same order as a full sum. */
    static DMatrixRMaj covariance(double[][] f, double[] mu) {
        int d = mu.length;
        double[] c = new double[d * d];
        double[] centred = new double[d];
        for (double[] row : f) {
            for (int i = 0; i < d; i++) {
                centred[i] = row[i] - mu[i];
            }
            for (int i = 0; i < d; i++) {
                double a = centred[i];
                int base = i * d;
                for (int j = i; j < d; j++) {
                    c[base + j] += a * centred[j];
                }
            }
        }
        double scale = 1.0 / (f.length - 1);
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                c[i * d + j] *= scale;
                c[j * d + i] = c[i * d + j];
            }
        }
        return DMatrixRMaj.wrap(d, d, c);
    }
}
