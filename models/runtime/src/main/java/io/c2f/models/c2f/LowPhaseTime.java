package io.c2f.models.c2f;

/** The model time at which the low-resolution steps of a plan run (see {@link C2fExecutor}). */
public enum LowPhaseTime {
    /** The scheduled time step itself. */
    SAME,
    /**
     * The time t' whose signal-to-noise ratio is that of the block-averaged full-resolution state at
     * the scheduled t: averaging k pixels keeps the signal and divides the noise variance by k, so
     * abar' = k abar / (1 + (k - 1) abar). The low phase then follows the block averages of a
     * full-resolution trajectory, and the switch lifts it without a jump in noise level.
     */
    SNR_MATCHED
}
