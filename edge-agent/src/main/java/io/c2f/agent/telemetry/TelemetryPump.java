package io.c2f.agent.telemetry;

import io.c2f.proto.v1.Telemetry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the spool in telemetry_seq order, one record in flight: a record leaves the spool only
 * after the broker acknowledged it, so a disconnect at any moment loses nothing (the controller
 * de-duplicates the rare resend by telemetry_seq).
 */
public final class TelemetryPump implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryPump.class);

    /** Sends one record; completes when acknowledged. */
    @FunctionalInterface
    public interface Publisher {
        CompletableFuture<Void> publish(Telemetry record);
    }

    private final TelemetrySpool spool;
    private final Publisher publisher;
    private final Duration ackTimeout;
    private final Duration retryDelay;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeUp = lock.newCondition();
    private final Thread thread;
    private volatile boolean running = true;
    private boolean poked;
    private volatile long sent;

    public TelemetryPump(TelemetrySpool spool, Publisher publisher, Duration ackTimeout, Duration retryDelay) {
        this.spool = spool;
        this.publisher = publisher;
        this.ackTimeout = ackTimeout;
        this.retryDelay = retryDelay;
        this.thread = new Thread(this::run, "c2f-telemetry-pump");
        thread.setDaemon(true);
        thread.start();
    }

    /** Something was appended, or the link came back: try now. */
    public void wake() {
        lock.lock();
        try {
            poked = true;
            wakeUp.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Records acknowledged since start. */
    public long sent() {
        return sent;
    }

    private void run() {
        while (running) {
            boolean progressed = false;
            try {
                Optional<Telemetry> head = spool.peek();
                if (head.isPresent()) {
                    Telemetry record = head.get();
                    publisher.publish(record).get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    spool.acknowledge(record.getTelemetrySeq());
                    sent++;
                    progressed = true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.debug("telemetry not delivered yet: {}", e.toString());
            }
            if (!progressed) {
                pause();
            }
        }
    }

    private void pause() {
        lock.lock();
        try {
            if (!poked && running) {
                wakeUp.await(retryDelay.toMillis(), TimeUnit.MILLISECONDS);
            }
            poked = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        wake();
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }
}
