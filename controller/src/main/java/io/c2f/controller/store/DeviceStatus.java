package io.c2f.controller.store;

/** Liveness of a device as the controller sees it. */
public enum DeviceStatus {
    ONLINE,
    OFFLINE
}
