package io.c2f.schedules;

/**
 * A schedule that cannot be read or is not valid. The message names the source (a file, or
 * "proto" for an in-memory message) and the offending field, e.g.
 * {@code catalog/k10.json: field timesteps: must be strictly decreasing ...}.
 */
public final class ScheduleFormatException extends RuntimeException {
    private final String source;
    private final String field;

    public ScheduleFormatException(String source, String field, String detail, Throwable cause) {
        super(source + ": field " + field + ": " + detail, cause);
        this.source = source;
        this.field = field;
    }

    public ScheduleFormatException(String source, String field, String detail) {
        this(source, field, detail, null);
    }

    /** Where the schedule came from: a file path or "proto". */
    public String source() {
        return source;
    }

    /** The proto field name (dotted for nested fields) that was wrong, or "(json)" for syntax errors. */
    public String field() {
        return field;
    }
}
