package io.c2f.controller.retune;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.metrics.MicrometerControllerMetrics;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.PhaseLatency;
import io.c2f.proto.v1.Telemetry;
import io.c2f.controller.testing.TestControllers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real controller (embedded broker, H2, verticles, Micrometer metrics, token auth) and a fake
 * device publishing GenerationRecords: latency API, a target, the ApplySchedule job seen on the
 * device's job/notify topic, the decision log, auth errors and the metrics endpoint.
 */
@Timeout(90)
class RetuneEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ADMIN = TestControllers.ADMIN;
    private static final String READER = TestControllers.READER;
    @TempDir
    Path dir;

    private static Future<HttpResponse<Buffer>> send(HttpRequest<Buffer> r, String token, JsonObject body) {
        if (token != null) {
            r.bearerTokenAuthentication(token);
        }
        return body == null ? r.send() : r.sendJsonObject(body);
    }

    private static JsonObject ok(HttpResponse<Buffer> r, int status) {
        if (r.statusCode() != status) {
            throw new IllegalStateException("HTTP " + r.statusCode() + " (wanted " + status + "): " + r.bodyAsString());
        }
        return r.bodyAsString() == null || r.bodyAsString().isEmpty() ? new JsonObject() : r.bodyAsJsonObject();
    }

    @Test
    void telemetryTargetApplyScheduleHistoryAuthAndMetrics() throws Exception {
        Vertx vertx = Vertx.vertx();
        MicrometerControllerMetrics metrics = new MicrometerControllerMetrics();
        RetuneSettings settings = RetuneSettings.defaults().withTiming(20, 120_000, 0, 200);
        Controller c = TestControllers.start(vertx, dir, metrics, new Controller.Options(TestControllers.adminAndReader(),
                settings, 1, io.c2f.controller.rollout.RolloutSettings.defaults()));
        WebClient http = WebClient.create(vertx);
        int port = c.httpPort();
        MqttClient watcher = new MqttClient(c.mqttUrl(), "watcher", new MemoryPersistence());
        try (FakeDevice dev = new FakeDevice(c.mqttUrl(), "lab", "rpi-07")) {
            BlockingQueue<JobCommand> jobs = new LinkedBlockingQueue<>();
            watcher.connect();
            watcher.subscribe(dev.topics().device("rpi-07", Channel.JOB_NOTIFY), 1, (t, m) ->
                    jobs.add((JobCommand) WireCodec.decode(t, m.getPayload()).message()));

            // auth: no token, bad token, read-only token writing
            assertEquals(401, result(send(http.get(port, "127.0.0.1", "/api/v1/devices"), null, null)).statusCode());
            HttpResponse<Buffer> bad = result(send(http.get(port, "127.0.0.1", "/api/v1/devices"), "nope", null));
            assertEquals(401, bad.statusCode());
            assertEquals("unknown or revoked token", bad.bodyAsJsonObject().getString("error"));
            assertTrue(bad.getHeader("WWW-Authenticate").contains("invalid_token"));
            assertEquals(200, result(send(http.get(port, "127.0.0.1", "/healthz"), null, null)).statusCode());
            assertEquals(200, result(send(http.get(port, "127.0.0.1", "/api/v1/devices"), READER, null)).statusCode());
            HttpResponse<Buffer> forbidden = result(send(http.post(port, "127.0.0.1", "/api/v1/models"), READER,
                    new JsonObject().put("id", "m").put("source", "synthetic")));
            assertEquals(403, forbidden.statusCode());
            assertTrue(forbidden.bodyAsJsonObject().getString("error").contains("needs admin"));
            String yaml = result(send(http.get(port, "127.0.0.1", "/api/v1/openapi.yaml"), READER, null)).bodyAsString();
            assertTrue(yaml.startsWith("openapi: 3"), yaml.substring(0, Math.min(60, yaml.length())));

            // a model and a catalog: the synthetic 16/32 model and the repository's baseline catalog (32x32)
            ok(result(send(http.post(port, "127.0.0.1", "/api/v1/models"), ADMIN,
                    new JsonObject().put("id", "syn").put("source", "synthetic"))), 201);
            Path catalog = Path.of("..", "schedules", "catalog").toAbsolutePath().normalize();
            JsonObject added = ok(result(send(http.post(port, "127.0.0.1", "/api/v1/models/syn/schedules"), ADMIN,
                    new JsonObject().put("catalogDir", TestControllers.intoModelsDir(dir, catalog)))), 200);
            assertEquals(4, added.getJsonArray("added").size(), added.encode());

            // the device runs 20 full-resolution steps at ~41 ms each: ~850 ms per image
            dev.connect(1);
            dev.birth();
            until(() -> send(http.get(port, "127.0.0.1", "/api/v1/devices/rpi-07"), READER, null).map(r -> r.statusCode()),
                    s -> s == 200, WAIT, "rpi-07 registered");
            Random rnd = new Random(11);
            for (int i = 0; i < 60; i++) {
                double f = Math.exp(0.05 * rnd.nextGaussian());
                double high = 20 * 41.0 * f;
                dev.publish(Channel.TELEMETRY, Telemetry.newBuilder().setDeviceId("rpi-07").setTelemetrySeq(i)
                        .setGeneration(GenerationRecord.newBuilder().setRequestId("r" + i).setScheduleId("uniform-k20-32")
                                .setStepsHigh(20).setTotalMillis(high + 25).setBatch(1).setDelegate("xnnpack")
                                .addPhases(PhaseLatency.newBuilder().setPhase("high").setMillis(high).setSteps(20))
                                .addPhases(PhaseLatency.newBuilder().setPhase("encode").setMillis(25)))
                        .build());
            }
            JsonObject lat = until(() -> send(http.get(port, "127.0.0.1", "/api/v1/devices/rpi-07/latency"), READER, null)
                    .map(r -> ok(r, 200)), j -> j.getJsonObject("window").getInteger("samples") == 60, WAIT,
                    "60 generations in the latency window");
            System.out.println("latency API: " + lat.encode());
            double p95 = lat.getJsonObject("window").getDouble("p95Ms");
            assertTrue(p95 > 850 && p95 < 1000, "p95 " + p95);
            assertEquals(41.0, lat.getJsonObject("costModel").getDouble("highStepMs"), 41.0 * 0.03);
            assertEquals(25.0, lat.getJsonObject("costModel").getDouble("overheadMs"), 1.0);
            // per-minute history: one minute, or two when the burst crossed a minute boundary, with every sample
            JsonArray history = lat.getJsonArray("history");
            assertTrue(history.size() == 1 || history.size() == 2, history.encode());
            assertEquals(60, history.stream().mapToInt(h -> ((JsonObject) h).getInteger("count")).sum(), history.encode());

            // target 500 ms: uniform-k10-32 (10 steps, ~435 ms) is the best that fits; k20 does not
            ok(result(send(http.put(port, "127.0.0.1", "/api/v1/devices/rpi-07/target"), ADMIN,
                    new JsonObject().put("p95Millis", 500).put("modelId", "syn"))), 200);
            JobCommand job = jobs.poll(20, TimeUnit.SECONDS);
            assertTrue(job != null, "an ApplySchedule job on job/notify");
            assertTrue(job.hasApplySchedule());
            String to = job.getApplySchedule().getSchedule().getScheduleId();
            assertEquals(10, job.getApplySchedule().getSchedule().getTimestepsCount(), to);
            System.out.println("ApplySchedule " + to + ": " + job.getApplySchedule().getReason());
            assertTrue(job.getApplySchedule().getReason().contains("exceeds the 500.0 ms target"),
                    job.getApplySchedule().getReason());

            JsonArray decisions = until(() -> send(http.get(port, "127.0.0.1", "/api/v1/devices/rpi-07/schedule-history"),
                    READER, null).map(r -> ok(r, 200).getJsonArray("decisions")), a -> a.size() == 1, WAIT,
                    "one decision in the log");
            JsonObject d = decisions.getJsonObject(0);
            assertEquals("uniform-k20-32", d.getString("from"));
            assertEquals(to, d.getString("to"));
            assertEquals(job.getJobId(), d.getString("jobId"));
            assertTrue(d.getString("reason").startsWith("DOWNGRADE: p95"), d.getString("reason"));
            assertEquals(500.0, d.getDouble("targetMs"));
            assertTrue(d.getDouble("predictedMs") < 500, d.encode());
            // no second change: the dwell/hysteresis holds while the device has not run the new schedule
            assertEquals(null, jobs.poll(1, TimeUnit.SECONDS));

            // metrics
            String prom = result(http.get(port, "127.0.0.1", "/metrics").send()).bodyAsString();
            assertTrue(prom.contains("c2f_generations_total{label=\"lab\"} 60.0")
                    || prom.contains("c2f_generations_total{label=\"none\"}"), prom);
            assertTrue(prom.contains("c2f_generation_latency_ms_bucket"), "latency histogram");
            assertTrue(prom.contains("c2f_retune_decisions_total{direction=\"DOWNGRADE\"} 1.0"), "retune decisions");
            assertTrue(prom.contains("c2f_devices_online 1.0"), "devices online");
            assertTrue(prom.contains("c2f_telemetry_records_total{duplicate=\"false\"} 60.0"), "telemetry");
        } finally {
            if (watcher.isConnected()) {
                watcher.disconnect();
            }
            watcher.close();
            http.close();
            result(c.stop());
            result(vertx.close());
        }
    }
}
