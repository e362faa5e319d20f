package io.c2f.controller.broker;

import java.util.HashMap;
import java.util.Map;

/**
 * Sessions by client id. A clean session (or a CONNECT asking for one) starts empty; a persistent
 * one resumes with its subscriptions and messages. Nothing is written to disk: a broker that
 * restarts starts with no sessions (the controller then asks every device for a new birth), and a
 * crash cannot leave a store behind that wedges the next start, as Moquette 0.17's did.
 */
final class SessionStore {
    private final Map<String, Session> sessions = new HashMap<>();
    private final MessageRouter router;
    private final int window;
    private final int queueLimit;
    private final BrokerStats stats;

    SessionStore(MessageRouter router, int window, int queueLimit, BrokerStats stats) {
        this.router = router;
        this.window = window;
        this.queueLimit = queueLimit;
        this.stats = stats;
    }

    /** A session for a CONNECT, and whether one was resumed (CONNACK session present). */
    record Opened(Session session, boolean present) {
    }

    Opened open(String clientId, boolean clean) {
        Session old = sessions.get(clientId);
        if (old != null && !clean && !old.clean) {
            return new Opened(old, true);
        }
        if (old != null) {
            discard(old);
        }
        Session fresh = new Session(clientId, clean, window, queueLimit, stats);
        sessions.put(clientId, fresh);
        return new Opened(fresh, false);
    }

    /** Ends a session: its subscriptions and queued messages are gone. */
    void discard(Session session) {
        if (sessions.get(session.clientId) == session) {
            sessions.remove(session.clientId);
        }
        router.unsubscribeAll(session);
        session.drain();
    }

    Session get(String clientId) {
        return sessions.get(clientId);
    }

    int size() {
        return sessions.size();
    }
}
