package io.c2f.controller.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceSessionsTest {
    private final DeviceSessions sessions = new DeviceSessions(3, 1000);

    @Test
    void deathCountsOnlyForTheCurrentSession() {
        assertTrue(sessions.birth("d", 4, 0));
        assertEquals(DeviceSessions.Verdict.STALE, sessions.death("d", 3, 10));
        assertTrue(sessions.isOnline("d"));
        assertEquals(DeviceSessions.Verdict.CURRENT, sessions.death("d", 4, 20));
        assertFalse(sessions.isOnline("d"));
        assertEquals(DeviceSessions.Verdict.STALE, sessions.death("d", 4, 30), "a second death of the same session");
        assertEquals(DeviceSessions.Verdict.UNKNOWN, sessions.death("other", 1, 30));
    }

    @Test
    void offlineAfterTheFactorTimesTheStatedHeartbeat() {
        sessions.birth("d", 1, 0);
        assertEquals(DeviceSessions.Verdict.CURRENT, sessions.heartbeat("d", 1, 100, 50));
        assertEquals(List.of(), sessions.expire(350), "exactly 3 intervals is not yet late");
        assertEquals(List.of(new DeviceSessions.Expired("d", 1, 50)), sessions.expire(351));
        assertEquals(List.of(), sessions.expire(10_000), "expired once only");
        assertEquals(DeviceSessions.Verdict.STALE, sessions.heartbeat("d", 1, 100, 400));
        assertTrue(sessions.birth("d", 1, 500), "a rebirth of the same session brings it back");
    }

    @Test
    void defaultHeartbeatUntilTheDeviceStatesOne() {
        sessions.birth("d", 1, 0);
        assertEquals(List.of(), sessions.expire(3000));
        assertEquals(1, sessions.expire(3001).size());
    }

    @Test
    void heartbeatOfAnotherSessionIsStale() {
        sessions.birth("d", 2, 0);
        assertEquals(DeviceSessions.Verdict.STALE, sessions.heartbeat("d", 1, 100, 10));
        assertEquals(DeviceSessions.Verdict.UNKNOWN, sessions.heartbeat("x", 1, 100, 10));
    }

    @Test
    void restoredDevicesMustBeHeardFromInTime() {
        sessions.restore("d", 9, 200, 1000);
        assertEquals(DeviceSessions.Verdict.CURRENT, sessions.heartbeat("d", 9, 200, 1100));
        assertEquals(1, sessions.expire(1701).size());
        assertEquals(0, sessions.onlineCount());
    }
}
