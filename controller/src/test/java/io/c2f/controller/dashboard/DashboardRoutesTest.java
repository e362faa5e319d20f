package io.c2f.controller.dashboard;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.auth.ApiTokens;
import io.c2f.controller.auth.Role;
import io.c2f.controller.testing.EventStream;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.PhaseLatency;
import io.c2f.proto.v1.Telemetry;
import io.c2f.controller.testing.TestControllers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's server side without a browser (runs where Chromium is absent): pages and their
 * headers, escaping, the fleet summary, and the event stream (auth, device and generation events)
 * against a real controller and a fake device.
 */
@Timeout(60)
class DashboardRoutesTest {
    private static final String READER = TestControllers.READER;
    private static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir
    Path dir;

    /** The next event of the given name from the stream's frames, skipping others. */
    private static JsonObject next(BlockingQueue<String> frames, String event) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String f = frames.poll(200, TimeUnit.MILLISECONDS);
            if (f != null && ("\n" + f).contains("\nevent: " + event + "\n")) {
                return new JsonObject(f.substring(f.indexOf("data: ") + 6).trim());
            }
        }
        throw new AssertionError("no '" + event + "' event within " + WAIT);
    }

    @Test
    void pagesFleetSummaryAndEventStream() throws Exception {
        Vertx vertx = Vertx.vertx();
        Controller c = TestControllers.start(vertx, dir, ApiTokens.of(Map.of("grafana", ApiTokens.entry(Role.READ_ONLY, READER)), "test"));
        WebClient web = WebClient.create(vertx);
        HttpClient client = vertx.createHttpClient();
        int port = c.httpPort();
        try (FakeDevice dev = new FakeDevice(c.mqttUrl(), "lab", "rpi-07")) {
            // pages are public shells: no fleet data, strict CSP, the subject escaped
            HttpResponse<Buffer> page = result(web.get(port, "127.0.0.1", "/").send());
            assertEquals(200, page.statusCode());
            assertTrue(page.getHeader("content-type").startsWith("text/html"));
            assertTrue(page.getHeader("content-security-policy").contains("script-src 'self'"));
            assertTrue(page.bodyAsString().contains("<table id=\"devices\""));
            assertFalse(page.bodyAsString().contains("{{"), "every placeholder filled");
            HttpResponse<Buffer> rollout = result(web.get(port, "127.0.0.1", "/rollouts/%3Cscript%3Ex").send());
            assertTrue(rollout.bodyAsString().contains("Rollout &lt;script&gt;x"), rollout.bodyAsString());
            assertFalse(rollout.bodyAsString().contains("<script>x"));
            assertEquals(404, result(web.get(port, "127.0.0.1", "/devices/bad%20id").send()).statusCode());
            HttpResponse<Buffer> js = result(web.get(port, "127.0.0.1", "/dashboard/assets/common.js").send());
            assertEquals(200, js.statusCode());
            assertTrue(js.getHeader("content-type").contains("javascript"), js.getHeader("content-type"));

            // the data needs a token like the rest of the API
            assertEquals(401, result(web.get(port, "127.0.0.1", "/api/v1/dashboard/fleet").send()).statusCode());
            assertEquals(401, result(web.get(port, "127.0.0.1", "/api/v1/dashboard/events").send()).statusCode());

            EventStream events = EventStream.open(client, port, "/api/v1/dashboard/events", READER);
            HttpClientResponse stream = events.response();
            BlockingQueue<String> frames = events.frames();
            assertEquals(200, stream.statusCode());
            assertTrue(stream.getHeader("content-type").startsWith("text/event-stream"));
            assertEquals("lab", next(frames, "hello").getString("fleet"));

            dev.connect(1);
            dev.birth();
            JsonObject born = next(frames, "device");
            assertEquals("rpi-07", born.getString("deviceId"));
            assertEquals("birth", born.getString("what"));
            for (int i = 0; i < 3; i++) {
                dev.publish(Channel.TELEMETRY, Telemetry.newBuilder().setDeviceId("rpi-07").setTelemetrySeq(i)
                        .setGeneration(GenerationRecord.newBuilder().setRequestId("r" + i).setScheduleId("c2f-8-4")
                                .setTotalMillis(400 + i).setDelegate("gpu")
                                .addPhases(PhaseLatency.newBuilder().setPhase("low").setMillis(100))
                                .addPhases(PhaseLatency.newBuilder().setPhase("high").setMillis(280 + i)))
                        .build());
            }
            JsonObject g = next(frames, "generation");
            assertEquals("rpi-07", g.getString("deviceId"));
            assertEquals(400.0, g.getDouble("totalMs"));
            assertEquals(100.0, g.getDouble("lowMs"));
            assertEquals(280.0, g.getDouble("highMs"));
            assertEquals(20.0, g.getDouble("otherMs"), 1e-9);

            JsonObject recent = until(() -> web.get(port, "127.0.0.1", "/api/v1/dashboard/devices/rpi-07/recent")
                    .bearerTokenAuthentication(READER).send().map(HttpResponse::bodyAsJsonObject),
                    o -> o.getJsonArray("samples").size() == 3, WAIT, "3 recent samples");
            assertEquals(402.0, recent.getJsonArray("samples").getJsonObject(2).getDouble("totalMs"));
            JsonObject row = until(() -> web.get(port, "127.0.0.1", "/api/v1/dashboard/fleet")
                    .bearerTokenAuthentication(READER).send().map(r -> r.bodyAsJsonObject().getJsonArray("devices")),
                    a -> a.size() == 1 && a.getJsonObject(0).getInteger("samples") == 3, WAIT, "rpi-07 with 3 samples")
                    .getJsonObject(0);
            System.out.println("fleet row: " + row.encode());
            assertEquals("ONLINE", row.getString("status"));
            assertEquals("gpu", row.getString("delegate"), "the delegate that ran, not the announced one");
            assertEquals("c2f-unet-s", row.getString("bundleId"));
            assertEquals(401.0, row.getDouble("p50Ms"));
            assertEquals(402.0, row.getDouble("p99Ms"));
        } finally {
            client.close();
            web.close();
            result(c.stop());
            result(vertx.close());
        }
    }
}
