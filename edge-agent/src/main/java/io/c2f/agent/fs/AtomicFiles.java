package io.c2f.agent.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Crash-safe file operations: a reader sees the old content or the new, never a torn mix. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes bytes to a temp file beside target, fsyncs it, renames it over target, fsyncs the directory. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, bytes, true);
    }

    /**
     * As {@link #write(Path, byte[])}; with {@code fsync} false the temp file and the directory are
     * not fsynced: readers still see the old content or the new, and the file survives this process
     * crashing, but not the machine losing power.
     */
    public static void write(Path target, byte[] bytes, boolean fsync) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        writeFile(tmp, bytes, fsync);
        move(tmp, target);
        if (fsync) {
            syncDirectory(dir);
        }
    }

    /** Writes and fsyncs a file in place (for files inside a directory that is renamed afterwards). */
    public static void writeAndSync(Path file, byte[] bytes) throws IOException {
        writeFile(file, bytes, true);
    }

    private static void writeFile(Path file, byte[] bytes, boolean fsync) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            if (fsync) {
                ch.force(true);
            }
        }
    }

    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** fsync of a directory, so a rename inside it is durable (a no-op where the OS refuses). */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some platforms cannot open directories; the rename is still atomic there
        }
    }

    /**
     * Deletes a file or a directory tree if it exists. A file written into the tree while it is being
     * deleted (a late chunk arriving on the MQTT thread during a failed download's clean-up) makes
     * the directory non-empty again: the walk is repeated a few times before giving up.
     */
    public static void deleteTree(Path root) throws IOException {
        for (int attempt = 1; ; attempt++) {
            if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
                return;
            } catch (java.nio.file.DirectoryNotEmptyException | java.nio.file.NoSuchFileException e) {
                if (attempt >= 5) {
                    throw e;
                }
            } catch (java.io.UncheckedIOException e) {
                // Files.walk reports a file vanishing under it this way
                if (attempt >= 5) {
                    throw e.getCause();
                }
            }
        }
    }
}
