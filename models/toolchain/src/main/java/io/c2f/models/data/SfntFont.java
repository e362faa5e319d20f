package io.c2f.models.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An sfnt (TrueType/OpenType) font file held in memory, with its table directory checked against the
 * file size. Tables are read through {@link Table}, whose every read is bounds-checked so that a broken
 * font fails with a {@link DatasetFormatException} naming the table and offset instead of an
 * IndexOutOfBoundsException.
 */
final class SfntFont {
    private static final int TRUETYPE = 0x00010000;
    private static final int TRUE_TAG = 0x74727565; // 'true' (old Apple fonts)
    private static final int OTTO_TAG = 0x4F54544F; // 'OTTO' (CFF outlines)

    private final Path file;
    private final byte[] bytes;
    private final Map<String, Table> tables;

    private SfntFont(Path file, byte[] bytes, Map<String, Table> tables) {
        this.file = file;
        this.bytes = bytes;
        this.tables = tables;
    }

    static SfntFont read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DatasetFormatException(file, "font file does not exist");
        }
        Table whole = new Table(file, "sfnt header", bytes, 0, bytes.length);
        if (bytes.length < 12) {
            throw new DatasetFormatException(file, "sfnt header", 0,
                    "not an sfnt font: file has " + bytes.length + " bytes, the header needs 12");
        }
        int version = whole.u32(0);
        if (version != TRUETYPE && version != TRUE_TAG && version != OTTO_TAG) {
            throw new DatasetFormatException(file, "sfnt header", 0,
                    String.format("not an sfnt font: version tag 0x%08X is none of 0x00010000, 'true', 'OTTO'", version));
        }
        int numTables = whole.u16(4);
        Table directory = new Table(file, "table directory", bytes, 0, bytes.length);
        Map<String, Table> tables = new LinkedHashMap<>();
        for (int i = 0; i < numTables; i++) {
            int record = 12 + 16 * i;
            String tag = directory.tag(record);
            long offset = Integer.toUnsignedLong(directory.u32(record + 8));
            long length = Integer.toUnsignedLong(directory.u32(record + 12));
            if (offset + length > bytes.length) {
                throw new DatasetFormatException(file, "table directory entry '" + tag + "'", record,
                        "table spans bytes " + offset + ".." + (offset + length) + " but the file has only "
                                + bytes.length + " bytes (truncated file?)");
            }
            tables.put(tag, new Table(file, tag, bytes, (int) offset, (int) length));
        }
        return new SfntFont(file, bytes, Collections.unmodifiableMap(tables));
    }

    Path file() {
        return file;
    }

    int size() {
        return bytes.length;
    }

    boolean has(String tag) {
        return tables.containsKey(tag);
    }

    Table table(String tag) throws DatasetFormatException {
        Table t = tables.get(tag);
        if (t == null) {
            throw new DatasetFormatException(file, "table directory", 12,
                    "font has no '" + tag + "' table (tables present: " + tables.keySet() + ")");
        }
        return t;
    }

    /** A bounds-checked big-endian view of one table; offsets are relative to the table start. */
    static final class Table {
        private final Path file;
        private final String tag;
        private final byte[] bytes;
        private final int start;
        private final int length;

        Table(Path file, String tag, byte[] bytes, int start, int length) {
            this.file = file;
            this.tag = tag;
            this.bytes = bytes;
            this.start = start;
            this.length = length;
        }

        String tag() {
            return tag;
        }

        int length() {
            return length;
        }

        /** Absolute file offset of a table-relative offset, for messages. */
        long fileOffset(long offset) {
            return start + offset;
        }

        void require(long offset, long count, String what) throws DatasetFormatException {
            if (offset < 0 || count < 0 || offset + count > length) {
                throw new DatasetFormatException(file, tag, start + offset, what + " needs bytes " + offset + ".."
                        + (offset + count) + " of the table but '" + tag + "' is only " + length
                        + " bytes long (truncated table or offset out of range)");
            }
        }

        int u8(long offset) throws DatasetFormatException {
            require(offset, 1, "uint8");
            return bytes[start + (int) offset] & 0xFF;
        }

        int u16(long offset) throws DatasetFormatException {
            require(offset, 2, "uint16");
            int p = start + (int) offset;
            return ((bytes[p] & 0xFF) << 8) | (bytes[p + 1] & 0xFF);
        }

        int u32(long offset) throws DatasetFormatException {
            require(offset, 4, "uint32");
            int p = start + (int) offset;
            return ((bytes[p] & 0xFF) << 24) | ((bytes[p + 1] & 0xFF) << 16) | ((bytes[p + 2] & 0xFF) << 8)
                    | (bytes[p + 3] & 0xFF);
        }

        /** A uint32 that is used as an offset or count: rejected when it does not fit an int. */
        long offset32(long offset) throws DatasetFormatException {
            return Integer.toUnsignedLong(u32(offset));
        }

        String tag(long offset) throws DatasetFormatException {
            require(offset, 4, "tag");
            int p = start + (int) offset;
            char[] c = new char[4];
            for (int i = 0; i < 4; i++) {
                int b = bytes[p + i] & 0xFF;
                c[i] = b >= 0x20 && b < 0x7F ? (char) b : '?';
            }
            return new String(c);
        }

        byte[] slice(long offset, long count, String what) throws DatasetFormatException {
            require(offset, count, what);
            byte[] out = new byte[(int) count];
            System.arraycopy(bytes, start + (int) offset, out, 0, (int) count);
            return out;
        }

        DatasetFormatException error(long offset, String problem) {
            return new DatasetFormatException(file, tag, start + offset, problem);
        }
    }
}
