package io.c2f.agent.telemetry;

import io.c2f.agent.fs.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One file per record ({@code <seq>.tlm}, zero-padded to 20 digits so names sort as numbers),
 * written to a temp file and renamed into place, fsynced or not; counters as small text files.
 */
final class DiskSpoolStorage implements SpoolStorage {
    private static final Logger LOG = LoggerFactory.getLogger(DiskSpoolStorage.class);
    static final String SUFFIX = ".tlm";

    private final Path dir;
    private final boolean fsync;
    private final List<Long> found = new ArrayList<>();

    DiskSpoolStorage(Path dir, boolean fsync) throws IOException {
        this.dir = dir;
        this.fsync = fsync;
        Files.createDirectories(dir);
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
    }

    @Override
    public List<Long> recordsAtOpen() {
        return List.copyOf(found);
    }

    @Override
    public void write(long seq, byte[] record) throws IOException {
        AtomicFiles.write(file(seq), record, fsync);
    }

    @Override
    public byte[] read(long seq) throws IOException {
        return Files.readAllBytes(file(seq));
    }

    @Override
    public void delete(long seq) throws IOException {
        Files.deleteIfExists(file(seq));
    }

    @Override
    public long counter(String name, long absent) throws IOException {
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

    @Override
    public void writeCounter(String name, long value) throws IOException {
        AtomicFiles.write(dir.resolve(name), Long.toString(value).getBytes(StandardCharsets.US_ASCII), fsync);
    }

    @Override
    public void close() {
        // every write is already as durable as it will get
    }

    Path file(long seq) {
        // String.format showed up in simulator profiles
        String digits = Long.toString(seq);
        StringBuilder name = new StringBuilder(20 + SUFFIX.length());
        for (int i = digits.length(); i < 20; i++) {
            name.append('0');
        }
        return dir.resolve(name.append(digits).append(SUFFIX).toString());
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
