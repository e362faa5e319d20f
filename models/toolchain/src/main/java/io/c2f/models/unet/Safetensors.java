package io.c2f.models.unet;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (as written by huggingface/safetensors): an 8-byte little-endian header
 * length N, N bytes of JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__":
 * {...}} padded with spaces, then the raw little-endian tensor bytes. This class writes F32 and reads
 * F32, F16 and BF16 (converted to float).
 */
public final class Safetensors {
    private Safetensors() {
    }

    /** One tensor as float32. */
    public record Entry(int[] shape, float[] data) {
    }

    public static void write(Path file, Map<String, float[]> tensors, Map<String, int[]> shapes) throws IOException {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\",\"writer\":\"c2f-fleet\"}");
        long offset = 0;
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            long end = offset + 4L * e.getValue().length;
            json.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":[");
            int[] shape = shapes.get(e.getKey());
            for (int i = 0; i < shape.length; i++) {
                json.append(i > 0 ? "," : "").append(shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        json.append('}');
        while ((json.length() + 8) % 8 != 0) {
            json.append(' ');
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            for (float[] data : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(data);
                out.write(b.array());
            }
        }
    }

    public static Map<String, Entry> read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
            long headerLength = all.getLong(0);
            if (headerLength <= 0 || headerLength > all.capacity() - 8) {
                throw new IOException(file + ": invalid safetensors header length " + headerLength);
            }
            byte[] header = new byte[(int) headerLength];
            all.position(8);
            all.get(header);
            Object parsed = new Json(new String(header, StandardCharsets.UTF_8)).value();
            if (!(parsed instanceof Map<?, ?> map)) {
                throw new IOException(file + ": safetensors header is not a JSON object");
            }
            int dataStart = 8 + (int) headerLength;
            Map<String, Entry> result = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals("__metadata__")) {
                    continue;
                }
                Map<?, ?> info = (Map<?, ?>) e.getValue();
                String dtype = (String) info.get("dtype");
                List<?> shapeList = (List<?>) info.get("shape");
                List<?> offsets = (List<?>) info.get("data_offsets");
                int[] shape = shapeList.stream().mapToInt(o -> ((Number) o).intValue()).toArray();
                long begin = ((Number) offsets.get(0)).longValue();
                long end = ((Number) offsets.get(1)).longValue();
                int n = UnetWeights.numel(shape);
                int width = switch (dtype) {
                    case "F32" -> 4;
                    case "F16", "BF16" -> 2;
                    default -> throw new IOException(file + ": tensor " + name + " has unsupported dtype " + dtype);
                };
                if (end - begin != (long) n * width || dataStart + end > all.capacity()) {
                    throw new IOException(file + ": tensor " + name + " has inconsistent data_offsets " + offsets);
                }
                float[] data = new float[n];
                int base = dataStart + (int) begin;
                for (int i = 0; i < n; i++) {
                    data[i] = switch (dtype) {
                        case "F32" -> all.getFloat(base + 4 * i);
                        case "F16" -> io.c2f.models.writer.Half.toFloat(all.getShort(base + 2 * i));
                        default -> Float.intBitsToFloat((all.getShort(base + 2 * i) & 0xffff) << 16);
                    };
                }
                result.put(name, new Entry(shape, data));
            }
            return result;
        }
    }

    /** Just enough JSON for safetensors headers: objects, arrays, strings, numbers, literals. */
    private static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() throws IOException {
            skip();
            if (i >= s.length()) {
                throw new IOException("safetensors header: unexpected end of JSON");
            }
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                skip();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    skip();
                    String key = string();
                    skip();
                    expect(':');
                    m.put(key, value());
                    skip();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect('}');
                        return m;
                    }
                }
            }
            if (c == '[') {
                i++;
                List<Object> list = new ArrayList<>();
                skip();
                if (s.charAt(i) == ']') {
                    i++;
                    return list;
                }
                while (true) {
                    list.add(value());
                    skip();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect(']');
                        return list;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eEtruefalsn".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            String token = s.substring(start, i);
            return switch (token) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                case "null" -> null;
                default -> {
                    try {
                        yield token.contains(".") || token.contains("e") || token.contains("E")
                                ? (Object) Double.parseDouble(token) : (Object) Long.parseLong(token);
                    } catch (NumberFormatException e) {
                        throw new IOException("safetensors header: bad JSON token '" + token + "' at " + start);
                    }
                }
            };
        }

        private String string() throws IOException {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            i++;
            return b.toString();
        }

        private void expect(char c) throws IOException {
            if (i >= s.length() || s.charAt(i) != c) {
                throw new IOException("safetensors header: expected '" + c + "' at " + i);
            }
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
