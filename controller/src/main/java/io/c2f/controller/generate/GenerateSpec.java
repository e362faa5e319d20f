package io.c2f.controller.generate;

import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@code POST /api/v1/devices/{id}/generate} asks for, checked field by field.
 *
 * @param scheduleId the schedule to run; null with steps set, or both null for the device's default
 * @param steps total denoising steps, resolved against the device's model catalog; null if not given
 * @param count images, seeds seed, seed + 1, ...
 * @param timeoutMs how long to wait for the device's answer
 */
record GenerateSpec(long seed, String scheduleId, Integer steps, int count, long timeoutMs) {
    /** The largest seed a JSON number carries exactly (and a browser can send). */
    public static final long MAX_SEED = (1L << 53) - 1;
    public static final int MAX_COUNT = 8;
    public static final int MAX_STEPS = 1000;
    public static final long DEFAULT_TIMEOUT_MS = 60_000;
    public static final long MAX_TIMEOUT_MS = 300_000;
    private static final Set<String> KEYS = Set.of("seed", "scheduleId", "steps", "count", "timeoutSeconds");
    private static final Pattern SCHEDULE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    /** @throws IllegalArgumentException with the field and what was wrong */
    public static GenerateSpec parse(JsonObject b) {
        for (String k : b.fieldNames()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown field '" + k + "'; allowed: seed, scheduleId or steps, count, "
                        + "timeoutSeconds");
            }
        }
        Object s = b.getValue("seed");
        if (s == null) {
            throw new IllegalArgumentException("seed is required: an integer in [0, " + MAX_SEED + "]");
        }
        long seed = integer(s, "seed", 0, MAX_SEED);
        Object sid = b.getValue("scheduleId");
        String scheduleId = null;
        if (sid != null && !(sid instanceof String str && str.isEmpty())) {
            if (!(sid instanceof String str) || !SCHEDULE_ID.matcher(str).matches()) {
                throw new IllegalArgumentException("scheduleId must be 1-128 characters of [A-Za-z0-9._-], got " + sid);
            }
            scheduleId = str;
        }
        Integer steps = b.getValue("steps") == null ? null : (int) integer(b.getValue("steps"), "steps", 1, MAX_STEPS);
        if (scheduleId != null && steps != null) {
            throw new IllegalArgumentException("give scheduleId or steps, not both");
        }
        int count = b.getValue("count") == null ? 1 : (int) integer(b.getValue("count"), "count", 1, MAX_COUNT);
        if (seed + count - 1 > MAX_SEED) {
            throw new IllegalArgumentException("seeds seed .. seed + count - 1 must stay at most " + MAX_SEED);
        }
        long timeoutMs = b.getValue("timeoutSeconds") == null ? DEFAULT_TIMEOUT_MS
                : integer(b.getValue("timeoutSeconds"), "timeoutSeconds", 1, MAX_TIMEOUT_MS / 1000) * 1000;
        return new GenerateSpec(seed, scheduleId, steps, count, timeoutMs);
    }

    private static long integer(Object v, String field, long min, long max) {
        if (!(v instanceof Integer || v instanceof Long)) {
            throw new IllegalArgumentException(field + " must be an integer in [" + min + ", " + max + "], got "
                    + (v instanceof String ? "the string \"" + v + "\"" : v));
        }
        long n = ((Number) v).longValue();
        if (n < min || n > max) {
            throw new IllegalArgumentException(field + " must be an integer in [" + min + ", " + max + "], got " + n);
        }
        return n;
    }
}
