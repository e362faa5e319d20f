package io.c2f.controller.store;

/** The database refused or failed; the message names the database and the SQL state. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
