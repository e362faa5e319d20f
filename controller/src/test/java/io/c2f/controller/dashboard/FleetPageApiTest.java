package io.c2f.controller.dashboard;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.testing.EventStream;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.controller.testing.RegisteredFleet;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.PhaseLatency;
import io.c2f.proto.v1.Telemetry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet page's data over plain HTTP, against a real controller with {@value #N} registered
 * devices and two that report generations over MQTT: pages cover the fleet once in each order
 * (latency sorts put devices without samples last), search and filters narrow while the summary
 * counts the whole fleet, bad parameters get a 400 naming them, and an event stream that watches
 * some devices gets only their events plus the coalesced fleet event.
 */
@Timeout(120)
class FleetPageApiTest {
    private static final int N = 300;
    private static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir
    Path dir;

    private static void generations(FakeDevice dev, String id, int n, double totalMs, String delegate) throws Exception {
        for (int i = 0; i < n; i++) {
            dev.publish(Channel.TELEMETRY, Telemetry.newBuilder().setDeviceId(id).setTelemetrySeq(i)
                    .setGeneration(GenerationRecord.newBuilder().setRequestId(id + i).setScheduleId("c2f-8-4")
                            .setTotalMillis(totalMs + i).setDelegate(delegate)
                            .addPhases(PhaseLatency.newBuilder().setPhase("high").setMillis(totalMs)))
                    .build());
        }
    }

    private static BlockingQueue<String> stream(HttpClient client, int port, String uri) throws Exception {
        EventStream events = EventStream.open(client, port, uri, TestControllers.READER);
        assertEquals(200, events.response().statusCode());
        return events.frames();
    }

    /** Waits for a frame of this event that contains the text; returns every frame seen up to it. */
    private static List<String> awaitFrame(BlockingQueue<String> frames, String event, String text) throws Exception {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String f = frames.poll(200, TimeUnit.MILLISECONDS);
            if (f != null) {
                seen.add(f);
                if (f.startsWith("event: " + event + "\n") && f.contains(text)) {
                    return seen;
                }
            }
        }
        throw new AssertionError("no '" + event + "' event with " + text + " within " + WAIT + "; saw " + seen);
    }

    @Test
    void pagesSearchesSortsAndWatchesOnlyWhatIsShown() throws Exception {
        Vertx vertx = Vertx.vertx();
        Controller c = TestControllers.start(vertx, dir, TestControllers.adminAndReader());
        WebClient web = WebClient.create(vertx);
        HttpClient client = vertx.createHttpClient();
        int port = c.httpPort();
        List<FakeDevice> fakes = new ArrayList<>();
        try {
            result(RegisteredFleet.register(c.repository(), "lab", N));
            BlockingQueue<String> all = stream(client, port, "/api/v1/dashboard/events");
            BlockingQueue<String> watching = stream(client, port, "/api/v1/dashboard/events?devices=zz-fast,dev-00001");
            for (String id : List.of("zz-fast", "zz-slow")) {
                FakeDevice d = new FakeDevice(c.mqttUrl(), "lab", id);
                fakes.add(d);
                d.connect(1);
                d.birth();
            }
            // births elsewhere in the fleet reach a watching stream as one coalesced fleet event
            awaitFrame(watching, "fleet", "changes");
            generations(fakes.get(1), "zz-slow", 5, 900, "xnnpack");
            awaitFrame(all, "generation", "zz-slow");
            generations(fakes.get(0), "zz-fast", 5, 300, "gpu-test");
            List<String> seen = awaitFrame(watching, "generation", "zz-fast");
            assertFalse(seen.stream().anyMatch(f -> f.contains("zz-slow") && !f.startsWith("event: fleet")),
                    "a watching stream got another device's events: " + seen);

            JsonObject first = until(() -> web.get(port, "127.0.0.1", "/api/v1/dashboard/fleet?sort=p95&order=desc&limit=5")
                    .bearerTokenAuthentication(TestControllers.READER).send().map(HttpResponse::bodyAsJsonObject),
                    o -> o.getJsonObject("summary").getInteger("total") == N + 2
                            && o.getJsonArray("devices").getJsonObject(1).getInteger("samples") == 5, WAIT, "latency of both");
            assertEquals(List.of("zz-slow", "zz-fast", "dev-00000", "dev-00001", "dev-00002"), ids(first));
            assertEquals(List.of("zz-fast", "zz-slow", "dev-00000"), ids(page(web, port, "sort=p95&limit=3")));
            JsonObject summary = first.getJsonObject("summary");
            assertEquals(N / 5, summary.getInteger("offline"));
            assertEquals(N + 2 - N / 5, summary.getInteger("online"));
            assertEquals(0, summary.getInteger("installing"));

            // every device once, in order, walking pages
            List<String> byId = new ArrayList<>(IntStream.range(0, N).mapToObj(RegisteredFleet::id).toList());
            byId.addAll(List.of("zz-fast", "zz-slow"));
            assertEquals(byId, walk(web, port, "sort=id", 37));
            List<String> desc = new ArrayList<>(byId);
            Collections.reverse(desc);
            assertEquals(desc, walk(web, port, "sort=id&order=desc", 200));
            List<String> lastSeen = walk(web, port, "sort=last_seen", 50);
            assertEquals(N + 2, lastSeen.stream().distinct().count());
            assertEquals(IntStream.range(0, N).boxed().sorted((a, b) -> Long.compare(RegisteredFleet.lastSeenMs(a, N),
                    RegisteredFleet.lastSeenMs(b, N))).map(RegisteredFleet::id).toList(), lastSeen.subList(0, N));

            // search and filters narrow the rows; the summary still counts the fleet
            JsonObject site = page(web, port, "q=SITE_3&limit=200");
            List<String> want = IntStream.range(0, N).filter(i -> i % 7 == 3).mapToObj(RegisteredFleet::id).toList();
            assertEquals(want, ids(site));
            assertEquals(want.size(), site.getInteger("matched"));
            assertEquals(N + 2, site.getJsonObject("summary").getInteger("total"));
            JsonObject offline = page(web, port, "status=OFFLINE&q=rack-a&sort=last_seen&order=desc&page=2&limit=5");
            assertEquals(IntStream.range(0, N).filter(i -> RegisteredFleet.offline(i) && i % 3 == 0).count(),
                    (long) offline.getInteger("matched"));
            assertEquals(2, offline.getInteger("page"));
            assertEquals(List.of("zz-fast"), ids(page(web, port, "q=GPU-TEST"))); // the delegate that ran
            assertEquals(0, page(web, port, "q=%25").getInteger("matched")); // % is a character, not a wildcard
            assertEquals(0, page(web, port, "over=true").getInteger("matched")); // no targets set
            JsonObject beyond = page(web, port, "page=99&limit=50");
            assertEquals(0, beyond.getJsonArray("devices").size());
            assertEquals(7, beyond.getInteger("pages"));

            for (String[] bad : new String[][] {{"limit=0", "limit"}, {"limit=201", "limit"}, {"page=0", "page"},
                    {"page=x", "page"}, {"sort=p42", "sort"}, {"order=sideways", "order"}, {"status=ASLEEP", "status"},
                    {"over=yes", "over"}, {"q=" + "q".repeat(65), "q"}, {"q=%07", "q"}}) {
                HttpResponse<Buffer> r = result(web.get(port, "127.0.0.1", "/api/v1/dashboard/fleet?" + bad[0])
                        .bearerTokenAuthentication(TestControllers.READER).send());
                assertEquals(400, r.statusCode(), bad[0]);
                assertTrue(r.bodyAsJsonObject().getString("error").startsWith(bad[1] + " "), r.bodyAsString());
            }
            String many = IntStream.range(0, LiveFeed.MAX_WATCHED + 1).mapToObj(RegisteredFleet::id).collect(Collectors.joining(","));
            for (String bad : List.of("devices=bad%20id", "devices=" + many, "devices=a,%3Cscript%3E")) {
                HttpResponse<Buffer> r = result(web.get(port, "127.0.0.1", "/api/v1/dashboard/events?" + bad)
                        .bearerTokenAuthentication(TestControllers.READER).send());
                assertEquals(400, r.statusCode(), bad);
                assertTrue(r.bodyAsJsonObject().getString("error").startsWith("devices"), r.bodyAsString());
            }
            assertEquals(401, result(web.get(port, "127.0.0.1", "/api/v1/dashboard/fleet?q=dev").send()).statusCode());
        } finally {
            fakes.forEach(FakeDevice::close);
            client.close();
            web.close();
            result(c.stop());
            result(vertx.close());
        }
    }

    @Test
    void aDeviceThatStopsHeartbeatingReachesItsWatchersAndTheCounts() throws Exception {
        Vertx vertx = Vertx.vertx();
        Controller c = TestControllers.start(vertx, dir, TestControllers.adminAndReader());
        WebClient web = WebClient.create(vertx);
        HttpClient client = vertx.createHttpClient();
        int port = c.httpPort();
        try (FakeDevice quiet = new FakeDevice(c.mqttUrl(), "lab", "zz-quiet")) {
            BlockingQueue<String> watch = stream(client, port, "/api/v1/dashboard/events?devices=zz-quiet");
            BlockingQueue<String> other = stream(client, port, "/api/v1/dashboard/events?devices=");
            quiet.connect(1);
            quiet.birth();
            awaitFrame(watch, "device", "\"birth\"");
            awaitFrame(other, "fleet", "changes");
            // heartbeats every 100 ms, then silence with the connection kept: offline with no MQTT message at all
            quiet.state(100);
            awaitFrame(watch, "device", "\"changed\"");
            awaitFrame(other, "fleet", "changes");
            JsonObject summary = until(() -> web.get(port, "127.0.0.1", "/api/v1/dashboard/fleet")
                    .bearerTokenAuthentication(TestControllers.READER).send().map(r -> r.bodyAsJsonObject()),
                    o -> o.getJsonObject("summary").getInteger("offline") == 1, WAIT, "zz-quiet counted offline")
                    .getJsonObject("summary");
            assertEquals(0, summary.getInteger("online"));
        } finally {
            client.close();
            web.close();
            result(c.stop());
            result(vertx.close());
        }
    }

    private static JsonObject page(WebClient web, int port, String query) throws Exception {
        HttpResponse<Buffer> r = result(web.get(port, "127.0.0.1", "/api/v1/dashboard/fleet?" + query)
                .bearerTokenAuthentication(TestControllers.READER).send());
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return r.bodyAsJsonObject();
    }

    private static List<String> ids(JsonObject page) {
        return page.getJsonArray("devices").stream().map(o -> ((JsonObject) o).getString("id")).toList();
    }

    private static List<String> walk(WebClient web, int port, String query, int limit) throws Exception {
        List<String> out = new ArrayList<>();
        JsonObject p;
        int n = 1;
        do {
            p = page(web, port, query + "&limit=" + limit + "&page=" + n++);
            out.addAll(ids(p));
        } while (p.getInteger("page") < p.getInteger("pages"));
        return out;
    }
}
