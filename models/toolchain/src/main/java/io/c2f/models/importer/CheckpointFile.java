package io.c2f.models.importer;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.c2f.models.writer.Half;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A safetensors file opened for import: the header is parsed and validated up front (every entry's
 * dtype, shape and byte range against the file size), tensor data is converted to float only when
 * asked for. Unlike the toolchain's own {@code Safetensors} reader this one never fails with an
 * unchecked exception on a damaged or foreign file: every problem is a
 * {@link DiffusersImportException} naming the file and the entry.
 */
final class CheckpointFile {
    /** dtype as spelled in the header, shape, and byte range relative to the data section. */
    record Tensor(String name, String dtype, int[] shape, long begin, long end) {
        long elements() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private static final Map<String, Integer> WIDTHS = Map.of("F32", 4, "F16", 2, "BF16", 2);

    private final Path file;
    private final ByteBuffer data;
    private final Map<String, Tensor> tensors;

    private CheckpointFile(Path file, ByteBuffer data, Map<String, Tensor> tensors) {
        this.file = file;
        this.data = data;
        this.tensors = tensors;
    }

    static CheckpointFile open(Path file) throws IOException {
        ByteBuffer all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new DiffusersImportException(file + " is " + ch.size() + " bytes; this importer maps files of up to 2 GiB");
            }
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (all.capacity() < 8) {
            throw new DiffusersImportException(file + " is not a safetensors file: " + all.capacity()
                    + " bytes, shorter than the 8-byte header length");
        }
        long headerLength = all.getLong(0);
        if (headerLength <= 1 || headerLength > all.capacity() - 8L) {
            throw new DiffusersImportException(file + ": safetensors header length " + headerLength
                    + " does not fit the file (" + all.capacity() + " bytes): truncated or not a safetensors file");
        }
        byte[] header = new byte[(int) headerLength];
        all.get(8, header);
        Struct.Builder json = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(new String(header, StandardCharsets.UTF_8), json);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new DiffusersImportException(file + ": safetensors header (" + headerLength
                    + " bytes) is not a JSON object: " + e.getMessage(), e);
        }
        ByteBuffer data = all.slice(8 + (int) headerLength, all.capacity() - 8 - (int) headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : json.getFieldsMap().entrySet()) {
            if (!e.getKey().equals("__metadata__")) {
                tensors.put(e.getKey(), entry(file, e.getKey(), e.getValue(), data.capacity()));
            }
        }
        return new CheckpointFile(file, data, Collections.unmodifiableMap(tensors));
    }

    private static Tensor entry(Path file, String name, Value value, long dataBytes) throws DiffusersImportException {
        String where = file + ": tensor " + name;
        if (!value.hasStructValue()) {
            throw new DiffusersImportException(where + ": header entry is not an object");
        }
        Map<String, Value> f = value.getStructValue().getFieldsMap();
        Value dtype = f.get("dtype");
        Value shape = f.get("shape");
        Value offsets = f.get("data_offsets");
        if (dtype == null || !dtype.hasStringValue() || shape == null || !shape.hasListValue() || offsets == null
                || !offsets.hasListValue() || offsets.getListValue().getValuesCount() != 2) {
            throw new DiffusersImportException(where + ": header entry needs dtype, shape and data_offsets [begin, end]");
        }
        int[] dims = integers(where + " shape", shape.getListValue());
        long[] range = Arrays.stream(integers(where + " data_offsets", offsets.getListValue())).asLongStream().toArray();
        Tensor t = new Tensor(name, dtype.getStringValue(), dims, range[0], range[1]);
        Integer width = WIDTHS.get(t.dtype());
        if (width == null) {
            throw new DiffusersImportException(where + " has dtype " + t.dtype()
                    + "; importable dtypes are F32, F16 and BF16");
        }
        if (t.end() < t.begin() || t.end() - t.begin() != t.elements() * width) {
            throw new DiffusersImportException(where + ": data_offsets [" + t.begin() + ", " + t.end() + "] hold "
                    + (t.end() - t.begin()) + " bytes, " + t.dtype() + Arrays.toString(dims) + " needs "
                    + t.elements() * width);
        }
        if (t.end() > dataBytes) {
            throw new DiffusersImportException(where + ": data ends at byte " + t.end() + " of the data section, which has only "
                    + dataBytes + " bytes: the file is truncated");
        }
        if (t.elements() > Integer.MAX_VALUE) {
            throw new DiffusersImportException(where + ": " + t.elements() + " elements is too many for one array");
        }
        return t;
    }

    // JSON numbers arrive as doubles, exact below 2^53; offsets fit an int because the file is mapped whole.
    private static int[] integers(String what, ListValue list) throws DiffusersImportException {
        int[] out = new int[list.getValuesCount()];
        for (int i = 0; i < out.length; i++) {
            Value v = list.getValues(i);
            double d = v.getNumberValue();
            if (!v.hasNumberValue() || d < 0 || d != Math.rint(d) || d > Integer.MAX_VALUE) {
                throw new DiffusersImportException(what + " has a non-integer, negative or too large entry " + v);
            }
            out[i] = (int) d;
        }
        return out;
    }

    Path file() {
        return file;
    }

    /** Every tensor of the header, in header order. */
    Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The tensor's values converted to float32. */
    float[] read(Tensor t) {
        float[] out = new float[(int) t.elements()];
        int base = (int) t.begin();
        switch (t.dtype()) {
            case "F32" -> data.slice(base, out.length * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            case "F16" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Half.toFloat(data.getShort(base + 2 * i));
                }
            }
            case "BF16" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((data.getShort(base + 2 * i) & 0xffff) << 16);
                }
            }
            default -> throw new IllegalStateException("dtype checked at open: " + t.dtype());
        }
        return out;
    }
}
