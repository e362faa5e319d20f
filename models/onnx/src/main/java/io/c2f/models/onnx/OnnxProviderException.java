package io.c2f.models.onnx;

import io.c2f.models.diffusion.DenoiserException;

/** No execution provider asked for could take the model; the message gives each one's reason. */
public final class OnnxProviderException extends DenoiserException {
    public OnnxProviderException(String message) {
        super(message);
    }

    public OnnxProviderException(String message, Throwable cause) {
        super(message, cause);
    }
}
