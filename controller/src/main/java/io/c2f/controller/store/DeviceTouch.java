package io.c2f.controller.store;

import java.util.Objects;

/**
 * A heartbeat to record: the device was heard at {@code atMs} in session {@code bdSeq}.
 *
 * @param heartbeatIntervalMs the interval the device announced, 0 when it did not say
 */
public record DeviceTouch(String deviceId, long bdSeq, long atMs, int heartbeatIntervalMs) {
    public DeviceTouch {
        Objects.requireNonNull(deviceId, "deviceId");
    }
}
