package io.c2f.controller.files;

import io.c2f.controller.api.BadRequestException;

/**
 * A file name in a request that the controller will not open. The message names the request
 * field and what is wrong, and never contains file contents, hashes of files or server paths.
 */
public final class FileNameException extends BadRequestException {
    private final String field;

    FileNameException(String field, String message) {
        super(field + " " + message);
        this.field = field;
    }

    /** The request field that named the file. */
    public String field() {
        return field;
    }
}
