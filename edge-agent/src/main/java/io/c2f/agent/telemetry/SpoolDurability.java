package io.c2f.agent.telemetry;

import java.util.Locale;

/**
 * How far a telemetry record must get before the spool counts it as written
 * ({@code c2f.telemetry.spool.durability}).
 */
public enum SpoolDurability {
    /** Each record and counter fsynced, then renamed into place: survives a power cut. The default. */
    FSYNC,
    /**
     * The same files and renames without waiting for the disk: survives the agent crashing and
     * restarting, not a power cut.
     */
    PAGE_CACHE,
    /**
     * Records kept in memory and written to the spool directory when the agent closes: survives a
     * graceful restart only. For the fleet simulator, whose thousands of devices on one host spent
     * most of their CPU in spool file operations the controller never sees.
     */
    MEMORY;

    /** "fsync", "page-cache" or "memory", as the config key spells it. */
    public static SpoolDurability parse(String text) {
        for (SpoolDurability d : values()) {
            if (d.key().equals(text)) {
                return d;
            }
        }
        throw new IllegalArgumentException("must be fsync, page-cache or memory, got '" + text + "'");
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
