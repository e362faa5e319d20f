package io.c2f.agent.link;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whether the device has a broker session, for work that waits out an outage instead of failing
 * on it: a bundle download pauses in {@link #awaitOnline} and resumes when the session is back.
 * {@link DeviceLink} marks it up once a session is established (birth acknowledged) and down the
 * moment the connection is lost.
 */
public final class LinkState {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean online;
    private long sessions;

    /** A session is established. */
    public void up() {
        lock.lock();
        try {
            online = true;
            sessions++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The session is lost. */
    public void down() {
        lock.lock();
        try {
            online = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public boolean isOnline() {
        lock.lock();
        try {
            return online;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sessions established so far. A value different from one read earlier means the link went
     * down (and came back) in between, so anything asked for on the old session may be lost.
     */
    public long sessions() {
        lock.lock();
        try {
            return sessions;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a session is up, at most {@code max}.
     *
     * @return whether the link is online
     */
    public boolean awaitOnline(Duration max) throws InterruptedException {
        long left = max.toNanos();
        lock.lock();
        try {
            while (!online && left > 0) {
                left = changed.awaitNanos(left);
            }
            return online;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return (online ? "online" : "offline") + " (" + sessions + " sessions)";
        } finally {
            lock.unlock();
        }
    }
}
