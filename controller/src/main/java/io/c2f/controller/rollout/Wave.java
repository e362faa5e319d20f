package io.c2f.controller.rollout;

import java.util.List;

/**
 * One wave of a rollout; its devices are fixed when the rollout is created.
 *
 * @param state PENDING, RUNNING, SUCCEEDED, FAILED or CANCELED
 */
record Wave(String rolloutId, int index, String state, List<String> devices, Long startedMs,
        Long finishedMs) {
    public Wave {
        devices = List.copyOf(devices);
    }
}
