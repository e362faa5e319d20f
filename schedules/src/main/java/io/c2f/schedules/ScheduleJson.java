package io.c2f.schedules;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The catalog file format: the protobuf JSON mapping of {@code c2f.v1.Schedule} (lowerCamelCase
 * field names, enum names as strings, every field printed, 2-space indent), one schedule per file,
 * named {@code <schedule_id>.json}. Parsing is strict: unknown fields are errors.
 */
public final class ScheduleJson {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();
    private static final Pattern UNKNOWN_FIELD = Pattern.compile("Cannot find field: (\\S+)");

    private ScheduleJson() {
    }

    public static String toJson(Schedule schedule) {
        try {
            return PRINTER.print(schedule.toProto()) + "\n";
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + schedule.id(), e);
        }
    }

    /**
     * Parses and validates one schedule.
     *
     * @param source named in errors (file path)
     * @throws ScheduleFormatException naming source and field
     */
    public static Schedule parse(String json, String source) {
        return Schedule.fromProto(parseProto(json, source), source);
    }

    /** Parses the JSON into the proto without the schedule's semantic checks. */
    public static io.c2f.proto.v1.Schedule parseProto(String json, String source) {
        io.c2f.proto.v1.Schedule.Builder b = io.c2f.proto.v1.Schedule.newBuilder();
        try {
            PARSER.merge(json, b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new ScheduleFormatException(source, fieldOf(json, e), describe(e), e);
        }
        return b.build();
    }

    public static Schedule read(Path file) {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schedule file " + file, e);
        }
        return parse(json, file.toString());
    }

    /**
     * Writes {@code dir/<id>.json} and returns its path. The file is written beside and then moved into
     * place, so a catalog file is either the old one or the new one, never half of each.
     */
    public static Path write(Path dir, Schedule schedule) {
        Path file = dir.resolve(schedule.id() + ".json");
        try {
            Files.createDirectories(dir);
            Path part = Files.createTempFile(dir, "." + schedule.id() + "-", ".part");
            try {
                Files.writeString(part, toJson(schedule), StandardCharsets.UTF_8);
                Files.move(part, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(part);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** Every {@code *.json} of a catalog directory, sorted by file name; the first bad file throws. */
    public static List<Schedule> readCatalog(Path dir) {
        List<Schedule> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                out.add(read(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list catalog " + dir, e);
        }
        return out;
    }

    // JsonFormat names the field of an unknown field but only the value of a bad value: find the
    // field by parsing each member alone (recursing into objects) until the failing one is found.
    private static String fieldOf(String json, Exception e) {
        Matcher u = UNKNOWN_FIELD.matcher(String.valueOf(e.getMessage()));
        if (u.find()) {
            return u.group(1);
        }
        // re-read the text as a generic JSON Struct (numbers become doubles, which the typed parser
        // still accepts for integral values)
        Struct.Builder root = Struct.newBuilder();
        try {
            PARSER.merge(json, root);
        } catch (InvalidProtocolBufferException | RuntimeException syntax) {
            return "(json)";
        }
        String path = failingMember(root.build(), List.of());
        return path == null ? "(json)" : path;
    }

    private static String failingMember(Struct object, List<String> outer) {
        for (Map.Entry<String, Value> member : object.getFieldsMap().entrySet()) {
            List<String> path = new ArrayList<>(outer);
            path.add(member.getKey());
            if (parses(wrap(path, member.getValue()))) {
                continue;
            }
            if (member.getValue().hasStructValue()) {
                String inner = failingMember(member.getValue().getStructValue(), path);
                if (inner != null) {
                    return inner;
                }
            }
            return protoName(path);
        }
        return null;
    }

    private static Value wrap(List<String> path, Value value) {
        Value v = value;
        for (int i = path.size() - 1; i >= 0; i--) {
            v = Value.newBuilder().setStructValue(Struct.newBuilder().putFields(path.get(i), v)).build();
        }
        return v;
    }

    private static boolean parses(Value o) {
        try {
            PARSER.merge(JsonFormat.printer().print(o), io.c2f.proto.v1.Schedule.newBuilder());
            return true;
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return false;
        }
    }

    // lowerCamelCase JSON names back to the proto's snake_case, dotted for nested fields
    private static String protoName(List<String> path) {
        List<String> parts = new ArrayList<>();
        for (String p : path) {
            parts.add(p.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT));
        }
        return String.join(".", parts);
    }

    private static String describe(Exception e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && sb.indexOf(t.getMessage()) < 0) {
                if (sb.length() > 0) {
                    sb.append(": ");
                }
                sb.append(t.getMessage());
            }
        }
        return sb.toString();
    }
}
