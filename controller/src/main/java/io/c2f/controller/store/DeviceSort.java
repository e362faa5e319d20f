package io.c2f.controller.store;

import java.util.Locale;
import java.util.function.Function;

/**
 * The orders the registry can list devices in: a stored column, ties broken by id so every order
 * is total and a page can continue exactly after its last row ({@link DeviceCursor}).
 */
public enum DeviceSort {
    ID("id", "id", false, DeviceRecord::id),
    STATUS("status", "status", false, d -> d.status().name()),
    LAST_SEEN("last_seen", "last_seen_ms", true, d -> Long.toString(d.lastSeenMs())),
    FIRST_SEEN("first_seen", "first_seen_ms", true, d -> Long.toString(d.firstSeenMs())),
    // absent values sort as the empty string, so the keyset comparison never meets a NULL
    SCHEDULE("schedule", "COALESCE(schedule_id, '')", false, d -> orEmpty(d.scheduleId())),
    BUNDLE("bundle", "COALESCE(bundle_id, '')", false, d -> orEmpty(d.bundleId())),
    AGENT_VERSION("agent_version", "COALESCE(agent_version, '')", false, d -> orEmpty(d.agentVersion()));

    private final String param;
    private final String sql;
    private final boolean numeric;
    private final Function<DeviceRecord, String> value;

    DeviceSort(String param, String sql, boolean numeric, Function<DeviceRecord, String> value) {
        this.param = param;
        this.sql = sql;
        this.numeric = numeric;
        this.value = value;
    }

    /** The name in the API's {@code sort} parameter. */
    public String param() {
        return param;
    }

    /** The SQL expression ordered by (a fixed string, never built from input). */
    String sql() {
        return sql;
    }

    /** Whether the sort value is an integer (bound as one in the keyset comparison). */
    boolean numeric() {
        return numeric;
    }

    /** The device's sort value as the cursor carries it. */
    String valueOf(DeviceRecord d) {
        return value.apply(d);
    }

    /** The sort named {@code param}, or an IllegalArgumentException listing the names. */
    public static DeviceSort fromParam(String param) {
        for (DeviceSort s : values()) {
            if (s.param.equals(param.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("must be one of " + names());
    }

    public static String names() {
        StringBuilder b = new StringBuilder();
        for (DeviceSort s : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(s.param);
        }
        return b.toString();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
