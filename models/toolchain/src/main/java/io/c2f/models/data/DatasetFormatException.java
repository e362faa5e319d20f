package io.c2f.models.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A dataset file whose bytes do not follow its format: the message names the file, the part of the
 * file (an sfnt table, an idx header, a CIFAR record) and the byte offset where reading went wrong.
 */
final class DatasetFormatException extends IOException {
    private final Path file;
    private final String section;
    private final long offset;

    public DatasetFormatException(Path file, String section, long offset, String problem) {
        super(file + ": " + section + " at offset " + offset + ": " + problem);
        this.file = file;
        this.section = section;
        this.offset = offset;
    }

    /** For problems that concern the whole file (missing, wrong size) rather than one offset. */
    public DatasetFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.section = "";
        this.offset = -1;
    }

    public Path file() {
        return file;
    }

    /** The part of the file that was being read (e.g. "CBLC", "idx3 header"); empty for whole-file problems. */
    public String section() {
        return section;
    }

    /** The byte offset in the file where the problem was found, or -1 for whole-file problems. */
    public long offset() {
        return offset;
    }
}
