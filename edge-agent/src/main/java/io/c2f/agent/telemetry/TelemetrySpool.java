package io.c2f.agent.telemetry;

import io.c2f.agent.fs.AtomicFiles;
import com.google.protobuf.InvalidProtocolBufferException;
import io.c2f.proto.v1.Telemetry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
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
 * plus {@code next-seq} and {@code dropped} counters. A spool opened without fsync writes the same
 * files in the same order without waiting for the disk (see {@code c2f.telemetry.spool.fsync}).
 * Thread-safe.
 */
public final class TelemetrySpool {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetrySpool.class);
    private static final String SUFFIX = ".tlm";

    private final Path dir;
    private final int capacity;
    private final boolean fsync;
    private final Deque<Long> queued = new ArrayDeque<>();
    private long nextSeq;
    private long droppedPending;
    private long droppedTotal;
    private long corrupt;

    /**
     * Opens (or creates) the spool in {@code dir}, recovering what a previous run left.
     *
     * @param capacity most records kept; beyond it the oldest is dropped
     */
    public TelemetrySpool(Path dir, int capacity) throws IOException {
        this(dir, capacity, true);
    }

    /**
     * Opens (or creates) the spool in {@code dir}, recovering what a previous run left.
     *
     * @param capacity most records kept; beyond it the oldest is dropped
     * @param fsync whether every write is fsynced (survives a power cut) or left to the page cache
     *     (survives this process crashing)
     */
    public TelemetrySpool(Path dir, int capacity, boolean fsync) throws IOException {
        if (capacity < 1) {
            throw new IllegalArgumentException("spool capacity must be at least 1, got " + capacity);
        }
        this.dir = dir;
        this.capacity = capacity;
        this.fsync = fsync;
        Files.createDirectories(dir);
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                try {
                    found.add(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())));
                } catch (NumberFormatException e) {
                    LOG.warn("ignoring stray file {} in telemetry spool", f);
                }
            }
        }
        found.sort(null);
        queued.addAll(found);
        long stored = readCounter("next-seq", 1);
        long afterQueued = found.isEmpty() ? 1 : found.get(found.size() - 1) + 1;
        // a crash between writing a record and the counter must never reuse a seq
        nextSeq = Math.max(stored, afterQueued);
        droppedPending = readCounter("dropped", 0);
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
        writeCounter("next-seq", nextSeq);
        Telemetry stored = record.toBuilder().clearHeader().setTelemetrySeq(seq).setDroppedBefore(0).build();
        AtomicFiles.write(file(seq), stored.toByteArray(), fsync);
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
                Telemetry t = Telemetry.parseFrom(Files.readAllBytes(file(seq)));
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
        Files.deleteIfExists(file(seq));
        if (droppedPending != 0) {
            droppedPending = 0;
            writeCounter("dropped", 0);
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

    private void dropOldest() throws IOException {
        Long seq = queued.pollFirst();
        if (seq == null) {
            return;
        }
        Files.deleteIfExists(file(seq));
        droppedPending++;
        droppedTotal++;
        writeCounter("dropped", droppedPending);
    }

    private Path file(long seq) {
        // zero-padded to 20 digits so that names sort as numbers (String.format showed up in simulator profiles)
        String digits = Long.toString(seq);
        StringBuilder name = new StringBuilder(20 + SUFFIX.length());
        for (int i = digits.length(); i < 20; i++) {
            name.append('0');
        }
        return dir.resolve(name.append(digits).append(SUFFIX).toString());
    }

    private long readCounter(String name, long absent) throws IOException {
        Path f = dir.resolve(name);
        if (!Files.exists(f)) {
            return absent;
        }
        String text = Files.readString(f, StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException("telemetry spool counter " + f + " is corrupt: '" + text + "'", e);
        }
    }

    private void writeCounter(String name, long value) throws IOException {
        AtomicFiles.write(dir.resolve(name), Long.toString(value).getBytes(StandardCharsets.US_ASCII), fsync);
    }
}
