package io.c2f.controller.enrol;

import java.util.Map;
import java.util.Objects;

/**
 * A fleet enrolment token as the controller stores it: never the secret, only its sha256.
 *
 * @param labels labels every device accepted with it gets ({@code key -> value})
 * @param expiresMs epoch ms after which it admits no one; null: never
 * @param maxUses devices it may admit; null: unlimited
 * @param uses devices accepted with it so far
 * @param revokedMs when an operator revoked it; null while not revoked
 */
public record TokenRecord(String id, String secretSha256, Map<String, String> labels, Long expiresMs, Integer maxUses,
        int uses, boolean autoAccept, long createdMs, Long revokedMs) {
    public TokenRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(secretSha256, "secretSha256");
        labels = Map.copyOf(labels);
    }

    /** Why the token admits no one at {@code nowMs} (revoked, expired, used up), or null when it is usable. */
    public String unusableReason(long nowMs) {
        if (revokedMs != null) {
            return "enrolment token '" + id + "' is revoked";
        }
        if (expiresMs != null && nowMs >= expiresMs) {
            return "enrolment token '" + id + "' has expired";
        }
        if (maxUses != null && uses >= maxUses) {
            return "enrolment token '" + id + "' is used up (" + uses + " of " + maxUses + " devices)";
        }
        return null;
    }

    public TokenRecord withUses(int n) {
        return new TokenRecord(id, secretSha256, labels, expiresMs, maxUses, n, autoAccept, createdMs, revokedMs);
    }
}
