package io.c2f.models.diffusion;

/**
 * The two fixed step spacings of the DDIM paper (Song et al. 2021, appendix D.2), as strictly
 * decreasing model time steps in [0, T) that end at 0. The last step of a sampler goes from 0 to
 * "-1" (abar = 1), so K steps visit K time steps.
 *
 * <p>Convention: uniform K = 10, T = 1000 gives 900, 800, ..., 100, 0 (the DDIM code's
 * {@code range(0, T, T // K)}, reversed; equal to diffusers' "leading" spacing).
 */
public final class TimestepSpacing {
    private TimestepSpacing() {
    }

    /**
     * t_i = floor(i T / K) for i = 0 .. K-1, reversed. For K dividing T this is the DDIM code's
     * {@code range(0, T, T // K)}; unlike that expression it always has exactly K elements.
     */
    public static int[] uniform(int steps, int trainTimesteps) {
        check(steps, trainTimesteps);
        int[] ascending = new int[steps];
        for (int i = 0; i < steps; i++) {
            ascending[i] = (int) ((long) i * trainTimesteps / steps);
        }
        return reverse(ascending);
    }

    /**
     * The DDIM paper's quadratic spacing: t_i = floor((i c)^2) with c = sqrt(0.8 T) / (K - 1), for
     * i = 0 .. K-1, reversed (the DDIM code's {@code np.linspace(0, sqrt(0.8 T), K) ** 2}). Where
     * flooring would repeat a step (many steps near t = 0), the step is raised to one more than its
     * predecessor, so the result stays strictly decreasing; the first repeat appears for
     * K > about sqrt(0.8 T) + 1 (29 for T = 1000).
     */
    public static int[] quadratic(int steps, int trainTimesteps) {
        check(steps, trainTimesteps);
        int[] ascending = new int[steps];
        if (steps > 1) {
            double stop = Math.sqrt(0.8 * trainTimesteps);
            double delta = stop / (steps - 1);
            for (int i = 0; i < steps; i++) {
                double v = i == steps - 1 ? stop : i * delta;
                int t = (int) Math.floor(v * v);
                ascending[i] = i > 0 ? Math.max(t, ascending[i - 1] + 1) : t;
            }
        }
        if (ascending[steps - 1] >= trainTimesteps) {
            throw new IllegalArgumentException("quadratic spacing of " + steps + " steps does not fit in T = "
                    + trainTimesteps);
        }
        return reverse(ascending);
    }

    private static void check(int steps, int trainTimesteps) {
        if (steps < 1 || steps > trainTimesteps) {
            throw new IllegalArgumentException("steps must be in [1, " + trainTimesteps + "], got " + steps);
        }
    }

    private static int[] reverse(int[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[a.length - 1 - i];
        }
        return out;
    }
}
