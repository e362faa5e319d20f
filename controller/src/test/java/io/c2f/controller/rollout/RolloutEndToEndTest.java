package io.c2f.controller.rollout;

import io.c2f.controller.testing.SyntheticBundleRequest;
import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static io.c2f.controller.testing.Ports.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.controller.testing.SimulatedFleet;
import io.c2f.models.image.PngImages;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.BundleChunkRequest;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorReply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Controllers and simulated fleets (full edge agents in a separate JVM, see {@link SimulatedFleet})
 * on a real broker, observed through the HTTP API only.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class RolloutEndToEndTest {
    private static final String FLEET = "lab";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final RolloutSettings FAST = new RolloutSettings(200, 2000, 5000, 32);

    @TempDir
    Path dir;
    private WebClient http;
    private Controller controller;

    @AfterEach
    void tearDown() throws Exception {
        if (http != null) {
            http.close();
        }
        if (controller != null) {
            result(controller.stop());
        }
    }

    private Controller startController(Vertx vertx, String instance, String mqttUrl, int brokerPort)
            throws Exception {
        Map<String, String> values = new HashMap<>();
        values.put("fleet", FLEET);
        values.put("instance.id", instance);
        values.put("http.host", "127.0.0.1");
        values.put("http.port", "0");
        values.put("data.dir", dir.resolve("data").toString());
        values.put("liveness.sweep.ms", "200");
        if (mqttUrl != null) {
            values.put("mqtt.url", mqttUrl);
        } else {
            values.put("broker.port", Integer.toString(brokerPort));
            values.put("broker.allow.anonymous", "true"); // its devices connect without credentials
        }
        controller = result(Controller.start(vertx, ConfigLoader.fromMap(values), ControllerMetrics.NOOP, FAST));
        if (http == null) {
            http = WebClient.create(vertx);
        }
        return controller;
    }

    private Future<HttpResponse<Buffer>> get(String path) {
        return http.get(controller.httpPort(), "127.0.0.1", path).send();
    }

    private HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
        return result(http.post(controller.httpPort(), "127.0.0.1", path).sendJsonObject(body));
    }

    private JsonObject json(String path) throws Exception {
        HttpResponse<Buffer> r = result(get(path));
        assertEquals(200, r.statusCode(), path + ": " + r.bodyAsString());
        return r.bodyAsJsonObject();
    }

    private Path controllerKey() throws Exception {
        HttpResponse<Buffer> r = result(get("/api/v1/keys/bundle-signing"));
        assertEquals(200, r.statusCode());
        assertTrue(r.bodyAsString().startsWith("-----BEGIN PUBLIC KEY-----"), r.bodyAsString());
        Path key = dir.resolve("controller.pub");
        Files.writeString(key, r.bodyAsString());
        return key;
    }

    private void awaitOnline(String prefix, int n, SimulatedFleet fleet) throws Exception {
        until(() -> get("/api/v1/devices?status=ONLINE&limit=1000").map(r -> r.bodyAsJsonObject()
                        .getJsonArray("devices").stream().filter(d -> ((JsonObject) d).getString("id")
                                .startsWith(prefix)).count()),
                c -> c == n, WAIT, n + " simulated devices online; simulator says: " + fleet.output());
    }

    /** A bundle the simulated engine runs: 8x8 and 16x16 graphs (the model bytes themselves are not run). */
    private JsonObject bundleRequest(String version, JsonObject probe) throws Exception {
        byte[] bytes = new byte[300_000]; // 5 chunks of 64 KiB
        new Random(version.hashCode()).nextBytes(bytes);
        JsonObject info = SyntheticBundleRequest.modelInfo();
        JsonObject body = new JsonObject().put("name", "synthetic").put("version", version)
                .put("minAgentVersion", "0.1.0").put("modelBase64", Base64.getEncoder().encodeToString(bytes))
                .put("modelInfo", info)
                .put("schedules", new JsonArray().add(SyntheticBundleRequest.schedule("c2f-k6", List.of(900, 700, 500, 300, 150, 50), 3))
                        .add(SyntheticBundleRequest.schedule("full-k4", List.of(750, 500, 250, 0), 0)))
                .put("defaultScheduleId", "c2f-k6");
        return probe == null ? body : body.put("probe", probe);
    }

    private String createBundle(String version, JsonObject probe) throws Exception {
        HttpResponse<Buffer> r = post("/api/v1/bundles", bundleRequest(version, probe));
        assertEquals(201, r.statusCode(), r.bodyAsString());
        assertEquals(5, r.bodyAsJsonObject().getInteger("chunkCount"));
        return r.bodyAsJsonObject().getString("id");
    }

    private String createRollout(JsonObject body) throws Exception {
        HttpResponse<Buffer> r = post("/api/v1/rollouts", body);
        assertEquals(201, r.statusCode(), r.bodyAsString());
        return r.bodyAsJsonObject().getString("id");
    }

    private JsonObject awaitState(String rollout, String state) throws Exception {
        return until(() -> get("/api/v1/rollouts/" + rollout).map(HttpResponse::bodyAsJsonObject),
                r -> state.equals(r.getString("state")), WAIT, "rollout " + rollout + " " + state);
    }

    private static List<JsonObject> jobs(JsonObject rollout, String kind) {
        return rollout.getJsonArray("jobs").stream().map(o -> (JsonObject) o)
                .filter(j -> kind.equals(j.getString("kind"))).toList();
    }

    private void awaitInstalled(List<String> devices, String bundleId) throws Exception {
        for (String d : devices) {
            until(() -> get("/api/v1/devices/" + d).map(HttpResponse::bodyAsJsonObject),
                    j -> j.containsKey("installed") && bundleId.equals(j.getJsonObject("installed")
                            .getString("bundleId")), WAIT, d + "'s birth reporting " + bundleId);
        }
    }

    @Test
    void rollsOutToTwentyDevicesInWavesThenAbortsOnLowProbePsnrAndRollsBack(Vertx vertx) throws Exception {
        startController(vertx, "ctl-a", null, freePort());
        try (SimulatedFleet fleet = SimulatedFleet.start(controller.mqttUrl(), FLEET, "sim", 20, controllerKey(),
                dir.resolve("fleet"), 0.0)) {
            awaitOnline("sim-", 20, fleet);
            String v1 = createBundle("1.0.0", null);
            long t0 = System.nanoTime();
            String r1 = createRollout(new JsonObject().put("bundleId", v1)
                    .put("target", new JsonObject().put("labels", new JsonObject().put("sim", "true")))
                    .put("waves", new JsonObject().put("canary", 1).put("growth", 2.0)));
            JsonObject done = awaitState(r1, "SUCCEEDED");
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("rolled %s out to 20 simulated devices in %d waves in %.2f s%n", v1,
                    done.getJsonArray("waves").size(), seconds);
            List<Integer> sizes = done.getJsonArray("waves").stream().map(w -> ((JsonObject) w).getInteger("size"))
                    .toList();
            assertEquals(List.of(1, 2, 4, 8, 5), sizes);
            done.getJsonArray("waves").forEach(w -> assertEquals("SUCCEEDED", ((JsonObject) w).getString("state")));
            List<JsonObject> installs = jobs(done, "INSTALL");
            assertEquals(20, installs.size());
            installs.forEach(j -> assertEquals("SUCCEEDED", j.getString("state"), j.encode()));
            List<String> all = installs.stream().map(j -> j.getString("deviceId")).toList();
            awaitInstalled(all, v1);

            // v2's probe reference is wrong (a gray image): the devices accept it (bundle minimum 0 dB), the
            // rollout's quality threshold (40 dB) does not
            byte[] gray = PngImages.encode(ImageBatch.zeros(1, new Resolution(16, 16), 3), 0);
            String v2 = createBundle("1.1.0", new JsonObject().put("seed", 1234).put("scheduleId", "c2f-k6")
                    .put("minPsnrDb", 0).put("referencePngBase64", Base64.getEncoder().encodeToString(gray)));
            String r2 = createRollout(new JsonObject().put("bundleId", v2).put("target", new JsonObject().put("all", true))
                    .put("waves", new JsonObject().put("canary", 2))
                    .put("abort", new JsonObject().put("minProbePsnrDb", 40).put("maxFailurePercent", 10)));
            JsonObject aborted = awaitState(r2, "ABORTED");
            JsonArray waves = aborted.getJsonArray("waves");
            assertEquals("FAILED", waves.getJsonObject(0).getString("state"));
            for (int i = 1; i < waves.size(); i++) {
                assertEquals("CANCELED", waves.getJsonObject(i).getString("state"), "wave " + i + " must never start");
            }
            List<JsonObject> canary = jobs(aborted, "INSTALL");
            assertEquals(2, canary.size(), "only the canary got the bundle: " + canary);
            for (JsonObject j : canary) {
                assertEquals("SUCCEEDED", j.getString("state"));
                double psnr = j.getJsonObject("probe").getDouble("psnrDb");
                assertTrue(psnr < 40, "probe PSNR " + psnr);
                System.out.printf("canary %s: probe PSNR %.2f dB against the wrong reference%n",
                        j.getString("deviceId"), psnr);
            }
            assertTrue(aborted.getString("abortReason").contains("probe PSNR"), aborted.getString("abortReason"));
            List<JsonObject> rollbacks = jobs(aborted, "ROLLBACK");
            assertEquals(2, rollbacks.size(), aborted.encodePrettily());
            rollbacks.forEach(j -> {
                assertEquals("SUCCEEDED", j.getString("state"), j.encode());
                assertEquals(v1, j.getString("bundleId"));
            });
            awaitInstalled(canary.stream().map(j -> j.getString("deviceId")).toList(), v1);
        }
    }

    @Test
    void abortsAfterTheCanaryWhenDevicesFailTheirProbeOnMosquitto(Vertx vertx) throws Exception {
        MosquittoBroker mosquitto = MosquittoBroker.available() ? MosquittoBroker.start(dir.resolve("mosquitto")) : null;
        try {
            startController(vertx, "ctl-m", mosquitto == null ? null : mosquitto.uri(), freePort());
            try (SimulatedFleet fleet = SimulatedFleet.start(controller.mqttUrl(), FLEET, "bad", 4, controllerKey(),
                    dir.resolve("fleet"), 1.0)) {
                awaitOnline("bad-", 4, fleet);
                String v1 = createBundle("1.0.0", null);

                // precise refusals
                assertEquals(400, post("/api/v1/rollouts", new JsonObject().put("bundleId", "nope-1.0.0")
                        .put("target", new JsonObject().put("all", true))).statusCode());
                HttpResponse<Buffer> unknownDevice = post("/api/v1/rollouts", new JsonObject().put("bundleId", v1)
                        .put("target", new JsonObject().put("devices", new JsonArray().add("ghost"))));
                assertEquals(400, unknownDevice.statusCode());
                assertTrue(unknownDevice.bodyAsJsonObject().getString("error").contains("ghost"));
                assertEquals(400, post("/api/v1/rollouts", new JsonObject().put("bundleId", v1)
                        .put("target", new JsonObject().put("all", true))
                        .put("waves", new JsonObject().put("growth", 0.5))).statusCode());
                assertEquals(409, post("/api/v1/bundles", bundleRequest("1.0.0", null)).statusCode());
                assertEquals(404, result(get("/api/v1/rollouts/r-missing")).statusCode());

                String r = createRollout(new JsonObject().put("bundleId", v1)
                        .put("target", new JsonObject().put("labels", new JsonObject().put("sim", "true"))));
                JsonObject aborted = awaitState(r, "ABORTED");
                List<JsonObject> installs = jobs(aborted, "INSTALL");
                assertEquals(1, installs.size(), "only the canary was tried: " + installs);
                assertEquals("FAILED", installs.get(0).getString("state"));
                assertTrue(installs.get(0).getJsonObject("error").getString("message").contains("does not load"),
                        installs.get(0).encode());
                assertTrue(jobs(aborted, "ROLLBACK").isEmpty(), "nothing switched, nothing to roll back");
                assertEquals(List.of("FAILED", "CANCELED", "CANCELED"), aborted.getJsonArray("waves").stream()
                        .map(w -> ((JsonObject) w).getString("state")).toList());
                assertEquals(409, post("/api/v1/rollouts/" + r + "/pause", new JsonObject()).statusCode());

                // a device asking for a bundle that does not exist gets a NOT_FOUND naming the field
                ErrorReply reply = askForChunks(controller.mqttUrl(), "bad-0001", "nope-9.9.9");
                assertEquals(ErrorCode.ERROR_CODE_NOT_FOUND, reply.getError().getCode());
                assertEquals("bundle_id", reply.getError().getField());
                // and one for a bundle it has no job for is refused
                reply = askForChunks(controller.mqttUrl(), "bad-0002", v1);
                assertEquals(ErrorCode.ERROR_CODE_UNAUTHORIZED, reply.getError().getCode());
            }
        } finally {
            if (mosquitto != null) {
                result(controller.stop());
                controller = null;
                mosquitto.close();
            }
        }
    }

    private static ErrorReply askForChunks(String brokerUrl, String asDevice, String bundleId) throws Exception {
        Topics topics = Topics.fleet(FLEET);
        BlockingQueue<ErrorReply> replies = new ArrayBlockingQueue<>(4);
        MqttClient c = new MqttClient(brokerUrl, asDevice + "-probe", new MemoryPersistence());
        try {
            c.connect();
            c.subscribe(topics.device(asDevice, Channel.CONTROLLER_ERROR), 1, (t, m) ->
                    replies.add((ErrorReply) WireCodec.decode(t, m.getPayload()).message()));
            HeaderFactory h = new HeaderFactory(asDevice);
            h.newSession(1);
            BundleChunkRequest req = BundleChunkRequest.newBuilder().setHeader(h.next()).setRequestId("q1")
                    .setBundleId(bundleId).addIndices(0).build();
            c.publish(topics.device(asDevice, Channel.BUNDLE_GET), WireCodec.encode(Channel.BUNDLE_GET, req), 1, false);
            ErrorReply reply = replies.poll(10, TimeUnit.SECONDS);
            assertNotEquals(null, reply, "no ErrorReply on cmd/error");
            assertEquals("q1", reply.getRequestId());
            return reply;
        } finally {
            c.disconnect();
            c.close();
        }
    }

    @Test
    void aRestartedControllerResumesTheRolloutFromTheDatabase(Vertx vertx) throws Exception {
        MosquittoBroker mosquitto = MosquittoBroker.available() ? MosquittoBroker.start(dir.resolve("mosquitto")) : null;
        int brokerPort = freePort();
        String mqtt = mosquitto == null ? null : mosquitto.uri();
        try {
            startController(vertx, "ctl-1", mqtt, brokerPort);
            try (SimulatedFleet fleet = SimulatedFleet.start(controller.mqttUrl(), FLEET, "rs", 20, controllerKey(),
                    dir.resolve("fleet"), 0.0)) {
                awaitOnline("rs-", 20, fleet);
                String v1 = createBundle("1.0.0", null);
                long t0 = System.nanoTime();
                String r = createRollout(new JsonObject().put("bundleId", v1).put("target", new JsonObject()
                        .put("all", true)).put("waves", new JsonObject().put("canary", 1).put("growth", 2.0)));
                // stop as soon as the canary succeeded: four waves are still to come
                JsonObject before = until(() -> get("/api/v1/rollouts/" + r).map(HttpResponse::bodyAsJsonObject),
                        j -> j.getJsonObject("counts").getLong("SUCCEEDED") >= 1, WAIT, "canary succeeded");
                result(controller.stop());
                controller = null;
                assertNotEquals("SUCCEEDED", before.getString("state"));
                long succeededBefore = before.getJsonObject("counts").getLong("SUCCEEDED");
                assertTrue(succeededBefore < 20);

                startController(vertx, "ctl-2", mqtt, brokerPort);
                JsonObject done = awaitState(r, "SUCCEEDED");
                System.out.printf("restart: %d of 20 jobs had succeeded under ctl-1; ctl-2 finished the rollout "
                        + "(%.2f s in all)%n", succeededBefore, (System.nanoTime() - t0) / 1e9);
                assertEquals("ctl-2", done.getJsonObject("lease").getString("owner"));
                List<JsonObject> installs = jobs(done, "INSTALL");
                assertEquals(20, installs.size());
                installs.forEach(j -> assertEquals("SUCCEEDED", j.getString("state"), j.encode()));
                assertFalse(done.getJsonArray("events").stream().anyMatch(e -> ((JsonObject) e).getString("kind")
                        .startsWith("ABORT")));
            }
        } finally {
            if (mosquitto != null) {
                if (controller != null) {
                    result(controller.stop());
                    controller = null;
                }
                mosquitto.close();
            }
        }
    }
}
