package io.c2f.models.tflite;

/** A model file is not a TFLite model this runtime can load; the message names the file and what is wrong. */
class ModelFormatException extends Exception {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
