package io.c2f.schedules.rank;

import io.c2f.models.tensor.ImageBatch;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The PCA spectrum of a batch of N images, through the N x N Gram matrix of the flattened, centred
 * batch (the nonzero eigenvalues of X X^T equal those of the D x D scatter matrix X^T X, and N << D).
 *
 * @param eigenvalues descending, non-negative (round-off negatives clamped to 0), length N
 */
record PcaSpectrum(double[] eigenvalues) {

    public PcaSpectrum {
        eigenvalues = eigenvalues.clone();
    }

    @Override
    public double[] eigenvalues() {
        return eigenvalues.clone();
    }

    /** Spectrum of the batch: each image flattened, the batch mean image subtracted. */
    public static PcaSpectrum of(ImageBatch batch) {
        int n = batch.batch();
        int d = batch.imageSize();
        float[] x = batch.data();
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                mean[k] += x[i * d + k];
            }
        }
        for (int k = 0; k < d; k++) {
            mean[k] /= n;
        }
        double[][] centred = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                centred[i][k] = x[i * d + k] - mean[k];
            }
        }
        DMatrixRMaj gram = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double s = 0;
                double[] a = centred[i];
                double[] b = centred[j];
                for (int k = 0; k < d; k++) {
                    s += a[k] * b[k];
                }
                gram.set(i, j, s);
                gram.set(j, i, s);
            }
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
        if (!eig.decompose(gram)) {
            throw new IllegalStateException("symmetric eigen decomposition of the " + n + "x" + n
                    + " Gram matrix failed");
        }
        double[] ev = new double[n];
        for (int i = 0; i < n; i++) {
            ev[i] = Math.max(0.0, eig.getEigenvalue(i).getReal());
        }
        java.util.Arrays.sort(ev);
        for (int i = 0; i < n / 2; i++) {
            double t = ev[i];
            ev[i] = ev[n - 1 - i];
            ev[n - 1 - i] = t;
        }
        return new PcaSpectrum(ev);
    }

    /**
     * The smallest r such that the top r components hold at least {@code fraction} of the total
     * energy (sum of eigenvalues); 0 for a batch without variance.
     */
    public int rankAt(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("energy fraction must be in (0, 1], got " + fraction);
        }
        double total = 0;
        for (double e : eigenvalues) {
            total += e;
        }
        if (total == 0) {
            return 0;
        }
        double acc = 0;
        for (int r = 0; r < eigenvalues.length; r++) {
            acc += eigenvalues[r];
            // relative slack so that exactly-attained energy is not lost to round-off
            if (acc >= fraction * total * (1 - 1e-12)) {
                return r + 1;
            }
        }
        return eigenvalues.length;
    }
}
