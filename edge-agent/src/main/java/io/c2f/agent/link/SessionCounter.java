package io.c2f.agent.link;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The durable birth/death sequence (Sparkplug bdSeq): one number per MQTT session, increasing
 * across restarts, so a controller can tell a stale Last Will from the current session's.
 * Stored as text in one file, replaced atomically (write temp, fsync, rename).
 */
public final class SessionCounter {
    private final Path file;

    public SessionCounter(Path stateDir) {
        this.file = stateDir.resolve("bdseq");
    }

    /** Reserves and returns the next session number (the first ever is 0). */
    public synchronized long next() throws IOException {
        long next = current() + 1;
        write(next);
        return next;
    }

    /** The last reserved session number, or -1 if none. */
    public synchronized long current() throws IOException {
        if (!Files.exists(file)) {
            return -1;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException("session counter " + file + " is corrupt: '" + text + "' is not a number", e);
        }
    }

    private void write(long value) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Long.toString(value), StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
