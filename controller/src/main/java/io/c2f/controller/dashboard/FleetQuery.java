package io.c2f.controller.dashboard;

import io.c2f.controller.api.QueryParams;
import java.util.List;

/**
 * What the fleet page asks for: a search, a status, only devices over target, an order and one
 * page of it.
 *
 * @param text lower-case substring of id, label, bundle, schedule or delegate; null for all
 * @param status ONLINE, INSTALLING or OFFLINE; null for all
 * @param page from 1
 */
record FleetQuery(String text, String status, boolean overOnly, FleetSort sort, boolean descending, int page, int limit) {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    /** Far beyond any fleet one controller holds at the smallest page, so it only stops absurd numbers. */
    static final int MAX_PAGE = 1_000_000;

    /** From {@code ?q=&status=&over=&sort=&order=&page=&limit=}; a bad value is a BadRequestException naming it. */
    static FleetQuery of(QueryParams p) {
        String status = p.choice("status", null, List.of("ONLINE", "INSTALLING", "OFFLINE"));
        FleetSort sort = FleetSort.fromParam(p.choice("sort", "id", FleetSort.params()));
        boolean descending = "desc".equals(p.choice("order", "asc", List.of("asc", "desc")));
        return new FleetQuery(p.search("q"), status, p.flag("over"), sort, descending,
                p.integer("page", 1, 1, MAX_PAGE), p.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT));
    }

    boolean matches(FleetRow r) {
        return (status == null || status.equals(r.status())) && (!overOnly || r.overTarget())
                && (text == null || r.searchText().contains(text));
    }
}
