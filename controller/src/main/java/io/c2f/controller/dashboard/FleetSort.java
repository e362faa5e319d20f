package io.c2f.controller.dashboard;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/** The fleet table's columns it can sort on, by the name the page and the API use. */
enum FleetSort {
    ID("id", FleetRow::id),
    STATUS("status", FleetRow::status),
    BUNDLE("bundle", FleetRow::bundle),
    SCHEDULE("schedule", FleetRow::schedule),
    P50("p50", FleetRow::p50Ms),
    P95("p95", FleetRow::p95Ms),
    P99("p99", FleetRow::p99Ms),
    TARGET("target", FleetRow::targetMs),
    DELEGATE("delegate", FleetRow::delegate),
    LAST_SEEN("last_seen", FleetRow::lastSeenMs);

    private final String param;
    private final Function<FleetRow, Comparable<?>> key;

    FleetSort(String param, Function<FleetRow, Comparable<?>> key) {
        this.param = param;
        this.key = key;
    }

    String param() {
        return param;
    }

    /**
     * Rows in this order: devices without a value (no latency yet, no bundle) last in either
     * direction, so "slowest first" starts with the slowest that reported; ties by id.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    Comparator<FleetRow> comparator(boolean descending) {
        return (a, b) -> {
            Comparable x = key.apply(a);
            Comparable y = key.apply(b);
            int c;
            if (x == null || y == null) {
                c = x == y ? 0 : x == null ? 1 : -1;
            } else {
                c = descending ? y.compareTo(x) : x.compareTo(y);
            }
            return c != 0 ? c : a.id().compareTo(b.id());
        };
    }

    static FleetSort fromParam(String param) {
        for (FleetSort s : values()) {
            if (s.param.equals(param)) {
                return s;
            }
        }
        throw new IllegalArgumentException(param);
    }

    static List<String> params() {
        return Arrays.stream(values()).map(FleetSort::param).toList();
    }
}
