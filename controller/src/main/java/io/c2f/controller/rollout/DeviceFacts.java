package io.c2f.controller.rollout;

import java.util.List;

/**
 * What a rollout needs to know about a device from the registry.
 *
 * @param bundleId the active bundle its last birth reported (null: none)
 * @param lastBirthMs when that birth arrived
 */
record DeviceFacts(String id, boolean online, String bundleId, List<String> labels, long lastBirthMs) {
    /**
     * Whether the device itself said, in a birth after the job was created, that the job's bundle is
     * active: then the job's outcome is known even if its final status never reached a controller.
     */
    boolean reportsActiveSince(String bundle, long sinceMs) {
        return bundle != null && bundle.equals(bundleId) && lastBirthMs >= sinceMs;
    }
}
