package io.c2f.models.tflite;

/** A model file's content is not what its manifest promises (e.g. a sha256 mismatch). */
class ModelIntegrityException extends Exception {
    public ModelIntegrityException(String message) {
        super(message);
    }
}
