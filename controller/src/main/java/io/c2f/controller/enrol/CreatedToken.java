package io.c2f.controller.enrol;

/**
 * A token just created: the stored record and the {@code {id}.{secret}} text, which exists only
 * in this answer (the controller keeps sha256 of the secret).
 */
public record CreatedToken(TokenRecord token, String text) {
    /** Never prints the secret. */
    @Override
    public String toString() {
        return "CreatedToken[" + token.id() + "]";
    }
}
