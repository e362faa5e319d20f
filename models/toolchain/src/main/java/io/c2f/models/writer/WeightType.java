package io.c2f.models.writer;

/** How constant float weights are stored in the model file. */
public enum WeightType {
    /** float32, used directly by the kernels. */
    FP32("fp32"),
    /** float16 in the file, turned into float32 by a DEQUANTIZE op (XNNPACK folds it at load). */
    FP16("fp16");

    private final String label;

    WeightType(String label) {
        this.label = label;
    }

    /** The name written in the model manifest ("fp32" / "fp16"). */
    public String label() {
        return label;
    }
}
