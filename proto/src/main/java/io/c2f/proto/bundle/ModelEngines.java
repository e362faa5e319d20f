package io.c2f.proto.bundle;

/**
 * The engine names of the wire contract: the values of {@code ModelFile.engine} in a manifest, the
 * engines an agent pins ({@code c2f.engine}, a rollout's {@code engine}) and reports, and the names
 * the model engines give themselves. One definition, so the toolchain that lists a file, the
 * controller that packs it and the agent that opens it cannot drift apart.
 */
public final class ModelEngines {
    /** TensorFlow Lite, files ending in .tflite. */
    public static final String TFLITE = "tflite";
    /** ONNX Runtime, files ending in .onnx. */
    public static final String ONNX = "onnx";

    private ModelEngines() {
    }
}
