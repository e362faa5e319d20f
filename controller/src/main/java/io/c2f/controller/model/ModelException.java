package io.c2f.controller.model;

import io.c2f.controller.api.UnprocessableException;
import io.c2f.controller.files.ModelsDirectory;

/** A model or schedule the registry refuses; the message says what was wrong. */
public final class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A failure as the API answers it: a refused model or schedule is 422, its message without the
     * models directory's own path; anything else as it is.
     */
    public static Throwable forCaller(Throwable e, ModelsDirectory files) {
        return e instanceof ModelException ? new UnprocessableException(files.withoutRoot(e.getMessage())) : e;
    }
}
