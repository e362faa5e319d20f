package io.c2f.controller.store;

import java.util.Locale;

/**
 * One page of the registry's devices: filtered by status and search text, in a sort order,
 * after a cursor.
 *
 * @param status only these, or null for all
 * @param text case-insensitive substring of the id, a label, the schedule or the bundle; null for all.
 *     Matched literally: {@code %}, {@code _} and {@code \} are not wildcards
 * @param after continue after this row (its sort must be {@code sort}), or null from the start
 */
public record DeviceQuery(DeviceStatus status, String text, DeviceSort sort, boolean descending, DeviceCursor after,
                          int limit) {
    public DeviceQuery {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        if (after != null && after.sort() != sort) {
            throw new IllegalArgumentException("cursor of sort " + after.sort().param() + " used with sort " + sort.param());
        }
        text = text == null || text.isEmpty() ? null : text.toLowerCase(Locale.ROOT);
    }

    /** Devices in id order, as {@link DeviceRepository#list} pages them. */
    public static DeviceQuery byId(DeviceStatus status, String afterId, int limit) {
        return new DeviceQuery(status, null, DeviceSort.ID, false,
                afterId == null ? null : new DeviceCursor(DeviceSort.ID, afterId, afterId), limit);
    }

    /** The LIKE pattern of the search text, its wildcards escaped with {@code \}. */
    String likePattern() {
        StringBuilder b = new StringBuilder("%");
        for (char c : text.toCharArray()) {
            if (c == '%' || c == '_' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.append('%').toString();
    }
}
