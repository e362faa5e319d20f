package io.c2f.agent.link.mqtt;

import java.io.IOException;

/** The broker refused the login: CONNACK return code 4 (bad user name or password) or 5 (not authorized). */
public final class LoginRefusedException extends IOException {
    private final int returnCode;

    public LoginRefusedException(int returnCode, String message) {
        super(message);
        this.returnCode = returnCode;
    }

    public int returnCode() {
        return returnCode;
    }
}
