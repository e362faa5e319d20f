package io.c2f.proto.enrol;

import io.c2f.proto.bundle.Sha256;
import io.c2f.proto.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * A fleet enrolment token as an operator hands it to a device: {@code {tokenId}.{secret}}. The id is
 * public (it names the token in the API, the event log and the bootstrap login's username
 * {@code enrol.{tokenId}}); the secret is the bootstrap login's password, shown once when the token
 * is created and stored by the controller only as {@link #secretSha256()}.
 *
 * @param tokenId 1-64 characters of {@code [A-Za-z0-9_-]} (no '.', which separates id and secret)
 * @param secret base64url, 32-128 characters
 */
public record EnrolmentToken(String tokenId, String secret) {
    /** Prefix of the bootstrap login's MQTT username; a device id never starts with it (see {@link #isBootstrapUsername}). */
    public static final String USERNAME_PREFIX = "enrol.";
    private static final int SECRET_BYTES = 32;

    public EnrolmentToken {
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(secret, "secret");
        if (!Topics.isValidId(tokenId) || tokenId.indexOf('.') >= 0) {
            throw new IllegalArgumentException("enrolment token id must be 1-64 characters of [A-Za-z0-9_-], got '"
                    + tokenId + "'");
        }
        if (secret.length() < 32 || secret.length() > 128 || !isBase64Url(secret)) {
            // never echo the secret
            throw new IllegalArgumentException("enrolment token secret must be 32-128 base64url characters, got "
                    + secret.length() + " characters");
        }
    }

    /** A new token with a random 256-bit secret. */
    public static EnrolmentToken generate(String tokenId, SecureRandom random) {
        byte[] b = new byte[SECRET_BYTES];
        random.nextBytes(b);
        return new EnrolmentToken(tokenId, Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    }

    /**
     * Parses {@code {tokenId}.{secret}} as an operator pastes it (surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming what is wrong, never quoting the secret
     */
    public static EnrolmentToken parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("enrolment token is empty (expected {tokenId}.{secret})");
        }
        String t = text.strip();
        int dot = t.indexOf('.');
        if (dot <= 0 || dot == t.length() - 1) {
            throw new IllegalArgumentException("enrolment token must have the form {tokenId}.{secret} ("
                    + t.length() + " characters without a '.' between id and secret)");
        }
        return new EnrolmentToken(t.substring(0, dot), t.substring(dot + 1));
    }

    /** The MQTT username of the bootstrap login that uses this token. */
    public String bootstrapUsername() {
        return USERNAME_PREFIX + tokenId;
    }

    /** Whether an MQTT username is a bootstrap login's ({@code enrol.} prefix). */
    public static boolean isBootstrapUsername(String username) {
        return username != null && username.startsWith(USERNAME_PREFIX);
    }

    /** The token id of a bootstrap username, or null when it is not one. */
    public static String tokenIdOf(String username) {
        return isBootstrapUsername(username) ? username.substring(USERNAME_PREFIX.length()) : null;
    }

    /** sha256 (hex) of the secret's UTF-8 bytes: what the controller stores, and the proof's key. */
    public String secretSha256() {
        return Sha256.hex(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code {tokenId}.{secret}}, the form {@link #parse} reads. */
    public String text() {
        return tokenId + "." + secret;
    }

    /** Never prints the secret (logs, exceptions). */
    @Override
    public String toString() {
        return "EnrolmentToken[" + tokenId + ".***]";
    }

    private static boolean isBase64Url(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
