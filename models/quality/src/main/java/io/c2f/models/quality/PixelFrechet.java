package io.c2f.models.quality;

import io.c2f.models.tensor.ImageBatch;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * "Fréchet distance on PCA-k features of 8x8-downsampled pixels": images are average-pooled to 8x8x3
 * (192 values), projected on the top k principal axes of a fitting set (the training images), and
 * the Fréchet distance between Gaussians fitted to two feature sets is computed. It compares colour
 * layout statistics only; it is not FID (no Inception features) and its values are not comparable to FID.
 */
public final class PixelFrechet {
    public static final int POOLED = 8;
    private final double[] mean;
    private final double[][] axes; // k x 192

    private PixelFrechet(double[] mean, double[][] axes) {
        this.mean = mean;
        this.axes = axes;
    }

    public static PixelFrechet fit(ImageBatch images, int k) {
        double[][] f = pooled(images);
        int d = f[0].length;
        if (k > d) {
            throw new IllegalArgumentException(k + " components from " + d + " pooled values");
        }
        double[] mu = mean(f);
        DMatrixRMaj cov = covariance(f, mu);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(cov)) {
            throw new IllegalStateException("eigen decomposition failed");
        }
        Integer[] order = new Integer[d];
        double[] values = new double[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
            values[i] = eig.getEigenvalue(i).getReal();
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        double[][] axes = new double[k][];
        for (int i = 0; i < k; i++) {
            axes[i] = eig.getEigenVector(order[i]).getData().clone();
        }
        return new PixelFrechet(mu, axes);
    }

    public double[][] features(ImageBatch images) {
        double[][] f = pooled(images);
        double[][] out = new double[f.length][axes.length];
        for (int n = 0; n < f.length; n++) {
            for (int a = 0; a < axes.length; a++) {
                double s = 0;
                for (int i = 0; i < mean.length; i++) {
                    s += (f[n][i] - mean[i]) * axes[a][i];
                }
                out[n][a] = s;
            }
        }
        return out;
    }

    public double distance(ImageBatch a, ImageBatch b) {
        return frechet(features(a), features(b));
    }

    /** |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1^1/2 S2 S1^1/2)^1/2). */
    static double frechet(double[][] fa, double[][] fb) {
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

    static double[][] pooled(ImageBatch images) {
        int h = images.height();
        int w = images.width();
        int c = images.channels();
        if (h % POOLED != 0 || w % POOLED != 0) {
            throw new IllegalArgumentException(images.resolution() + " is not a multiple of " + POOLED);
        }
        int bh = h / POOLED;
        int bw = w / POOLED;
        double[][] out = new double[images.batch()][POOLED * POOLED * c];
        for (int n = 0; n < images.batch(); n++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        out[n][((y / bh) * POOLED + x / bw) * c + ch] += images.get(n, y, x, ch) / (double) (bh * bw);
                    }
                }
            }
        }
        return out;
    }

    private static double[] mean(double[][] f) {
        double[] mu = new double[f[0].length];
        for (double[] row : f) {
            for (int i = 0; i < mu.length; i++) {
                mu[i] += row[i] / f.length;
            }
        }
        return mu;
    }

    private static DMatrixRMaj covariance(double[][] f, double[] mu) {
        int d = mu.length;
        DMatrixRMaj cov = new DMatrixRMaj(d, d);
        for (double[] row : f) {
            for (int i = 0; i < d; i++) {
                double a = row[i] - mu[i];
                for (int j = 0; j < d; j++) {
                    cov.add(i, j, a * (row[j] - mu[j]));
                }
            }
        }
        CommonOps_DDRM.scale(1.0 / (f.length - 1), cov);
        return cov;
    }
}
