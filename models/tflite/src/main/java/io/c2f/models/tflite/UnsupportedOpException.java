package io.c2f.models.tflite;

/**
 * The model needs an operator this TFLite runtime does not register. No delegate can help: the
 * interpreter resolves every operator before any delegate is applied.
 */
class UnsupportedOpException extends ModelFormatException {
    private final String op;

    public UnsupportedOpException(String op, String runtimeVersion, Throwable cause) {
        super("model needs op " + op + " which this TFLite runtime (" + runtimeVersion + ") does not provide", cause);
        this.op = op;
    }

    /** The operator's schema name, e.g. "GELU" (or "builtin code N" when the name is unknown). */
    public String op() {
        return op;
    }
}
