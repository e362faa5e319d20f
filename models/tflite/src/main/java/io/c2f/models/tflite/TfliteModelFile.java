package io.c2f.models.tflite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.tensorflow.lite.Interpreter;

/**
 * A TFLite model file, memory-mapped read-only and checked to load in this runtime.
 *
 * <p>Mapping (rather than reading) lets every interpreter opened on the file share the weight
 * pages: TFLite points constant tensors straight into the model buffer.
 */
final class TfliteModelFile {
    /** TFLite flatbuffers carry this file identifier at bytes 4..7. */
    static final String IDENTIFIER = "TFL3";
    private static final int HEADER_BYTES = 8;

    private final Path path;
    private final MappedByteBuffer mapped;
    private volatile String sha256;

    private TfliteModelFile(Path path, MappedByteBuffer mapped) {
        this.path = path;
        this.mapped = mapped;
    }

    /**
     * Maps the file and checks, in order: it exists, it is long enough, it carries the TFLite file
     * identifier, its root offset lies inside it, and the interpreter loads it (which also finds
     * operators this runtime lacks).
     *
     * @throws UnsupportedOpException when the model needs an operator this runtime does not register
     * @throws ModelFormatException for every other reason the file cannot be used; the message names
     *     the file and what is wrong
     */
    public static TfliteModelFile open(Path path) throws ModelFormatException {
        if (!Files.exists(path)) {
            throw new ModelFormatException("model file " + path + " does not exist");
        }
        if (!Files.isRegularFile(path)) {
            throw new ModelFormatException("model file " + path + " is not a regular file");
        }
        MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < HEADER_BYTES) {
                throw new ModelFormatException("model file " + path + " is " + size + " bytes: too short for a TFLite"
                        + " flatbuffer (at least " + HEADER_BYTES + " bytes: root offset and file identifier)");
            }
            if (size > Integer.MAX_VALUE) {
                throw new ModelFormatException("model file " + path + " is " + size
                        + " bytes: TFLite flatbuffers are limited to 2 GiB");
            }
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (IOException e) {
            throw new ModelFormatException("cannot map model file " + path + ": " + e.getMessage(), e);
        }
        mapped.order(ByteOrder.LITTLE_ENDIAN);
        checkHeader(path, mapped);
        TfliteModelFile file = new TfliteModelFile(path, mapped);
        file.checkLoads();
        return file;
    }

    private static void checkHeader(Path path, ByteBuffer bytes) throws ModelFormatException {
        byte[] id = new byte[4];
        bytes.get(4, id);
        if (!IDENTIFIER.equals(new String(id, StandardCharsets.ISO_8859_1))) {
            throw new ModelFormatException("model file " + path + " is not a TFLite flatbuffer: expected file"
                    + " identifier " + IDENTIFIER + " at bytes 4..7, found " + describe(id));
        }
        long root = Integer.toUnsignedLong(bytes.getInt(0));
        if (root + 4 > bytes.capacity()) {
            throw new ModelFormatException("model file " + path + " (" + bytes.capacity() + " bytes) is truncated:"
                    + " its root table offset " + root + " lies past the end");
        }
    }

    private static String describe(byte[] id) {
        StringBuilder text = new StringBuilder();
        boolean printable = true;
        for (byte b : id) {
            printable &= b >= 0x20 && b < 0x7f;
            text.append((char) (b & 0xff));
        }
        String hex = HexFormat.ofDelimiter(" ").formatHex(id);
        return printable ? "\"" + text + "\" (" + hex + ")" : hex;
    }

    /** Builds (and drops) a plain CPU interpreter: the flatbuffer verifier and op resolution run here. */
    private void checkLoads() throws ModelFormatException {
        TfliteNative.load();
        Interpreter.Options options = new Interpreter.Options().setNumThreads(1).setUseXNNPACK(false);
        try (Interpreter interpreter = new Interpreter(buffer(), options)) {
            interpreter.getInputTensorCount();
        } catch (RuntimeException e) {
            String op = BuiltinOps.missingOp(e.getMessage()).orElse(null);
            if (op != null) {
                throw new UnsupportedOpException(op, TfliteNative.runtimeVersion(), e);
            }
            throw new ModelFormatException("model file " + path + " (" + size() + " bytes) does not load in TFLite "
                    + TfliteNative.runtimeVersion() + " (truncated or corrupt?): " + firstLine(e.getMessage()), e);
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        String trimmed = message.strip();
        int newline = trimmed.indexOf('\n');
        return newline < 0 ? trimmed : trimmed.substring(0, newline).strip();
    }

    public Path path() {
        return path;
    }

    public long size() {
        return mapped.capacity();
    }

    /**
     * A fresh view of the mapped model for an interpreter (position 0, native order). Views share
     * the mapping; the file stays mapped while any view is reachable.
     */
    public ByteBuffer buffer() {
        return mapped.duplicate().order(ByteOrder.nativeOrder());
    }

    /** The lower-case hex SHA-256 of the file's bytes, computed once. */
    public String sha256() {
        String hash = sha256;
        if (hash == null) {
            try {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                digest.update(mapped.duplicate());
                hash = HexFormat.of().formatHex(digest.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform provides SHA-256", e);
            }
            sha256 = hash;
        }
        return hash;
    }

    /**
     * Checks the file against the hash its manifest gives (hex, any case).
     *
     * @throws ModelIntegrityException when the hashes differ or the expected value is not a sha256
     */
    public void verifySha256(String expectedHex) throws ModelIntegrityException {
        String expected = expectedHex == null ? "" : expectedHex.strip().toLowerCase(Locale.ROOT);
        if (!expected.matches("[0-9a-f]{64}")) {
            throw new ModelIntegrityException("manifest sha256 for " + path.getFileName() + " is not 64 hex digits: \""
                    + expectedHex + "\"");
        }
        String actual = sha256();
        if (!actual.equals(expected)) {
            throw new ModelIntegrityException(path.getFileName() + " sha256 is " + actual + ", manifest says "
                    + expected);
        }
    }

    @Override
    public String toString() {
        return "TfliteModelFile[" + path + ", " + size() + " bytes]";
    }
}
