package io.c2f.controller.enrol;

import java.util.Locale;

/** Where a device's enrolment stands. */
public enum EnrolmentState {
    /** Asked, waiting for an operator. */
    PENDING,
    /** Its credential is valid at the broker. */
    ACCEPTED,
    /** Refused by an operator. */
    REJECTED,
    /** Was accepted, then taken out of the fleet: its credential no longer works. */
    DECOMMISSIONED;

    /** The state a query parameter names ({@code pending}, case-insensitive), or null for none. */
    public static EnrolmentState parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
