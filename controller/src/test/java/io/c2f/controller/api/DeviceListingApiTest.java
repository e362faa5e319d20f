package io.c2f.controller.api;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.store.DeviceTouch;
import io.c2f.controller.testing.RegisteredFleet;
import io.c2f.controller.testing.TestControllers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/devices} with search, sort and paging, over plain HTTP against a real
 * controller holding {@value #N} devices: walking the pages returns every device once, in order,
 * in each sort; search matches id, label, schedule and bundle, case-insensitively and literally;
 * a bad parameter gets a 400 naming it; the token rules are those of every GET.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceListingApiTest {
    static final int N = 230;
    private Vertx vertx;
    private Controller controller;
    private WebClient http;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        vertx = Vertx.vertx();
        controller = TestControllers.start(vertx, dir, TestControllers.adminAndReader());
        http = WebClient.create(vertx);
        result(RegisteredFleet.register(controller.repository(), "lab", N));
    }

    @AfterAll
    void stop() throws Exception {
        http.close();
        result(controller.stop());
        result(vertx.close());
    }

    private HttpResponse<Buffer> get(String uri, String token) throws Exception {
        var req = http.get(controller.httpPort(), "127.0.0.1", uri);
        if (token != null) {
            req.bearerTokenAuthentication(token);
        }
        return result(req.send());
    }

    private JsonObject ok(String uri) throws Exception {
        HttpResponse<Buffer> r = get(uri, TestControllers.READER);
        assertEquals(200, r.statusCode(), uri + ": " + r.bodyAsString());
        return r.bodyAsJsonObject();
    }

    /** Follows next from the first page; the devices in the order the pages gave them. */
    private List<JsonObject> walk(String query, int limit) throws Exception {
        List<JsonObject> all = new ArrayList<>();
        String after = null;
        for (int pages = 0; pages < N + 2; pages++) {
            JsonObject page = ok("/api/v1/devices?limit=" + limit + query
                    + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)));
            page.getJsonArray("devices").forEach(d -> all.add((JsonObject) d));
            assertTrue(page.getJsonArray("devices").size() <= limit);
            after = page.getString("next");
            if (after == null) {
                return all;
            }
        }
        throw new AssertionError("paging did not end");
    }

    private static List<String> ids(List<JsonObject> devices) {
        return devices.stream().map(d -> d.getString("id")).toList();
    }

    /** Each device exactly once, in the order of key then id (key reversed for desc). */
    private static void assertWalk(List<JsonObject> got, Function<Integer, Comparable<?>> key, boolean desc) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Comparator<Integer> byKey = (a, b) -> ((Comparable) key.apply(a)).compareTo(key.apply(b));
        Comparator<Integer> order = (desc ? byKey.reversed() : byKey)
                .thenComparing(desc ? Comparator.<Integer>reverseOrder() : Comparator.<Integer>naturalOrder());
        List<String> want = IntStream.range(0, N).boxed().sorted(order).map(RegisteredFleet::id).toList();
        assertEquals(want, ids(got));
    }

    @Test
    void pagesThroughEveryDeviceOnceInEachOrder() throws Exception {
        assertWalk(walk("", 17), i -> i, false);
        assertWalk(walk("&order=desc", 50), i -> i, true);
        assertWalk(walk("&sort=last_seen&order=desc", 13), i -> RegisteredFleet.lastSeenMs(i, N), true);
        assertWalk(walk("&sort=last_seen", 1000), i -> RegisteredFleet.lastSeenMs(i, N), false);
        assertWalk(walk("&sort=status", 40), i -> RegisteredFleet.offline(i) ? "OFFLINE" : "ONLINE", false);
        assertWalk(walk("&sort=bundle&order=desc", 29), i -> "unet-s", true);
        // the id sort's cursor is the last id: what clients sent before sorting existed still works
        JsonObject first = ok("/api/v1/devices?limit=3");
        assertEquals("dev-00002", first.getString("next"));
        assertEquals("dev-00003", ok("/api/v1/devices?limit=1&after=dev-00002").getJsonArray("devices")
                .getJsonObject(0).getString("id"));
        // the last-seen cursor carries the row's time: the next page follows it even after that device was seen again
        List<String> before = ids(walk("&sort=last_seen", 1000));
        JsonObject byTime = ok("/api/v1/devices?sort=last_seen&limit=5");
        String cursor = byTime.getString("next");
        assertTrue(cursor.contains("~"), cursor);
        String moved = before.get(4);
        result(controller.repository().touchAll(List.of(new DeviceTouch(moved, 1, Instant.now().toEpochMilli(), 5000))));
        JsonObject second = ok("/api/v1/devices?sort=last_seen&limit=5&after=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        assertEquals(before.subList(5, 10), ids(second.getJsonArray("devices").stream().map(o -> (JsonObject) o).toList()));
        // back as registered, for the other tests (a heartbeat cannot move last_seen back: a birth can)
        result(RegisteredFleet.register(controller.repository(), "lab", Integer.parseInt(moved.substring(4)), N));
    }

    @Test
    void searchMatchesIdLabelScheduleAndBundleLiterally() throws Exception {
        assertEquals(List.of("dev-00042"), ids(walk("&q=00042", 100)));
        // labels: site_3 is i % 7 == 3
        assertEquals(IntStream.range(0, N).filter(i -> i % 7 == 3).mapToObj(RegisteredFleet::id).toList(),
                ids(walk("&q=SITE_3", 100)));
        // schedules c2f-8-4 and C2F-6-2, case-insensitively, with the status filter
        assertEquals(IntStream.range(0, N).filter(i -> i % 4 == 0 || i % 4 == 2).filter(i -> !RegisteredFleet.offline(i))
                .mapToObj(RegisteredFleet::id).toList(), ids(walk("&q=c2f-&status=ONLINE", 100)));
        assertEquals(N, walk("&q=unet", 1000).size());
        // sorted by schedule, devices without one first (as the empty string), walked in small pages
        assertWalk(walk("&sort=schedule", 11), i -> RegisteredFleet.schedule(i), false);
        // % and _ are not wildcards: no device has a literal % in these fields, and _ only in site_ labels
        assertEquals(0, walk("&q=" + URLEncoder.encode("%", StandardCharsets.UTF_8), 100).size());
        assertEquals(N, walk("&q=_", 1000).size());
        assertEquals(0, walk("&q=dev_0", 100).size());
        assertEquals(0, walk("&q=" + URLEncoder.encode("\\", StandardCharsets.UTF_8), 100).size());
        assertEquals(0, walk("&q=nothing-like-this", 100).size());
        // blank is no filter
        assertEquals(N, walk("&q=%20%20", 1000).size());
    }

    @Test
    void badParametersAreRefusedNamingThem() throws Exception {
        for (String[] c : new String[][] {
                {"limit=0", "limit"}, {"limit=1001", "limit"}, {"limit=1000000000", "limit"}, {"limit=ten", "limit"},
                {"sort=name", "sort"}, {"sort=id%3BDROP%20TABLE%20devices", "sort"}, {"order=up", "order"},
                {"status=dead", "status"}, {"q=" + "x".repeat(65), "q"}, {"q=a%00b", "q"}, {"q=a%0Ab", "q"},
                {"after=bad%20id", "after"}, {"sort=last_seen&after=dev-00001", "after"},
                {"sort=last_seen&after=%25%25~dev-00001", "after"},
                {"sort=schedule&after=" + cursor("last_seen:123", "dev-00001"), "after"},
                {"sort=last_seen&after=" + cursor("last_seen:soon", "dev-00001"), "after"},
                {"sort=last_seen&after=" + cursor("last_seen:1", "bad id"), "after"},
                {"after=" + "a".repeat(600), "after"}}) {
            HttpResponse<Buffer> r = get("/api/v1/devices?" + c[0], TestControllers.READER);
            assertEquals(400, r.statusCode(), c[0] + ": " + r.bodyAsString());
            String error = r.bodyAsJsonObject().getString("error");
            assertTrue(error.startsWith(c[1] + " "), c[0] + " -> " + error);
        }
        // the message quotes at most 64 characters of what was sent
        String error = get("/api/v1/devices?sort=" + "z".repeat(300), TestControllers.READER).bodyAsJsonObject().getString("error");
        assertTrue(error.length() < 200, error);
    }

    private static String cursor(String head, String id) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(head.getBytes(StandardCharsets.UTF_8)) + "~"
                + URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    @Test
    void readingNeedsAReadOnlyOrAdminTokenAsBefore() throws Exception {
        assertEquals(401, get("/api/v1/devices?q=dev&sort=last_seen", null).statusCode());
        assertEquals(401, get("/api/v1/devices?q=dev", "not-a-token").statusCode());
        assertEquals(200, get("/api/v1/devices?q=dev&sort=last_seen", TestControllers.READER).statusCode());
        assertEquals(200, get("/api/v1/devices?q=dev&sort=last_seen", TestControllers.ADMIN).statusCode());
        // unknown to the API, but a device listing stays read-only: no write verb on it
        assertFalse(List.of(200, 201, 204).contains(result(http.post(controller.httpPort(), "127.0.0.1",
                "/api/v1/devices?q=dev").bearerTokenAuthentication(TestControllers.READER).send()).statusCode()));
        JsonArray devices = ok("/api/v1/devices?q=dev-00007").getJsonArray("devices");
        assertEquals("dev-00007", devices.getJsonObject(0).getString("id"));
        assertEquals(List.of("rack-b", "site_0"), devices.getJsonObject(0).getJsonArray("labels").getList());
        assertEquals("asc", ok("/api/v1/devices?order=ASC").getString("order"));
        assertEquals("id", ok("/api/v1/devices").getString("sort").toLowerCase(Locale.ROOT));
    }
}
