package io.c2f.models.c2f;

/** Where the switch takes the full-resolution noise it needs (see {@link C2fSwitch}). */
public enum SwitchNoise {
    /** Noise of a stream of its own ({@code GaussianNoise.STREAM_SWITCH}), unrelated to the initial noise. */
    FRESH,
    /**
     * The seed's initial full-resolution noise ({@code GaussianNoise.STREAM_INITIAL}). A full-resolution
     * sampler keeps that noise to the end (its implied noise stays almost equal to it), so with this
     * the switched state continues the trajectory the reference follows; it is equally white noise.
     */
    CONTINUOUS
}
