package io.c2f.controller.store;

import io.c2f.controller.metrics.ControllerMetrics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes telemetry in batches: records wait in a bounded queue and go to the database as one
 * transaction ({@link DeviceRepository#ingestTelemetryBatch}) when {@code batchSize} are queued or
 * the oldest has waited {@code maxDelayMs}; a backlog goes out up to {@link #BACKLOG_BATCHES}
 * batches at a time. Devices are split into {@code writers} lanes by id; each lane writes one batch
 * at a time and the lanes write side by side (separate transactions for disjoint sets of devices;
 * issue 18: with one transaction at a time the commit wait bounded the rate on PostgreSQL), so a
 * device's records are stored, and its loss counters worked out, in the order they came. A failed batch is written again (with backoff) until it is
 * stored or the writer is closed. When the queue is full, {@link #offer} completes only once there
 * is room again: the caller holds back its MQTT acknowledgement meanwhile, which stops the broker
 * sending more (its in-flight window) instead of growing memory.
 *
 * <p>Not thread-safe: used from one event loop (the registry's).
 */
public final class TelemetryWriter {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryWriter.class);
    private static final long MAX_RETRY_MS = 5_000;
    /**
     * A backlog that built up while the last batch was being written goes out in transactions of up
     * to this many batches: every transaction waits for its commit (on PostgreSQL a WAL flush), and
     * since batches are written one at a time that wait, not the rows, bounded the rate (issue 18:
     * 500-record batches stored 10,700/s on PostgreSQL, 2,000-record ones 16,100/s). A writer that
     * keeps up still writes batchSize records at a time.
     */
    static final int BACKLOG_BATCHES = 4;

    private record Pending(TelemetryRecord record, Promise<TelemetryIngest> stored) {
    }

    private record Waiting(Pending pending, Promise<Void> queued) {
    }

    private final Vertx vertx;
    private final DeviceRepository repository;
    private final ControllerMetrics metrics;
    private final int batchSize;
    private final long maxDelayMs;
    private final int capacity;
    /** Queued records by lane (a device always in the same one), each in arrival order. */
    private final ArrayDeque<Pending>[] lanes;
    private final boolean[] writing;
    private int queuedRecords;
    private int writingRecords;
    private int writingLanes;
    private final ArrayDeque<Waiting> overflow = new ArrayDeque<>();
    private final List<Promise<Void>> drained = new ArrayList<>();
    private long timer = -1;
    private boolean closed;
    private int failures;

    /** @param writers batches written at once at most (lanes of devices) */
    @SuppressWarnings("unchecked")
    public TelemetryWriter(Vertx vertx, DeviceRepository repository, ControllerMetrics metrics, int batchSize,
            long maxDelayMs, int capacity, int writers) {
        if (batchSize < 1 || capacity < batchSize || maxDelayMs < 0 || writers < 1) {
            throw new IllegalArgumentException("telemetry batch size " + batchSize + " must be at least 1 and at most "
                    + "the queue capacity " + capacity + ", delay " + maxDelayMs + " at least 0, writers " + writers
                    + " at least 1");
        }
        this.lanes = new ArrayDeque[writers];
        for (int i = 0; i < writers; i++) {
            lanes[i] = new ArrayDeque<>();
        }
        this.writing = new boolean[writers];
        this.vertx = vertx;
        this.repository = repository;
        this.metrics = metrics;
        this.batchSize = batchSize;
        this.maxDelayMs = maxDelayMs;
        this.capacity = capacity;
    }

    /** What {@link #offer} gives back: when the record is queued, and when it is stored. */
    public record Offer(Future<Void> queued, Future<TelemetryIngest> stored) {
    }

    /** Queues a record; while the queue is full, {@code queued} completes once there is room. */
    public Offer offer(TelemetryRecord record) {
        Pending p = new Pending(record, Promise.promise());
        if (closed) {
            p.stored().fail(new StoreException("the telemetry writer is closed (the controller is stopping)", null));
            return new Offer(p.stored().future().mapEmpty(), p.stored().future());
        }
        if (queuedRecords >= capacity || !overflow.isEmpty()) {
            Promise<Void> queued = Promise.promise();
            if (overflow.isEmpty()) {
                LOG.warn("telemetry queue full ({} records): holding back acknowledgements until the database "
                        + "catches up", capacity);
            }
            overflow.add(new Waiting(p, queued));
            metrics.reportTelemetryQueue(queuedRecords, true);
            return new Offer(queued.future(), p.stored().future());
        }
        enqueue(p);
        return new Offer(Future.succeededFuture(), p.stored().future());
    }

    private void enqueue(Pending p) {
        add(p);
        metrics.reportTelemetryQueue(queuedRecords, false);
        schedule();
    }

    private void add(Pending p) {
        lanes[Math.floorMod(p.record().deviceId().hashCode(), lanes.length)].add(p);
        queuedRecords++;
    }

    private void schedule() {
        boolean waiting = false;
        for (int lane = 0; lane < lanes.length; lane++) {
            if (writing[lane] || lanes[lane].isEmpty()) {
                continue;
            }
            if (lanes[lane].size() >= batchSize || maxDelayMs == 0 || closed) {
                write(lane);
            } else {
                waiting = true;
            }
        }
        if (!waiting) {
            cancelTimer();
        } else if (timer == -1) {
            timer = vertx.setTimer(maxDelayMs, t -> {
                timer = -1;
                for (int lane = 0; lane < lanes.length; lane++) {
                    if (!writing[lane] && !lanes[lane].isEmpty()) {
                        write(lane);
                    }
                }
            });
        }
    }

    private void cancelTimer() {
        if (timer != -1) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void write(int lane) {
        ArrayDeque<Pending> queue = lanes[lane];
        int take = queue.size() > batchSize ? Math.min(queue.size(), BACKLOG_BATCHES * batchSize) : batchSize;
        List<Pending> batch = new ArrayList<>(Math.min(take, queue.size()));
        while (batch.size() < take && !queue.isEmpty()) {
            batch.add(queue.poll());
        }
        queuedRecords -= batch.size();
        // room again: let the held-back records in, in their order
        while (queuedRecords < capacity && !overflow.isEmpty()) {
            Waiting w = overflow.poll();
            add(w.pending());
            w.queued().complete();
        }
        writing[lane] = true;
        writingLanes++;
        writingRecords += batch.size();
        attempt(lane, batch);
    }

    private void attempt(int lane, List<Pending> batch) {
        // the writer's state is confined to the context that writes (the ingress verticle's), and the
        // outcome is always handled as a task of its own on it: when the database is fast and the event
        // loop was descheduled, the batch can be stored before the listener is attached, and a listener
        // on a completed future runs at once, here, in the middle of offer() (a held-back record was
        // let in early: JdbcDeviceRepositoryTest on a loaded machine)
        Context context = vertx.getOrCreateContext();
        repository.ingestTelemetryBatch(batch.stream().map(Pending::record).toList())
                .onComplete(ar -> context.runOnContext(v -> written(lane, batch, ar)));
    }

    private void written(int lane, List<Pending> batch, AsyncResult<List<TelemetryIngest>> ar) {
        if (ar.succeeded()) {
            failures = 0;
            metrics.reportTelemetryBatch(batch.size());
            List<TelemetryIngest> results = ar.result();
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).stored().complete(results.get(i));
            }
            finished(lane, batch);
        } else if (closed) {
            batch.forEach(p -> p.stored().fail(ar.cause()));
            finished(lane, batch);
        } else {
            long delay = Math.min(MAX_RETRY_MS, 100L << Math.min(failures++, 6));
            LOG.warn("writing a batch of {} telemetry records failed ({}); retrying in {} ms", batch.size(),
                    ar.cause().getMessage(), delay);
            vertx.setTimer(delay, t -> attempt(lane, batch));
        }
    }

    private void finished(int lane, List<Pending> batch) {
        writing[lane] = false;
        writingLanes--;
        writingRecords -= batch.size();
        if (writingLanes == 0 && queuedRecords == 0 && overflow.isEmpty()) {
            List<Promise<Void>> done = List.copyOf(drained);
            drained.clear();
            done.forEach(Promise::complete);
            return;
        }
        schedule();
    }

    /** Records queued or being written. */
    public int pending() {
        return queuedRecords + overflow.size() + writingRecords;
    }

    /**
     * Writes everything queued now, without waiting for a full batch, and completes when all of it is
     * stored. After this the writer takes no more records; a batch that keeps failing is given up.
     */
    public Future<Void> close() {
        closed = true;
        if (pending() == 0) {
            return Future.succeededFuture();
        }
        Promise<Void> done = Promise.promise();
        drained.add(done);
        cancelTimer();
        schedule();
        return done.future();
    }
}
