package io.c2f.controller.enrol;

import java.util.Map;

/**
 * What an operator asks for when creating an enrolment token.
 *
 * @param id the token id, or null to have one made up
 * @param labels granted to every device accepted with it
 * @param expiresMs epoch ms from which it admits no one, or null
 * @param maxUses devices it may admit, or null for unlimited
 * @param autoAccept whether requests with it are accepted without an operator
 */
public record TokenSpec(String id, Map<String, String> labels, Long expiresMs, Integer maxUses, boolean autoAccept) {
    public TokenSpec {
        labels = Map.copyOf(labels);
    }
}
