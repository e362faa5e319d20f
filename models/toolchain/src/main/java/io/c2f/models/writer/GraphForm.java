package io.c2f.models.writer;

/**
 * Which TFLite ops the layers are written as. All forms compute the same function with the same
 * convolutions and MACs; they differ in op count and in float rounding only (MODEL_FORMAT.md, "Graph
 * details", lists them).
 */
public enum GraphForm {
    /**
     * The ops as written until 2026-12-03 (the emoji32-c2f file with sha256 b35a8a71...): GroupNorm in
     * 11 ops with RSQRT, which XNNPACK 2.6.2 does not take, so every GroupNorm splits the delegated
     * graph; one RESHAPE per time projection; upsampling as CONCATENATION + DEPTH_TO_SPACE. Kept so
     * that older files can be rewritten byte for byte and compared against.
     */
    LEGACY,
    /**
     * The default from 2026-12-03 (emoji32-c2f file 554309d2...) to the TILED form. Fewer ops than
     * LEGACY, all of GroupNorm inside XNNPACK 2.6.2: SQRT and DIV instead of RSQRT, eps in the
     * group-averaging conv's bias, gamma folded into the scale; the attention's GroupNorm shift folded
     * into the q/k/v biases; the time projections as FULLY_CONNECTED with keep_num_dims on one shared
     * [B,1,1,D] input; RESIZE_NEAREST_NEIGHBOR for upsampling in fixed-resolution graphs.
     */
    COMPACT,
    /**
     * The default since 2026-12-03 (later that day than COMPACT). COMPACT with fewer and faster image ops,
     * for XNNPACK 2.6.2: GroupNorm (but the attention's, two-pass as in COMPACT) with
     * one-pass statistics (var = E[x^2] - E[x]^2 per group, on [B,1,1,C] vectors) and ending in
     * x * scale + shift, one image op fewer than COMPACT's; every per-channel operand [B,1,1,C] of an
     * image op (GroupNorm's scale and shift, the time projections) repeated across the width first
     * ([B,1,W,C], an ADD of zeros), so that XNNPACK runs H rows of W*C values, not H*W rows of C.
     * Same convolutions, MACs and ops outside XNNPACK as COMPACT. Fixed-resolution graphs only; a
     * shape-free graph is written as in COMPACT. The shipped form: on a Zen 5 core 1.03-1.04x as fast
     * as COMPACT at 32x32 and 1.02-1.03x at 16x16; on a Zen 4 core 0.98-1.06x (models/README.md, "The
     * UNet's TFLite ops and speed").
     */
    TILED;

    /** The form the exporter writes unless told otherwise. */
    public static final GraphForm DEFAULT = TILED;

    /** "legacy", "compact" or "tiled", as the command-line options spell it. */
    public static GraphForm parse(String text) {
        for (GraphForm f : values()) {
            if (f.name().equalsIgnoreCase(text)) {
                return f;
            }
        }
        throw new IllegalArgumentException("graph form must be legacy, compact or tiled, got '" + text + "'");
    }
}
