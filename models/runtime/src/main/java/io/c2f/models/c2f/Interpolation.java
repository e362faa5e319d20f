package io.c2f.models.c2f;

/** Upsampling of the predicted x0 at the switch (see {@link Resampling}). */
public enum Interpolation {
    NEAREST,
    BILINEAR
}
