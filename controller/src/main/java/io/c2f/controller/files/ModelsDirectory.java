package io.c2f.controller.files;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one directory whose files API callers may name (models, their ModelInfo, schedules, probe
 * images, catalogs): configuration key {@code models.dir}. A name is relative, and after
 * resolving symbolic links it must still be inside the directory; the controller never opens a
 * path a caller gives. Blocking: call on a worker.
 */
public final class ModelsDirectory {
    private static final int MAX_NAME = 512;
    private final Path root;

    private ModelsDirectory(Path root) {
        this.root = root;
    }

    /** Creates the directory if needed (owner-only where POSIX permissions exist) and opens it. */
    public static ModelsDirectory open(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            Files.createDirectories(dir);
        }
        Path real = dir.toRealPath();
        if (!Files.isDirectory(real)) {
            throw new IOException("models.dir " + dir + " is not a directory");
        }
        return new ModelsDirectory(real);
    }

    /** The directory itself, symbolic links resolved. */
    public Path root() {
        return root;
    }

    /**
     * The regular file {@code name} names inside the directory.
     *
     * @param field the request field, named in errors
     * @throws FileNameException when the name is absolute, climbs out, leads out through a link, or
     *     is not an existing regular file
     */
    public Path file(String field, String name) {
        Path real = resolve(field, name);
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileNameException(field, quote(name) + " is not a regular file in the models directory");
        }
        return real;
    }

    /** The directory {@code name} names inside the models directory (same rules as {@link #file}). */
    public Path directory(String field, String name) {
        Path real = resolve(field, name);
        if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileNameException(field, quote(name) + " is not a directory in the models directory");
        }
        return real;
    }

    /**
     * Reads a named file of at most {@code maxBytes}.
     *
     * @throws FileNameException as {@link #file}, or when the file is larger or cannot be read
     */
    public byte[] read(String field, String name, long maxBytes) {
        Path f = file(field, name);
        try (InputStream in = Files.newInputStream(f)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new FileNameException(field, quote(name) + " is larger than " + maxBytes + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            // the exception's text holds the absolute path: name only the kind of failure
            throw new FileNameException(field, quote(name) + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * How a stored source is shown to API callers: relative to the directory when it lies inside,
     * else as stored (synthetic model names).
     */
    public String nameOf(String source) {
        if (source.startsWith("/")) {
            Path p = Path.of(source);
            if (p.startsWith(root)) {
                return root.relativize(p).toString();
            }
        }
        return source;
    }

    /** A message with this directory's own path taken out: names relative to it are what callers know. */
    public String withoutRoot(String message) {
        return message == null ? "" : message.replace(root + File.separator, "");
    }

    /** Whether {@code path} (links resolved when it exists) is this directory or inside it. */
    public boolean contains(Path path) {
        return realOrAbsolute(path).startsWith(root);
    }

    /** {@code path} with links resolved, or absolute and normalised when it does not exist (yet). */
    public static Path realOrAbsolute(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }

    private Path resolve(String field, String name) {
        if (name == null || name.isBlank()) {
            throw new FileNameException(field, "must name a file inside the models directory");
        }
        if (name.length() > MAX_NAME || name.indexOf('\0') >= 0 || name.chars().anyMatch(Character::isISOControl)) {
            throw new FileNameException(field, "is not a file name (at most " + MAX_NAME
                    + " characters, no control characters)");
        }
        if (name.startsWith("/") || name.startsWith("\\") || name.startsWith("~") || (name.length() > 1
                && name.charAt(1) == ':')) {
            throw new FileNameException(field, "must be a name relative to the models directory, not an absolute path "
                    + "(the controller opens no paths a caller gives; upload the file or place it in models.dir)");
        }
        Path rel;
        try {
            rel = Path.of(name);
        } catch (InvalidPathException e) {
            throw new FileNameException(field, quote(name) + " is not a valid file name");
        }
        if (rel.isAbsolute()) {
            throw new FileNameException(field, "must be a name relative to the models directory, not an absolute path");
        }
        for (Path part : rel) {
            if (part.toString().equals("..")) {
                throw new FileNameException(field, "must not contain '..': names stay inside the models directory");
            }
        }
        Path candidate = root.resolve(rel).normalize();
        if (!candidate.startsWith(root)) {
            throw new FileNameException(field, "must stay inside the models directory");
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            throw new FileNameException(field, quote(name) + " does not exist in the models directory");
        } catch (IOException e) {
            throw new FileNameException(field, quote(name) + " cannot be opened (" + e.getClass().getSimpleName() + ")");
        }
        if (!real.startsWith(root)) {
            // never say where the link points
            throw new FileNameException(field, quote(name) + " is a link out of the models directory");
        }
        return real;
    }

    private static String quote(String name) {
        return "'" + (name.length() > 120 ? name.substring(0, 120) + "..." : name) + "'";
    }
}
