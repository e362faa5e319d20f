package io.c2f.agent.telemetry;

import io.c2f.agent.threads.AgentThreads;
import io.c2f.agent.threads.Lane;
import io.c2f.proto.v1.Telemetry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the spool in telemetry_seq order, one record in flight: a record leaves the spool only
 * after the broker acknowledged it, so a disconnect at any moment loses nothing (the controller
 * de-duplicates the rare resend by telemetry_seq).
 *
 * <p>Runs as tasks on a {@link Lane}, only when there is work: {@link #wake} starts a pass, each
 * acknowledgement sends the next record, and a record not delivered is tried again after the retry
 * delay (or at the next wake). An empty spool costs nothing until the next wake, so whoever appends
 * to the spool wakes the pump. No task waits for an acknowledgement: the lane's thread is free while
 * a record is in flight.
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
    private final Lane lane;
    // guarded by this
    private boolean running = true;
    private boolean pumping; // a pass is queued, a record in flight or a retry pending
    private boolean poked; // woken while pumping: look again once this pass ends
    private boolean waiting; // a retry timer is pending (a record was not delivered)
    private int epoch; // which retry timer is current
    private volatile long sent;

    public TelemetryPump(TelemetrySpool spool, Publisher publisher, Duration ackTimeout, Duration retryDelay) {
        this(spool, publisher, ackTimeout, retryDelay, AgentThreads.dedicated());
    }

    /** As the other constructor, on a lane of {@code threads}. */
    public TelemetryPump(TelemetrySpool spool, Publisher publisher, Duration ackTimeout, Duration retryDelay,
            AgentThreads threads) {
        this.spool = spool;
        this.publisher = publisher;
        this.ackTimeout = ackTimeout;
        this.retryDelay = retryDelay;
        this.lane = threads.lane(AgentThreads.Work.LINK, "c2f-telemetry-pump");
        wake(); // what an earlier run left in the spool
    }

    /** Something was appended, or the link came back: try now (a pending retry too). */
    public void wake() {
        synchronized (this) {
            if (!running) {
                return;
            }
            if (waiting) {
                waiting = false; // the retry timer of this pass is void now
                epoch++;
            } else if (pumping) {
                poked = true;
                return;
            }
            pumping = true;
        }
        lane.execute(this::sendHead);
    }

    /** Records acknowledged since start. */
    public long sent() {
        return sent;
    }

    private void sendHead() {
        Telemetry record;
        try {
            Optional<Telemetry> head = spool.peek();
            if (head.isEmpty()) {
                passEnded(false);
                return;
            }
            record = head.get();
        } catch (Exception e) {
            LOG.debug("telemetry spool not readable now: {}", e.toString());
            passEnded(true);
            return;
        }
        CompletableFuture<Void> ack;
        try {
            ack = publisher.publish(record);
        } catch (RuntimeException e) {
            ack = CompletableFuture.failedFuture(e);
        }
        ack.orTimeout(ackTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> lane.execute(() -> acknowledged(record, e)));
    }

    private void acknowledged(Telemetry record, Throwable failure) {
        if (failure == null) {
            try {
                spool.acknowledge(record.getTelemetrySeq());
                sent++;
                sendHead();
                return;
            } catch (Exception e) {
                failure = e;
            }
        }
        LOG.debug("telemetry not delivered yet: {}", failure.toString());
        passEnded(true);
    }

    /** The spool is empty or a record was not delivered: pass again if woken meanwhile, else rest or retry later. */
    private void passEnded(boolean failed) {
        int retryOf;
        synchronized (this) {
            if (!running) {
                return;
            }
            if (poked) {
                poked = false;
                retryOf = -1;
            } else if (!failed) {
                pumping = false;
                return;
            } else {
                waiting = true;
                retryOf = ++epoch;
            }
        }
        if (retryOf < 0) {
            sendHead();
        } else {
            lane.schedule(() -> retry(retryOf), retryDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void retry(int of) {
        synchronized (this) {
            if (!waiting || of != epoch) {
                return; // a wake started a pass already
            }
            waiting = false;
        }
        sendHead();
    }

    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            running = false;
        }
        lane.close();
    }
}
