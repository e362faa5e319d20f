package io.c2f.controller.api;

import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;

/**
 * Query parameters of list endpoints, read strictly: a value that is not what the parameter takes
 * is a {@link BadRequestException} whose message names the parameter and what it takes.
 */
public final class QueryParams {
    /** The longest search text: enough for any id, label or schedule name, short enough to scan cheaply. */
    public static final int MAX_SEARCH = 64;

    private final RoutingContext rc;

    public QueryParams(RoutingContext rc) {
        this.rc = rc;
    }

    /** The parameter's value, or null when absent. */
    public String raw(String name) {
        return rc.queryParams().get(name);
    }

    /** An integer in min..max, or dflt when absent. */
    public int integer(String name, int dflt, int min, int max) {
        String v = raw(name);
        if (v == null) {
            return dflt;
        }
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) {
                return i;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new BadRequestException(name + " '" + clip(v) + "' must be an integer " + min + ".." + max);
    }

    /** One of the choices (case-insensitive, answered in the choices' spelling), or dflt when absent. */
    public String choice(String name, String dflt, List<String> choices) {
        String v = raw(name);
        if (v == null) {
            return dflt;
        }
        for (String c : choices) {
            if (c.equalsIgnoreCase(v)) {
                return c;
            }
        }
        throw new BadRequestException(name + " '" + clip(v) + "' must be one of " + String.join(", ", choices));
    }

    /** {@code true} or {@code false}, or false when absent. */
    public boolean flag(String name) {
        return "true".equals(choice(name, "false", List.of("true", "false")));
    }

    /**
     * Search text: trimmed, at most {@value #MAX_SEARCH} characters, no control characters; null
     * when absent or blank. Lower-cased, for case-insensitive matching.
     */
    public String search(String name) {
        String v = raw(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        v = v.strip();
        if (v.length() > MAX_SEARCH) {
            throw new BadRequestException(name + " must be at most " + MAX_SEARCH + " characters, got " + v.length());
        }
        for (int i = 0; i < v.length(); i++) {
            if (Character.isISOControl(v.charAt(i))) {
                throw new BadRequestException(name + " must not contain control characters (found U+"
                        + String.format("%04X", (int) v.charAt(i)) + ")");
            }
        }
        return v.toLowerCase(Locale.ROOT);
    }

    /** A value as an error message quotes it: at most 64 characters. */
    public static String clip(String v) {
        return v.length() <= 64 ? v : v.substring(0, 64) + "…";
    }
}
