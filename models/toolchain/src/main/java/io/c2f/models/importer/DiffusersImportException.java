package io.c2f.models.importer;

import java.io.IOException;

/**
 * A diffusers checkpoint or config that cannot be imported: damaged file, tensor that does not fit
 * the architecture, or a configuration the graph does not implement. The message names the file,
 * the tensor or key, and what was expected.
 */
final class DiffusersImportException extends IOException {
    public DiffusersImportException(String message) {
        super(message);
    }

    public DiffusersImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
