package io.c2f.models.onnx;

import io.c2f.models.diffusion.DenoiserException;

/**
 * The .onnx file cannot be used: missing, not the file its manifest names (sha256), not an ONNX
 * model ONNX Runtime loads, or not a c2f UNet (inputs x, t, label; output eps). The message names the
 * file and what is wrong.
 */
public final class OnnxModelFileException extends DenoiserException {
    public OnnxModelFileException(String message) {
        super(message);
    }

    public OnnxModelFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
