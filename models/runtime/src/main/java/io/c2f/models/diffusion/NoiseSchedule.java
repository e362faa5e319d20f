package io.c2f.models.diffusion;

import io.c2f.proto.v1.NoiseScheduleSpec;

/**
 * The forward-process noise schedule: betas and the cumulative products abar_t = prod_{i<=t}
 * (1 - beta_i), all in double. The default is the DDPM schedule of METHOD.md: T = 1000, betas
 * linear from 1e-4 to 0.02.
 *
 * <p>Time steps are model time steps t in [0, T). {@link #alphaBar(int)} also accepts t = -1, the
 * "after the last step" convention of the DDIM update, where abar = 1 (clean data).
 */
public final class NoiseSchedule {
    public static final int DEFAULT_TRAIN_TIMESTEPS = 1000;
    public static final double DEFAULT_BETA_START = 1e-4;
    public static final double DEFAULT_BETA_END = 0.02;
    /** Offset s of the cosine schedule (Nichol and Dhariwal 2021). */
    static final double COSINE_OFFSET = 0.008;
    /** Cosine schedule betas are capped here, as in the improved-DDPM paper. */
    static final double COSINE_MAX_BETA = 0.999;

    private final String description;
    private final double[] betas;
    private final double[] alphaBars;

    private NoiseSchedule(String description, double[] betas) {
        this.description = description;
        this.betas = betas;
        this.alphaBars = new double[betas.length];
        double product = 1.0;
        for (int t = 0; t < betas.length; t++) {
            if (!(betas[t] > 0.0 && betas[t] < 1.0)) {
                throw new IllegalArgumentException("beta_" + t + " = " + betas[t] + " is not in (0, 1)");
            }
            product *= 1.0 - betas[t];
            alphaBars[t] = product;
        }
    }

    /** DDPM: T = 1000, linear betas 1e-4 .. 0.02. */
    public static NoiseSchedule ddpmLinear() {
        return linear(DEFAULT_TRAIN_TIMESTEPS, DEFAULT_BETA_START, DEFAULT_BETA_END);
    }

    /** beta_t = start + t (end - start) / (T - 1) (numpy linspace). */
    public static NoiseSchedule linear(int trainTimesteps, double betaStart, double betaEnd) {
        double[] betas = linspace(betaStart, betaEnd, checkT(trainTimesteps));
        return new NoiseSchedule("linear(T=" + trainTimesteps + ", " + betaStart + ".." + betaEnd + ")", betas);
    }

    /** beta_t = (sqrt(start) + t (sqrt(end) - sqrt(start)) / (T - 1))^2 (Stable Diffusion's schedule). */
    public static NoiseSchedule scaledLinear(int trainTimesteps, double betaStart, double betaEnd) {
        double[] betas = linspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), checkT(trainTimesteps));
        for (int t = 0; t < betas.length; t++) {
            betas[t] *= betas[t];
        }
        return new NoiseSchedule("scaled_linear(T=" + trainTimesteps + ", " + betaStart + ".." + betaEnd + ")",
                betas);
    }

    /**
     * Cosine schedule: f(t) = cos(((t / T) + s) / (1 + s) * pi / 2)^2 with s = 0.008,
     * beta_t = min(1 - f(t + 1) / f(t), 0.999).
     */
    public static NoiseSchedule cosine(int trainTimesteps) {
        int n = checkT(trainTimesteps);
        double[] betas = new double[n];
        for (int t = 0; t < n; t++) {
            betas[t] = Math.min(1.0 - cosineF(t + 1, n) / cosineF(t, n), COSINE_MAX_BETA);
        }
        return new NoiseSchedule("cosine(T=" + trainTimesteps + ")", betas);
    }

    private static double cosineF(int t, int n) {
        double c = Math.cos(((double) t / n + COSINE_OFFSET) / (1.0 + COSINE_OFFSET) * Math.PI / 2.0);
        return c * c;
    }

    /**
     * The schedule a model manifest names. Proto defaults stand for the DDPM defaults: kind
     * UNSPECIFIED means LINEAR, train_timesteps 0 means 1000, beta_start and beta_end 0 mean
     * 1e-4 and 0.02 (for LINEAR and SCALED_LINEAR; COSINE ignores them).
     */
    public static NoiseSchedule fromSpec(NoiseScheduleSpec spec) {
        int t = spec.getTrainTimesteps() == 0 ? DEFAULT_TRAIN_TIMESTEPS : spec.getTrainTimesteps();
        if (t < 0) {
            throw new IllegalArgumentException("train_timesteps " + Integer.toUnsignedString(t) + " is too large");
        }
        double start = spec.getBetaStart() == 0.0 ? DEFAULT_BETA_START : spec.getBetaStart();
        double end = spec.getBetaEnd() == 0.0 ? DEFAULT_BETA_END : spec.getBetaEnd();
        switch (spec.getKind()) {
            case BETA_SCHEDULE_UNSPECIFIED:
            case BETA_SCHEDULE_LINEAR:
                return linear(t, start, end);
            case BETA_SCHEDULE_SCALED_LINEAR:
                return scaledLinear(t, start, end);
            case BETA_SCHEDULE_COSINE:
                return cosine(t);
            default:
                throw new IllegalArgumentException("unknown beta schedule kind " + spec.getKindValue());
        }
    }

    private static int checkT(int trainTimesteps) {
        if (trainTimesteps < 2) {
            throw new IllegalArgumentException("train timesteps must be >= 2, got " + trainTimesteps);
        }
        return trainTimesteps;
    }

    private static double[] linspace(double start, double end, int n) {
        double[] out = new double[n];
        double step = (end - start) / (n - 1);
        for (int i = 0; i < n; i++) {
            out[i] = start + i * step;
        }
        out[n - 1] = end;
        return out;
    }

    /** T: the number of training time steps. */
    public int trainTimesteps() {
        return betas.length;
    }

    public double beta(int t) {
        return betas[checkIndex(t)];
    }

    /** abar_t; t = -1 gives 1.0 (the clean end of the trajectory). */
    public double alphaBar(int t) {
        return t == -1 ? 1.0 : alphaBars[checkIndex(t)];
    }

    /**
     * The time step whose abar is nearest to {@code abar} (abar decreases with t); 1.0 or more gives
     * -1, the clean end of the trajectory.
     */
    public int timestepNearest(double abar) {
        if (!(abar >= 0) || Double.isInfinite(abar)) {
            throw new IllegalArgumentException("abar must be finite and >= 0, got " + abar);
        }
        if (abar >= 1.0) {
            return -1;
        }
        int lo = 0;
        int hi = alphaBars.length - 1;
        while (lo < hi) { // first t with alphaBars[t] <= abar
            int mid = (lo + hi) >>> 1;
            if (alphaBars[mid] <= abar) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        double above = lo == 0 ? 1.0 : alphaBars[lo - 1];
        if (alphaBars[lo] > abar) {
            return lo; // abar is below every abar_t
        }
        return above - abar < abar - alphaBars[lo] ? lo - 1 : lo;
    }

    /** A copy of abar_0 .. abar_{T-1}. */
    public double[] alphasCumprod() {
        return alphaBars.clone();
    }

    private int checkIndex(int t) {
        if (t < 0 || t >= betas.length) {
            throw new IndexOutOfBoundsException("timestep " + t + " out of range [0, " + betas.length + ")");
        }
        return t;
    }

    @Override
    public String toString() {
        return "NoiseSchedule[" + description + "]";
    }
}
