package io.c2f.models.c2f;

/** How the low-resolution state becomes a high-resolution state at the switch (see {@link C2fExecutor}). */
public enum SwitchMethod {
    /** Upsample the predicted x0 and re-noise it with fresh full-resolution noise. */
    RENOISE_X0,
    /** Upsample x_t, keeping its noise but whitening it at full resolution (unit variance, no blocks). */
    UPSAMPLE_XT_VARIANCE_CORRECTED
}
