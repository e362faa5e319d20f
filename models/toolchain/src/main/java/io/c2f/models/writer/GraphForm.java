package io.c2f.models.writer;

/**
 * Which TFLite ops the layers are written as. Both forms compute the same function; they differ in
 * op count and in float rounding only (MODEL_FORMAT.md, "Graph details", lists both).
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
     * Fewer ops, all of GroupNorm inside XNNPACK 2.6.2: SQRT and DIV instead of RSQRT, eps in the
     * group-averaging conv's bias, gamma folded into the scale; the attention's GroupNorm shift folded
     * into the q/k/v biases; the time projections as FULLY_CONNECTED with keep_num_dims on one shared
     * [B,1,1,D] input; RESIZE_NEAREST_NEIGHBOR for upsampling in fixed-resolution graphs.
     */
    COMPACT;

    /** The form the exporter writes unless told otherwise. */
    public static final GraphForm DEFAULT = COMPACT;

    /** "legacy" or "compact", as the command-line options spell it. */
    public static GraphForm parse(String text) {
        for (GraphForm f : values()) {
            if (f.name().equalsIgnoreCase(text)) {
                return f;
            }
        }
        throw new IllegalArgumentException("graph form must be legacy or compact, got '" + text + "'");
    }
}
