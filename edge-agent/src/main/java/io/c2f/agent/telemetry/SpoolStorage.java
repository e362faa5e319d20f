package io.c2f.agent.telemetry;

import java.io.IOException;
import java.util.List;

/** Where a {@link TelemetrySpool} keeps its records (by telemetry_seq) and its two counters. Not thread-safe. */
interface SpoolStorage {
    /** The seqs of the records present when the spool opened, in no particular order. */
    List<Long> recordsAtOpen();

    void write(long seq, byte[] record) throws IOException;

    /** @throws java.nio.file.NoSuchFileException when the record is gone */
    byte[] read(long seq) throws IOException;

    void delete(long seq) throws IOException;

    /** The counter's value, or {@code absent} if it was never written. */
    long counter(String name, long absent) throws IOException;

    void writeCounter(String name, long value) throws IOException;

    /** Makes what is held durable as far as this storage goes (memory: written to disk). */
    void close() throws IOException;
}
