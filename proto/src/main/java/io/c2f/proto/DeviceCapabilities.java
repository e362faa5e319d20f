package io.c2f.proto;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The names an agent may announce in {@code Birth.capabilities}: optional protocol features it
 * implements. An announcement is a hint (what the controller shows operators), never a right.
 */
public final class DeviceCapabilities {
    /**
     * The agent reuses bundle files it already holds (by sha256, re-verified as read) and asks only
     * for the chunks it lacks.
     */
    public static final String BUNDLE_DELTA = "bundle-delta";
    /** Most names one birth may carry. */
    public static final int MAX_COUNT = 32;
    private static final Pattern NAME = Pattern.compile("[a-z0-9.-]{1,64}");

    private DeviceCapabilities() {
    }

    /**
     * What is wrong with a birth's capability list, or null when it keeps to the contract (at most
     * {@link #MAX_COUNT} names of 1-64 characters of {@code [a-z0-9.-]}, none twice).
     */
    public static String problemWith(List<String> names) {
        if (names.size() > MAX_COUNT) {
            return "capabilities lists " + names.size() + " names; at most " + MAX_COUNT;
        }
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (!NAME.matcher(n).matches()) {
                return "capabilities[" + i + "] must be 1-64 characters of [a-z0-9.-], got "
                        + (n.length() > 64 ? n.length() + " characters" : "'" + n + "'");
            }
            if (names.subList(0, i).contains(n)) {
                return "capabilities[" + i + "] '" + n + "' is listed twice";
            }
        }
        return null;
    }
}
