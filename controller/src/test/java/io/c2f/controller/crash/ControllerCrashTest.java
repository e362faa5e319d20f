package io.c2f.controller.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.testing.SyntheticBundleRequest;
import io.c2f.controller.testing.ControllerProcess;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.controller.testing.Ports;
import io.c2f.controller.testing.SimulatedFleet;
import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.SignedManifest;
import io.c2f.models.image.PngImages;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.util.Base64;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 of the controller (a JVM of its own) at four points of a rollout to six real agents (the
 * simulator: full edge agents in another JVM), each time started again with the same settings:
 * right after the rollout was created (before its first job could go out), while a device downloads,
 * right after a wave closed, and after a device activated the bundle while the controller was frozen
 * (so it never recorded it). A point the rollout had already passed is reported as such. Then: {@code /healthz} answered every time within a second and turned
 * 200; the rollout ended; every device's jobs say what the device's own disk says it runs; and every
 * telemetry record a device had acknowledged is in the database.
 */
@Timeout(300)
class ControllerCrashTest {
    private static final String FLEET = "lab";
    private static final int DEVICES = 6;
    /** Probes take seconds at this slow-down (the simulated engine sleeps its cost): a wide window. */
    private static final String SLOW = "slow all 200000";
    private static final Duration START = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();
    private ControllerProcess controller;
    private final List<String> crashes = new ArrayList<>();
    private AutoCloseable brokerProcess = () -> { };

    /**
     * Starts the broker (Mosquitto, or none: the controller's embedded one) and the controller.
     *
     * @return the broker URL for devices
     */
    private String startController(String broker) throws Exception {
        SimulatedFleet.agentJar();
        Map<String, String> settings = new HashMap<>(Map.of("fleet", FLEET, "instance.id", "crash-ctl",
                "http.host", "127.0.0.1", "data.dir", dir.resolve("ctl").toString(), "liveness.sweep.ms", "500"));
        String mqttUrl;
        if (broker.equals("mosquitto")) {
            Assumptions.assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
            MosquittoBroker mosquitto = MosquittoBroker.start(dir.resolve("mosquitto"));
            brokerProcess = mosquitto;
            mqttUrl = mosquitto.uri();
            settings.put("mqtt.url", mqttUrl);
        } else {
            int port = Ports.freePort();
            settings.put("broker.port", Integer.toString(port));
            settings.put("broker.allow.anonymous", "true"); // the simulated agents connect without credentials
            mqttUrl = "tcp://127.0.0.1:" + port;
        }
        controller = new ControllerProcess(dir.resolve("ctl"), settings);
        controller.start();
        controller.awaitHealthy(START);
        return mqttUrl;
    }

    private Path controllerKey() throws Exception {
        Path key = dir.resolve("controller.pub");
        Files.writeString(key, getRaw("/api/v1/keys/bundle-signing").body());
        return key;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"embedded", "mosquitto"})
    void aRolloutThatAbortsAcrossCrashesRollsBackEveryDeviceThatSwitched(String broker) throws Exception {
        String mqttUrl = startController(broker);
        try (AutoCloseable b = brokerProcess; ControllerProcess c = controller;
                SimulatedFleet fleet = SimulatedFleet.start(mqttUrl, FLEET, "ab", 4, controllerKey(),
                        dir.resolve("fleet"), 0.0)) {
            awaitOnline(fleet, "ab-", 4);
            String v1 = createBundle("1.0.0", null);
            String first = createRollout(v1, new JsonObject().put("canary", 4));
            assertEquals("SUCCEEDED", poll(first, r -> !r.getString("state").equals("RUNNING"),
                    Duration.ofSeconds(60)).getString("state"));

            // v2's probe reference is wrong: the devices accept it (0 dB), the rollout (40 dB) does not
            byte[] gray = PngImages.encode(ImageBatch.zeros(1, new Resolution(16, 16), 3), 0);
            String v2 = createBundle("2.0.0", new JsonObject().put("seed", 1234).put("scheduleId", "c2f-k6")
                    .put("minPsnrDb", 0).put("referencePngBase64", Base64.getEncoder().encodeToString(gray)));
            fleet.command(SLOW);
            String rollout = createRollout(v2, new JsonObject().put("canary", 2), new JsonObject()
                    .put("minProbePsnrDb", 40).put("maxFailurePercent", 10));

            // the canary switches while the controller is frozen: it never hears of it before the crash
            JsonObject seen = poll(rollout, r -> jobs(r).stream().anyMatch(j -> "PROBING".equals(j.getString("step"))
                    && "IN_PROGRESS".equals(j.getString("state"))), Duration.ofSeconds(60));
            assertTrue(seen != null, "no canary probe seen: " + get(rollout).encodePrettily());
            List<String> canary = jobs(seen).stream().map(j -> j.getString("deviceId")).toList();
            c.freeze();
            fleet.command("recover all");
            for (String d : canary) {
                awaitActive(fleet, d, v2, Duration.ofSeconds(30));
            }
            crash("after the canary activated the bundle unrecorded (controller frozen)");

            // it aborts on the probes it learns of now; killed again while the rollbacks run
            seen = poll(rollout, r -> jobs(r).stream().anyMatch(j -> "ROLLBACK".equals(j.getString("kind"))),
                    Duration.ofSeconds(60));
            crash(seen == null ? "(no rollback seen)" : "while the rollbacks run");

            JsonObject done = poll(rollout, r -> !List.of("RUNNING", "ABORTING").contains(r.getString("state")),
                    Duration.ofSeconds(90));
            assertTrue(done != null, "the rollout did not end: " + get(rollout).encodePrettily());
            System.out.printf("%s: crashes %s; rollout %s: %s%n", broker, crashes, done.getString("state"),
                    done.getString("abortReason"));
            assertEquals("ABORTED", done.getString("state"), done.encodePrettily());
            assertTrue(done.getString("abortReason").contains("probe PSNR"), done.getString("abortReason"));
            for (int i = 0; i < 4; i++) {
                String device = String.format("ab-%04d", i);
                String expected = expectedBundle(done, device);
                assertEquals(expected == null ? v1 : expected, activeBundle(fleet, device),
                        device + ": its jobs and its own active bundle disagree: " + done.encodePrettily());
                assertEquals(v1, activeBundle(fleet, device), device + " is back on " + v1);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"embedded", "mosquitto"})
    void aControllerKilledAtAnyPointOfARolloutComesBackAndNeverSplitsTheFleet(String broker) throws Exception {
        String mqttUrl = startController(broker);
        long acked;
        try (AutoCloseable b = brokerProcess; ControllerProcess c = controller) {
            Path key = controllerKey();
            try (SimulatedFleet fleet = SimulatedFleet.start(mqttUrl, FLEET, "cr", DEVICES, key, dir.resolve("fleet"),
                    0.0); TelemetrySource telemetry = new TelemetrySource(mqttUrl, FLEET, "tlm-0")) {
                awaitOnline(fleet, "cr-", DEVICES);
                String bundle = createBundle("1.0.0", null);
                fleet.command(SLOW);

                // 1: the rollout was just stored; its first job may or may not have gone out
                String rollout = createRollout(bundle);
                crash("right after the rollout was created");

                // 2: a device is downloading
                JsonObject seen = poll(rollout, r -> jobs(r).stream().anyMatch(j -> "IN_PROGRESS".equals(
                        j.getString("state")) && "DOWNLOADING".equals(j.getString("step"))), Duration.ofSeconds(60));
                crash(seen == null ? "(no download seen: a later point)" : "while a device downloads");

                // 3: a wave just closed (the next one starts on the first step after the restart)
                long wavesDone = waves(get(rollout)).stream().filter(w -> "SUCCEEDED".equals(w.getString("state")))
                        .count();
                seen = poll(rollout, r -> waves(r).stream().filter(w -> "SUCCEEDED".equals(w.getString("state")))
                        .count() > wavesDone || !r.getString("state").equals("RUNNING"), Duration.ofSeconds(60));
                crash(seen != null && seen.getString("state").equals("RUNNING") ? "right after wave " + wavesDone
                        + " closed" : "(the rollout had ended: after its end)");

                // 4: frozen while a device probes; the device then activates; the controller never hears it
                seen = poll(rollout, r -> jobs(r).stream().anyMatch(j -> "IN_PROGRESS".equals(j.getString("state"))
                        && "PROBING".equals(j.getString("step"))), Duration.ofSeconds(60));
                if (seen != null) {
                    String device = jobs(seen).stream().filter(j -> "PROBING".equals(j.getString("step")))
                            .findFirst().orElseThrow().getString("deviceId");
                    c.freeze();
                    fleet.command("recover all");
                    boolean activated = awaitActive(fleet, device, bundle, Duration.ofSeconds(30));
                    crash(activated ? "after " + device + " activated the bundle unrecorded (controller frozen)"
                            : "frozen while " + device + " probed (it did not finish in time)");
                } else {
                    fleet.command("recover all");
                    crash("(no probe seen: a later point)");
                }

                JsonObject done = poll(rollout, r -> !List.of("RUNNING", "ABORTING").contains(r.getString("state")),
                        Duration.ofSeconds(120));
                assertTrue(done != null, "the rollout did not end: " + get(rollout).encodePrettily());
                System.out.printf("%s: crashes %s; rollout %s%n", broker, crashes, done.getString("state"));
                // nothing failed on any device, so nothing may abort it: a crash is no reason
                assertEquals("SUCCEEDED", done.getString("state"), done.encodePrettily());
                for (int i = 0; i < DEVICES; i++) {
                    String device = String.format("cr-%04d", i);
                    assertEquals(expectedBundle(done, device), activeBundle(fleet, device),
                            device + ": its jobs and its own active bundle disagree: " + done.encodePrettily());
                }

                acked = telemetry.stop();
                assertTrue(acked > 0, "no telemetry was acknowledged");
                long last = acked;
                // the broker may still hold the last ones for the controller's session: let them arrive
                poll(() -> get("/api/v1/devices/tlm-0"), d -> d.getJsonObject("telemetry")
                        .getLong("nextSeq") > last, Duration.ofSeconds(30));
            }
            c.stop();
            TreeSet<Long> stored = storedTelemetry("tlm-0");
            System.out.printf("%s: %d telemetry records acknowledged to the device, %d stored%n", broker, acked,
                    stored.size());
            List<Long> missing = new ArrayList<>();
            for (long s = 1; s <= acked; s++) {
                if (!stored.contains(s)) {
                    missing.add(s);
                }
            }
            assertEquals(List.of(), missing, "telemetry records acknowledged to the device but not stored");
        }
    }

    private void crash(String point) throws Exception {
        controller.kill();
        crashes.add(point);
        controller.start();
        controller.awaitHealthy(START);
    }

    /** The bundle the device must run by its jobs: the last one that succeeded (none: what it had, nothing here). */
    private static String expectedBundle(JsonObject rollout, String device) {
        String expected = null;
        for (JsonObject j : jobs(rollout)) {
            if (device.equals(j.getString("deviceId"))) {
                assertTrue(List.of("SUCCEEDED", "FAILED", "TIMED_OUT", "REJECTED", "CANCELED")
                        .contains(j.getString("state")), "job still open after the rollout ended: " + j.encode());
                if ("SUCCEEDED".equals(j.getString("state"))) {
                    expected = j.getString("bundleId");
                }
            }
        }
        return expected;
    }

    /** The device's active bundle as its own disk says (the agent's active-slot pointer and that slot's manifest). */
    private static String activeBundle(SimulatedFleet fleet, String device) throws Exception {
        Path bundles = fleet.deviceState(device).resolve("bundles");
        Path pointer = bundles.resolve("active");
        if (!Files.exists(pointer)) {
            return null;
        }
        String slot = Files.readString(pointer, StandardCharsets.US_ASCII).trim();
        SignedManifest signed = SignedManifest.parseFrom(Files.readAllBytes(bundles.resolve("slot-" + slot)
                .resolve("manifest.pb")));
        return BundleManifest.parseFrom(signed.getManifest()).getBundleId();
    }

    private static boolean awaitActive(SimulatedFleet fleet, String device, String bundle, Duration within)
            throws Exception {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (bundle.equals(activeBundle(fleet, device))) {
                    return true;
                }
            } catch (java.io.IOException e) {
                // being written: look again
            }
            Thread.sleep(20);
        }
        return false;
    }

    private TreeSet<Long> storedTelemetry(String device) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("ctl").resolve("db").resolve("c2f").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        TreeSet<Long> seqs = new TreeSet<>();
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                PreparedStatement ps = c.prepareStatement("SELECT telemetry_seq FROM telemetry WHERE device_id = ?")) {
            ps.setString(1, device);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    seqs.add(rs.getLong(1));
                }
            }
        }
        return seqs;
    }

    private void awaitOnline(SimulatedFleet fleet, String prefix, int n) throws Exception {
        JsonObject seen = poll(() -> get("/api/v1/devices?status=ONLINE&limit=1000"), o -> o.getJsonArray("devices")
                .stream().filter(d -> ((JsonObject) d).getString("id").startsWith(prefix)).count() == n,
                Duration.ofSeconds(60));
        assertTrue(seen != null, n + " simulated devices online; simulator says: " + fleet.output());
    }

    /** A bundle uploaded as multipart (the model file and the request JSON), as an operator's client does. */
    private String createBundle(String version, JsonObject probe) throws Exception {
        byte[] model = new byte[2 << 20]; // 32 chunks of 64 KiB: a download has a duration
        new Random(version.hashCode()).nextBytes(model);
        JsonObject request = new JsonObject().put("name", "synthetic").put("version", version)
                .put("minAgentVersion", "0.1.0").put("modelInfo", SyntheticBundleRequest.modelInfo())
                .put("schedules", new JsonArray().add(SyntheticBundleRequest.schedule("c2f-k6",
                        List.of(900, 700, 500, 300, 150, 50), 3)))
                .put("defaultScheduleId", "c2f-k6");
        if (probe != null) {
            request.put("probe", probe);
        }
        String boundary = "c2f-crash-test-boundary";
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n" + request.encode()
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"; filename=\"model.tflite\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(model);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(controller.baseUrl() + "/api/v1/bundles"))
                .header("content-type", "multipart/form-data; boundary=" + boundary).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return new JsonObject(r.body()).getString("id");
    }

    private String createRollout(String bundle) throws Exception {
        return createRollout(bundle, new JsonObject().put("canary", 1).put("growth", 2.0));
    }

    private String createRollout(String bundle, JsonObject waves) throws Exception {
        return createRollout(bundle, waves, new JsonObject());
    }

    private String createRollout(String bundle, JsonObject waves, JsonObject abort) throws Exception {
        HttpResponse<String> r = post("/api/v1/rollouts", new JsonObject().put("bundleId", bundle)
                .put("target", new JsonObject().put("labels", new JsonObject().put("sim", "true")))
                .put("waves", waves).put("abort", abort));
        assertEquals(201, r.statusCode(), r.body());
        return "/api/v1/rollouts/" + new JsonObject(r.body()).getString("id");
    }

    private static List<JsonObject> jobs(JsonObject rollout) {
        return rollout.getJsonArray("jobs").stream().map(o -> (JsonObject) o).toList();
    }

    private static List<JsonObject> waves(JsonObject rollout) {
        return rollout.getJsonArray("waves").stream().map(o -> (JsonObject) o).toList();
    }

    private JsonObject poll(String path, Predicate<JsonObject> until, Duration within) throws Exception {
        return poll(() -> get(path), until, within);
    }

    /** @return the first answer that matched; null when none did in time */
    private static JsonObject poll(Call call, Predicate<JsonObject> until, Duration within) throws Exception {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            JsonObject o = call.get();
            if (until.test(o)) {
                return o;
            }
            Thread.sleep(25);
        }
        return null;
    }

    @FunctionalInterface
    private interface Call {
        JsonObject get() throws Exception;
    }

    private JsonObject get(String path) throws Exception {
        HttpResponse<String> r = getRaw(path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return new JsonObject(r.body());
    }

    private HttpResponse<String> getRaw(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(controller.baseUrl() + path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, JsonObject body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(controller.baseUrl() + path))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A device that numbers its telemetry records (telemetry_seq 1, 2, ...) and sends them one at a
     * time, QoS 1, each until acknowledged, as the agent's spool does: through broker and controller
     * outages it reconnects and sends the unacknowledged record again.
     */
    private static final class TelemetrySource implements AutoCloseable {
        private final String brokerUrl;
        private final String fleet;
        private final String id;
        private final Thread thread;
        private volatile boolean running = true;
        private volatile long acked;

        TelemetrySource(String brokerUrl, String fleet, String id) {
            this.brokerUrl = brokerUrl;
            this.fleet = fleet;
            this.id = id;
            this.thread = new Thread(this::run, "telemetry-" + id);
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            long seq = 1;
            long bdSeq = 1;
            FakeDevice device = null;
            while (running) {
                try {
                    if (device == null || !device.isConnected()) {
                        if (device != null) {
                            device.close();
                        }
                        device = new FakeDevice(brokerUrl, fleet, id);
                        device.connect(bdSeq++);
                        device.birth();
                    }
                    device.telemetry(seq, 0); // returns once the PUBACK came
                    acked = seq++;
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    break;
                } catch (Exception e) {
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException stop) {
                        break;
                    }
                }
            }
            if (device != null) {
                device.close();
            }
        }

        /** Stops sending; @return the last telemetry_seq acknowledged (all before it were too) */
        long stop() throws InterruptedException {
            running = false;
            thread.join(20_000);
            return acked;
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
