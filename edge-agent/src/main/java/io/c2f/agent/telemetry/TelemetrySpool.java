package io.c2f.agent.telemetry;

import com.google.protobuf.InvalidProtocolBufferException;
import io.c2f.proto.v1.Telemetry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's durable, bounded telemetry queue. Every record gets a {@code telemetry_seq} that
 * keeps increasing across restarts; records wait on disk until the broker acknowledged them, so
 * telemetry survives disconnects and reboots. When the spool is full the OLDEST record is dropped
 * and counted; the count travels with the next delivered record as {@code dropped_before}, so the
 * controller knows exactly how much it missed.
 *
 * <p>Layout: one file per record ({@code <seq>.tlm}, written to a temp file, fsynced, renamed),
 * plus {@code next-seq} and {@code dropped} counters; how durable each write is before it counts
 * is the {@link SpoolDurability} ({@code c2f.telemetry.spool.durability}). Thread-safe.
 */
public final class TelemetrySpool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetrySpool.class);

    private final Path dir;
    private final int capacity;
    private final SpoolStorage storage;
    private final Deque<Long> queued = new ArrayDeque<>();
    private long nextSeq;
    private long droppedPending;
    private long droppedTotal;
    private long corrupt;

    /**
     * Opens (or creates) the spool in {@code dir}, every write fsynced, recovering what a previous
     * run left.
     *
     * @param capacity most records kept; beyond it the oldest is dropped
     */
    public TelemetrySpool(Path dir, int capacity) throws IOException {
        this(dir, capacity, SpoolDurability.FSYNC);
    }

    /**
     * Opens (or creates) the spool in {@code dir}, recovering what a previous run left.
     *
     * @param capacity most records kept; beyond it the oldest is dropped
     * @param durability how far a write must get before it counts
     */
    public TelemetrySpool(Path dir, int capacity, SpoolDurability durability) throws IOException {
        if (capacity < 1) {
            throw new IllegalArgumentException("spool capacity must be at least 1, got " + capacity);
        }
        this.dir = dir;
        this.capacity = capacity;
        DiskSpoolStorage disk = new DiskSpoolStorage(dir, durability == SpoolDurability.FSYNC);
        this.storage = durability == SpoolDurability.MEMORY ? new MemorySpoolStorage(disk) : disk;
        List<Long> found = new ArrayList<>(storage.recordsAtOpen());
        found.sort(null);
        queued.addAll(found);
        long stored = storage.counter("next-seq", 1);
        long afterQueued = found.isEmpty() ? 1 : found.get(found.size() - 1) + 1;
        // a crash between writing a record and the counter must never reuse a seq
        nextSeq = Math.max(stored, afterQueued);
        droppedPending = storage.counter("dropped", 0);
        while (queued.size() > capacity) {
            dropOldest();
        }
    }

    /**
     * Assigns the next telemetry_seq to the record and stores it. Header and dropped_before are
     * set at delivery.
     *
     * @return the assigned telemetry_seq
     */
    public synchronized long append(Telemetry record) throws IOException {
        long seq = nextSeq++;
        storage.writeCounter("next-seq", nextSeq);
        Telemetry stored = record.toBuilder().clearHeader().setTelemetrySeq(seq).setDroppedBefore(0).build();
        storage.write(seq, stored.toByteArray());
        queued.addLast(seq);
        while (queued.size() > capacity) {
            dropOldest();
        }
        return seq;
    }

    /** The oldest record, ready to send (dropped_before filled in), or empty. */
    public synchronized Optional<Telemetry> peek() throws IOException {
        while (!queued.isEmpty()) {
            long seq = queued.peekFirst();
            try {
                Telemetry t = Telemetry.parseFrom(storage.read(seq));
                return Optional.of(t.toBuilder().setDroppedBefore(droppedPending).build());
            } catch (InvalidProtocolBufferException | java.nio.file.NoSuchFileException e) {
                // a torn or vanished file: count it as dropped rather than wedge the queue
                LOG.warn("telemetry record {} in {} is unreadable ({}); counted as dropped", seq, dir, e.getMessage());
                corrupt++;
                dropOldest();
            }
        }
        return Optional.empty();
    }

    /** Removes the record once the broker acknowledged it. Ignores a seq that is not the head. */
    public synchronized void acknowledge(long seq) throws IOException {
        if (queued.isEmpty() || queued.peekFirst() != seq) {
            return;
        }
        queued.pollFirst();
        storage.delete(seq);
        if (droppedPending != 0) {
            droppedPending = 0;
            storage.writeCounter("dropped", 0);
        }
    }

    public synchronized int size() {
        return queued.size();
    }

    /** Records dropped by this process (full spool or unreadable files). */
    public synchronized long droppedTotal() {
        return droppedTotal;
    }

    /** Unreadable record files found (they are included in the dropped counts). */
    public synchronized long corruptRecords() {
        return corrupt;
    }

    /** The seq the next appended record will get. */
    public synchronized long nextSeq() {
        return nextSeq;
    }

    /** Makes the spool's content as durable as its {@link SpoolDurability} goes (memory: written to the directory). */
    @Override
    public synchronized void close() throws IOException {
        storage.close();
    }

    private void dropOldest() throws IOException {
        Long seq = queued.pollFirst();
        if (seq == null) {
            return;
        }
        storage.delete(seq);
        droppedPending++;
        droppedTotal++;
        storage.writeCounter("dropped", droppedPending);
    }
}
