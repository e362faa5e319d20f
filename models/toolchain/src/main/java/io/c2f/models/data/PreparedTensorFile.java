package io.c2f.models.data;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The prepared-tensor file ({@code .c2fd}): a 28-byte little-endian header then NHWC data.
 *
 * <pre>
 * offset size field
 *  0     4    magic, ASCII "C2FD"
 *  4     4    int32 version = 1
 *  8     4    int32 dtype: 1 = uint8 (value v means v / 127.5 - 1), 2 = float32 (the value itself)
 * 12     4    int32 count N
 * 16     4    int32 height H
 * 20     4    int32 width W
 * 24     4    int32 channels C
 * 28     ...  N*H*W*C elements, NHWC, float32 little-endian
 * </pre>
 * The 32x32 sets are stored as uint8 (lossless: they come from 8-bit pixels); the pooled 16x16 sets
 * as float32, since averages of four 8-bit values are not 8-bit.
 */
public final class PreparedTensorFile {
    public static final int MAGIC = 0x44463243; // "C2FD" read little-endian
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 28;

    public enum DType {
        UINT8(1, 1), FLOAT32(2, 4);

        final int code;
        final int bytes;

        DType(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }
    }

    private PreparedTensorFile() {}

    /** Writes 32x32x3 images as uint8. */
    public static void writeUint8(Path file, List<PreparedImage> images) throws IOException {
        int s = DatasetPreparer.SIZE;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(header(DType.UINT8, images.size(), s, s, 3));
            for (PreparedImage im : images) {
                out.write(im.rgb8());
            }
        }
    }

    /** Writes a batch as float32. */
    public static void writeFloat32(Path file, ImageBatch batch) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(header(DType.FLOAT32, batch.batch(), batch.height(), batch.width(), batch.channels()));
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : batch.data()) {
                if (!buf.hasRemaining()) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putFloat(f);
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    private static byte[] header(DType dtype, int count, int h, int w, int c) {
        return ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC).putInt(VERSION)
                .putInt(dtype.code).putInt(count).putInt(h).putInt(w).putInt(c).array();
    }

    /** Reads either dtype back as a float32 batch in [-1, 1]. */
    public static ImageBatch read(Path file) throws IOException {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DatasetFormatException(file, "prepared tensor file does not exist");
        }
        if (b.length < HEADER_BYTES) {
            throw new DatasetFormatException(file, "c2fd header", 0, "file has " + b.length + " bytes, the header needs "
                    + HEADER_BYTES);
        }
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int magic = buf.getInt(0);
        if (magic != MAGIC) {
            throw new DatasetFormatException(file, "c2fd header", 0, String.format("wrong magic 0x%08X, expected "
                    + "0x%08X (\"C2FD\")", magic, MAGIC));
        }
        int version = buf.getInt(4);
        if (version != VERSION) {
            throw new DatasetFormatException(file, "c2fd header", 4, "unsupported version " + version);
        }
        int code = buf.getInt(8);
        DType dtype = code == 1 ? DType.UINT8 : code == 2 ? DType.FLOAT32 : null;
        if (dtype == null) {
            throw new DatasetFormatException(file, "c2fd header", 8, "unknown dtype " + code + " (1 uint8, 2 float32)");
        }
        int n = buf.getInt(12);
        int h = buf.getInt(16);
        int w = buf.getInt(20);
        int c = buf.getInt(24);
        if (n <= 0 || h <= 0 || w <= 0 || c <= 0) {
            throw new DatasetFormatException(file, "c2fd header", 12, "bad shape " + n + "x" + h + "x" + w + "x" + c);
        }
        long elements = (long) n * h * w * c;
        if (b.length - (long) HEADER_BYTES != elements * dtype.bytes) {
            throw new DatasetFormatException(file, "c2fd data", HEADER_BYTES, "shape " + n + "x" + h + "x" + w + "x" + c
                    + " " + dtype + " needs " + elements * dtype.bytes + " bytes, file has " + (b.length - HEADER_BYTES));
        }
        float[] data = new float[(int) elements];
        for (int i = 0; i < data.length; i++) {
            data[i] = dtype == DType.UINT8 ? DatasetPreparer.toUnit(b[HEADER_BYTES + i] & 0xFF)
                    : buf.getFloat(HEADER_BYTES + 4 * i);
        }
        return new ImageBatch(data, n, new Resolution(h, w), c);
    }
}
