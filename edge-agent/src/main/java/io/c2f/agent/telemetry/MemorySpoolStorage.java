package io.c2f.agent.telemetry;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records and counters in memory, loaded from the spool directory at open and written back to it
 * (as {@link DiskSpoolStorage} files, unsynced) at close, so a graceful restart keeps them and the
 * directory reads as a disk spool's would; a crash loses what was held.
 */
final class MemorySpoolStorage implements SpoolStorage {
    private final DiskSpoolStorage disk;
    private final List<Long> found;
    private final Map<Long, byte[]> records = new HashMap<>();
    private final Map<String, Long> counters = new HashMap<>();
    private boolean closed;

    MemorySpoolStorage(DiskSpoolStorage disk) throws IOException {
        this.disk = disk;
        this.found = disk.recordsAtOpen();
        for (long seq : found) {
            try {
                records.put(seq, disk.read(seq));
            } catch (NoSuchFileException e) {
                // vanished since the listing: the spool counts it as unreadable when it gets there
            }
        }
    }

    @Override
    public List<Long> recordsAtOpen() {
        return found;
    }

    @Override
    public void write(long seq, byte[] record) {
        records.put(seq, record.clone());
    }

    @Override
    public byte[] read(long seq) throws IOException {
        byte[] r = records.get(seq);
        if (r == null) {
            throw new NoSuchFileException(disk.file(seq).toString(), null, "not in the in-memory spool");
        }
        return r.clone();
    }

    @Override
    public void delete(long seq) {
        records.remove(seq);
    }

    @Override
    public long counter(String name, long absent) throws IOException {
        Long v = counters.get(name);
        return v != null ? v : disk.counter(name, absent);
    }

    @Override
    public void writeCounter(String name, long value) {
        counters.put(name, value);
    }

    /** Writes the held records and counters to the directory and removes the records since delivered. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        Set<Long> onDisk = new HashSet<>(found);
        for (long seq : found) {
            if (!records.containsKey(seq)) {
                disk.delete(seq);
            }
        }
        for (Map.Entry<Long, byte[]> r : records.entrySet()) {
            if (!onDisk.contains(r.getKey())) {
                disk.write(r.getKey(), r.getValue());
            }
        }
        for (Map.Entry<String, Long> c : counters.entrySet()) {
            disk.writeCounter(c.getKey(), c.getValue());
        }
    }
}
