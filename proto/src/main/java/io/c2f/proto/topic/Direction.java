package io.c2f.proto.topic;

/** Who publishes on a channel. */
public enum Direction {
    /** A device (agent) publishes; controllers subscribe. */
    DEVICE_TO_CONTROLLER,
    /** A controller publishes; devices subscribe. */
    CONTROLLER_TO_DEVICE
}
