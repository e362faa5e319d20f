package io.c2f.controller.rollout;

import java.util.List;

/** What a rollout needs to know about a device from the registry. */
record DeviceFacts(String id, boolean online, String bundleId, List<String> labels) {
}
