package io.c2f.controller.broker;

import io.c2f.proto.bundle.Sha256;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The enrolment tokens the broker's bootstrap login accepts now, by token id: only sha256 of each
 * secret and its expiry. The controller puts a token here while it is usable and takes it out when
 * it is revoked or used up, so a refused token is refused at CONNECT.
 */
final class BootstrapTokens {
    /** @param expiresMs epoch ms from which the token admits no one; null: never */
    record Grant(String secretSha256, Long expiresMs) {
        @Override
        public String toString() {
            return "Grant[expires " + expiresMs + "]";
        }
    }

    private final Map<String, Grant> grants = new ConcurrentHashMap<>();

    void grant(String tokenId, String secretSha256, Long expiresMs) {
        grants.put(tokenId, new Grant(secretSha256, expiresMs));
    }

    /** False when the token was not granted. */
    boolean withdraw(String tokenId) {
        return grants.remove(tokenId) != null;
    }

    /** Why the token and secret are refused at {@code nowMs}, or null when they may log in. */
    String refusal(String tokenId, byte[] secret, long nowMs) {
        Grant g = grants.get(tokenId);
        if (g == null) {
            return "unknown, revoked or used-up enrolment token '" + tokenId + "'";
        }
        if (g.expiresMs() != null && nowMs >= g.expiresMs()) {
            return "enrolment token '" + tokenId + "' has expired";
        }
        byte[] expected = HexFormat.of().parseHex(g.secretSha256());
        byte[] actual = Sha256.digest().digest(secret);
        return MessageDigest.isEqual(expected, actual) ? null : "wrong secret for enrolment token '" + tokenId + "'";
    }
}
