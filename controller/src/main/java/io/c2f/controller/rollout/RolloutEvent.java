package io.c2f.controller.rollout;

/** Something that happened to a rollout, for operators. */
public record RolloutEvent(long atMs, String kind, String message) {
}
