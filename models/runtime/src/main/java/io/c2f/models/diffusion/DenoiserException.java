package io.c2f.models.diffusion;

/** The denoiser could not run: the message says precisely why. */
public class DenoiserException extends Exception {
    public DenoiserException(String message) {
        super(message);
    }

    public DenoiserException(String message, Throwable cause) {
        super(message, cause);
    }
}
