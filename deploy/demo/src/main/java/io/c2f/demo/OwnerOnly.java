package io.c2f.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files and directories only their owner can read: created with the permissions already set
 * (0600 files, 0700 directories), so there is no moment at which another user could open them.
 * Where the file system has no POSIX permissions they are created plainly.
 */
final class OwnerOnly {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private OwnerOnly() {
    }

    /** Creates the directory (and its parents) if needed and makes it 0700. */
    static Path directory(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (POSIX) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        return dir;
    }

    /** Writes a new 0600 file; an existing one is an error (nothing is overwritten unnoticed). */
    static Path write(Path file, String content) throws IOException {
        FileAttribute<?>[] attrs = POSIX
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        Files.createFile(file, attrs);
        return Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
