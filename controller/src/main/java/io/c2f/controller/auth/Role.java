package io.c2f.controller.auth;

import java.util.Locale;

/** What an operator token may do: READ_ONLY reads (GET, HEAD), ADMIN also changes (POST, PUT, PATCH, DELETE). */
public enum Role {
    READ_ONLY, ADMIN;

    public boolean allows(Role needed) {
        return this == ADMIN || needed == READ_ONLY;
    }

    /** "read-only" or "admin" (as in the token file). */
    public static Role parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "read-only", "read", "readonly" -> READ_ONLY;
            case "admin" -> ADMIN;
            default -> throw new IllegalArgumentException("role '" + s + "' must be read-only or admin");
        };
    }

    public String label() {
        return this == ADMIN ? "admin" : "read-only";
    }
}
