package io.c2f.agent.link;

import io.c2f.agent.fs.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The durable birth/death sequence (Sparkplug bdSeq): one number per MQTT session, increasing
 * across restarts, so a controller can tell a stale Last Will from the current session's.
 * Stored as text in one file, replaced atomically ({@link AtomicFiles#write}).
 */
final class SessionCounter {
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
        AtomicFiles.write(file, Long.toString(value).getBytes(StandardCharsets.US_ASCII));
    }
}
