package io.c2f.controller.rollout;

/** Something that happened to a rollout, for operators. */
record RolloutEvent(long atMs, String kind, String message) {
}
