package io.c2f.controller.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The liveness table: which session (bdSeq) of each device is current, whether it is online and
 * when it was last heard. Pure logic, no I/O, confined to the registry's event loop.
 *
 * <p>Rules (Sparkplug B): a birth makes its session current and online; a death counts only if
 * its bdSeq is the current session's (a late Last Will of an older connection is stale); a device
 * whose heartbeats stop for {@code factor} intervals is offline; the next birth brings it back.
 */
final class DeviceSessions {
    /** How a message relates to the device's current session. */
    enum Verdict {
        /** Of the current, online session. */
        CURRENT,
        /** Of another session than the current one, or the device is offline already. */
        STALE,
        /** The device has no session here (never born, or born before this controller knew it). */
        UNKNOWN
    }

    /** A session that went silent. */
    record Expired(String deviceId, long bdSeq, long lastSeenMs) {
    }

    private static final class Entry {
        long bdSeq;
        boolean online;
        long lastSeenMs;
        long heartbeatMs;
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private final double timeoutFactor;
    private final long defaultHeartbeatMs;

    DeviceSessions(double timeoutFactor, long defaultHeartbeatMs) {
        this.timeoutFactor = timeoutFactor;
        this.defaultHeartbeatMs = defaultHeartbeatMs;
    }

    /**
     * A birth: its session becomes current and online.
     *
     * @return whether the device was not online before (a transition worth reporting)
     */
    boolean birth(String deviceId, long bdSeq, long nowMs) {
        Entry e = entries.computeIfAbsent(deviceId, id -> new Entry());
        boolean cameOnline = !e.online;
        e.bdSeq = bdSeq;
        e.online = true;
        e.lastSeenMs = nowMs;
        if (e.heartbeatMs <= 0) {
            e.heartbeatMs = defaultHeartbeatMs;
        }
        return cameOnline;
    }

    /** An ONLINE device remembered from storage (controller restart); it must be heard from in time. */
    void restore(String deviceId, long bdSeq, long heartbeatMs, long nowMs) {
        Entry e = entries.computeIfAbsent(deviceId, id -> new Entry());
        e.bdSeq = bdSeq;
        e.online = true;
        e.lastSeenMs = nowMs;
        e.heartbeatMs = heartbeatMs > 0 ? heartbeatMs : defaultHeartbeatMs;
    }

    /** A death: takes the device offline only when it is of the current session. */
    Verdict death(String deviceId, long bdSeq, long nowMs) {
        Entry e = entries.get(deviceId);
        if (e == null) {
            return Verdict.UNKNOWN;
        }
        if (!e.online || e.bdSeq != bdSeq) {
            return Verdict.STALE;
        }
        e.online = false;
        e.lastSeenMs = nowMs;
        return Verdict.CURRENT;
    }

    /** A heartbeat; refreshes the current session and learns its interval. */
    Verdict heartbeat(String deviceId, long bdSeq, long heartbeatMs, long nowMs) {
        Entry e = entries.get(deviceId);
        if (e == null) {
            return Verdict.UNKNOWN;
        }
        if (!e.online || e.bdSeq != bdSeq) {
            return Verdict.STALE;
        }
        e.lastSeenMs = nowMs;
        if (heartbeatMs > 0) {
            e.heartbeatMs = heartbeatMs;
        }
        return Verdict.CURRENT;
    }

    /** Takes offline, and returns, every online session silent for longer than its timeout. */
    List<Expired> expire(long nowMs) {
        List<Expired> out = new ArrayList<>();
        for (Map.Entry<String, Entry> me : entries.entrySet()) {
            Entry e = me.getValue();
            if (e.online && nowMs - e.lastSeenMs > timeoutMs(e)) {
                e.online = false;
                out.add(new Expired(me.getKey(), e.bdSeq, e.lastSeenMs));
            }
        }
        return out;
    }

    boolean isOnline(String deviceId) {
        Entry e = entries.get(deviceId);
        return e != null && e.online;
    }

    int onlineCount() {
        return (int) entries.values().stream().filter(e -> e.online).count();
    }

    private long timeoutMs(Entry e) {
        return (long) Math.ceil(timeoutFactor * e.heartbeatMs);
    }
}
