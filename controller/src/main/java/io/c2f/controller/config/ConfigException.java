package io.c2f.controller.config;

/** The controller configuration is unreadable or invalid; the message names the key and the problem. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
