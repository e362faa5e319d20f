package io.c2f.controller.auth;

import java.security.SecureRandom;
import java.util.Base64;

/** Generated secrets: tokens and passwords that nobody has to remember. */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** 256 random bits, URL-safe Base64 without padding (fits properties files and HTTP headers as is). */
    public static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
