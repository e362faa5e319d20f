package io.c2f.agent.config;

/** The agent's configuration is unusable; the message names the key and the problem. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
