package io.c2f.controller.scaleout;

import io.c2f.controller.testing.SyntheticBundleRequest;
import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.rollout.RolloutSettings;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.controller.testing.PostgresDatabase;
import io.c2f.controller.testing.SimulatedFleet;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two controller instances (ctl-a, ctl-b) on one PostgreSQL database and one Mosquitto, with
 * {@code mqtt.shared.group} set, as deploy/compose runs them: the broker splits telemetry and
 * chunk requests between them, the database de-duplicates, and the rollout lease lets exactly one
 * of them drive a rollout.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class ScaleOutTest {
    private static final String FLEET = "lab";
    private static final String GROUP = "c2f-controllers";
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final RolloutSettings FAST = new RolloutSettings(200, 2000, 5000, 32);

    @TempDir
    Path dir;
    private MosquittoBroker mosquitto;
    private PostgresDatabase database;
    private final List<Controller> running = new ArrayList<>();
    private final Map<Controller, Vertx> vertxOf = new HashMap<>();
    private final List<FakeDevice> devices = new ArrayList<>();
    private WebClient http;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        Assumptions.assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        Assumptions.assumeTrue(PostgresDatabase.available(), "no PostgreSQL on 127.0.0.1:5432 for the test role");
        mosquitto = MosquittoBroker.start(dir.resolve("mosquitto"));
        database = PostgresDatabase.create();
        http = WebClient.create(vertx);
    }

    @AfterEach
    void tearDown() throws Exception {
        devices.forEach(FakeDevice::close);
        for (Controller c : List.copyOf(running)) {
            stop(c);
        }
        if (http != null) {
            http.close();
        }
        if (mosquitto != null) {
            mosquitto.close();
        }
        if (database != null) {
            database.close();
        }
    }

    /** Each instance on its own Vert.x, as in separate processes: they must not share an event bus. */
    private Controller start(String instance, CountingMetrics metrics) throws Exception {
        Vertx vertx = Vertx.vertx();
        Map<String, String> values = new HashMap<>();
        values.put("fleet", FLEET);
        values.put("instance.id", instance);
        values.put("http.host", "127.0.0.1");
        values.put("http.port", "0");
        // one data dir for both, as a shared volume: the bundle-signing key and the bundle payloads
        values.put("data.dir", dir.resolve("data").toString());
        values.put("mqtt.url", mosquitto.uri());
        values.put("mqtt.shared.group", GROUP);
        values.put("db.url", database.url());
        values.put("db.user", PostgresDatabase.USER);
        values.put("db.password", PostgresDatabase.PASSWORD);
        values.put("liveness.sweep.ms", "200");
        Controller c = result(Controller.start(vertx, ConfigLoader.fromMap(values), metrics, FAST));
        running.add(c);
        vertxOf.put(c, vertx);
        return c;
    }

    private void stop(Controller c) throws Exception {
        running.remove(c);
        try {
            result(c.stop());
        } finally {
            result(vertxOf.remove(c).close());
        }
    }

    private Future<JsonObject> getJson(Controller c, String path) {
        return http.get(c.httpPort(), "127.0.0.1", path).send().map(HttpResponse::bodyAsJsonObject);
    }

    private long onlineCount(Controller c) throws Exception {
        return result(getJson(c, "/api/v1/devices?status=ONLINE&limit=1000")).getJsonArray("devices").size();
    }

    private long sql(String query) throws Exception {
        try (Connection c = DriverManager.getConnection(database.url(), PostgresDatabase.USER,
                PostgresDatabase.PASSWORD); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@link #sql} as a Future, for {@code until}. */
    private Future<Long> count(String query) {
        try {
            return Future.succeededFuture(sql(query));
        } catch (Exception e) {
            return Future.failedFuture(e);
        }
    }

    @Test
    void theSharedSubscriptionSplitsTelemetryAndEveryRecordIsStoredExactlyOnce(Vertx vertx) throws Exception {
        CountingMetrics a = new CountingMetrics();
        CountingMetrics b = new CountingMetrics();
        Controller ctlA = start("ctl-a", a);
        Controller ctlB = start("ctl-b", b);

        int deviceCount = 20;
        int perDevice = 50;
        int redelivered = 10;
        for (int i = 0; i < deviceCount; i++) {
            FakeDevice d = new FakeDevice(mosquitto.uri(), FLEET, String.format("dev-%02d", i));
            devices.add(d);
            d.connect(1);
            d.birth();
        }
        // births are not shared: both instances hear every birth and agree on who is online
        until(() -> Future.succeededFuture(a.births.get() + "/" + b.births.get()),
                s -> s.equals(deviceCount + "/" + deviceCount), WAIT, "every birth heard by both instances");
        until(() -> count(("SELECT count(*) FROM devices WHERE status = 'ONLINE'")),
                n -> n == deviceCount, WAIT, deviceCount + " devices stored online");
        assertEquals(deviceCount, onlineCount(ctlA));
        assertEquals(deviceCount, onlineCount(ctlB));

        // every device publishes seq 1..50 at QoS 1, then its last 10 again (what a redelivery after a lost
        // PUBACK looks like); the copies may land on the other instance than the originals
        ExecutorService publishers = Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (FakeDevice d : devices) {
            sent.add(publishers.submit(() -> {
                for (int seq = 1; seq <= perDevice; seq++) {
                    publishTelemetry(d, seq);
                }
                for (int seq = perDevice - redelivered + 1; seq <= perDevice; seq++) {
                    publishTelemetry(d, seq);
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : sent) {
            f.get(60, TimeUnit.SECONDS);
        }
        publishers.shutdown();
        long published = (long) deviceCount * (perDevice + redelivered);
        until(() -> Future.succeededFuture(a.telemetryHandled() + b.telemetryHandled()), n -> n == published, WAIT,
                published + " telemetry messages handled by the two instances together");

        long distinct = (long) deviceCount * perDevice;
        System.out.printf("scale-out: %d telemetry messages (%d distinct); ctl-a stored %d (%d duplicates), "
                        + "ctl-b stored %d (%d duplicates)%n", published, distinct, a.telemetryStored.get(),
                a.telemetryDuplicates.get(), b.telemetryStored.get(), b.telemetryDuplicates.get());
        assertTrue(a.telemetryStored.get() > 0 && b.telemetryStored.get() > 0,
                "the shared subscription must give both instances a share");
        assertEquals(distinct, a.telemetryStored.get() + b.telemetryStored.get(), "each distinct record stored once");
        assertEquals(published - distinct, a.telemetryDuplicates.get() + b.telemetryDuplicates.get());
        assertEquals(distinct, sql("SELECT count(*) FROM telemetry"));
        assertEquals(distinct, sql("SELECT count(DISTINCT (device_id, telemetry_seq)) FROM telemetry"));
        // records of one device reached the database out of order (two instances): the gap accounting heals
        assertEquals(deviceCount, sql("SELECT count(*) FROM devices WHERE telemetry_received = " + perDevice
                + " AND telemetry_gap = 0 AND telemetry_next_seq = " + (perDevice + 1)));

        // liveness still works with two instances: a lost connection makes the device offline, once
        devices.get(0).dropConnection();
        until(() -> count(("SELECT count(*) FROM devices WHERE id = 'dev-00' AND status = "
                + "'OFFLINE' AND offline_reason = 'CONNECTION_LOST'")), n -> n == 1, WAIT, "dev-00 offline");
        assertEquals(deviceCount - 1, onlineCount(ctlA));
        assertEquals(deviceCount - 1, onlineCount(ctlB));
        // and a new session of it comes back online
        FakeDevice again = new FakeDevice(mosquitto.uri(), FLEET, "dev-00");
        devices.add(again);
        again.connect(2);
        again.birth();
        until(() -> count(("SELECT count(*) FROM devices WHERE id = 'dev-00' AND status = "
                + "'ONLINE' AND bd_seq = 2")), n -> n == 1, WAIT, "dev-00 online again");
    }

    @Test
    void oneInstanceDrivesARolloutAndTheOtherFinishesItWhenItStops(Vertx vertx) throws Exception {
        CountingMetrics a = new CountingMetrics();
        CountingMetrics b = new CountingMetrics();
        Controller ctlA = start("ctl-a", a);
        Controller ctlB = start("ctl-b", b);
        Path key = dir.resolve("controller.pub");
        HttpResponse<Buffer> pub = result(http.get(ctlA.httpPort(), "127.0.0.1", "/api/v1/keys/bundle-signing").send());
        Files.writeString(key, pub.bodyAsString());
        HttpResponse<Buffer> pubB = result(http.get(ctlB.httpPort(), "127.0.0.1", "/api/v1/keys/bundle-signing").send());
        assertEquals(pub.bodyAsString(), pubB.bodyAsString(), "both instances sign with the one key of the shared data dir");

        int n = 20;
        try (SimulatedFleet fleet = SimulatedFleet.start(mosquitto.uri(), FLEET, "so", n, key, dir.resolve("fleet"),
                0.0)) {
            until(() -> count(("SELECT count(*) FROM devices WHERE status = 'ONLINE'")),
                    c -> c == n, Duration.ofSeconds(60), n + " simulated devices online; simulator: " + fleet.output());
            HttpResponse<Buffer> created = result(http.post(ctlA.httpPort(), "127.0.0.1", "/api/v1/bundles")
                    .sendJsonObject(bundleRequest("1.0.0")));
            assertEquals(201, created.statusCode(), created.bodyAsString());
            String bundle = created.bodyAsJsonObject().getString("id");
            HttpResponse<Buffer> r = result(http.post(ctlA.httpPort(), "127.0.0.1", "/api/v1/rollouts")
                    .sendJsonObject(new JsonObject().put("bundleId", bundle).put("target", new JsonObject().put("all", true))
                            .put("waves", new JsonObject().put("canary", 1).put("growth", 2.0))));
            assertEquals(201, r.statusCode(), r.bodyAsString());
            String rollout = r.bodyAsJsonObject().getString("id");

            // while both run, the lease stays with ctl-a (the creator); ctl-b only watches. Observe through ctl-b.
            Set<String> owners = new HashSet<>();
            JsonObject mid = until(() -> getJson(ctlB, "/api/v1/rollouts/" + rollout).map(j -> {
                owners.add(j.getJsonObject("lease").getString("owner"));
                return j;
            }), j -> j.getJsonObject("counts").getLong("SUCCEEDED", 0L) >= 3, Duration.ofSeconds(60),
                    "the first waves succeeded; simulator: " + fleet.output());
            assertEquals(Set.of("ctl-a"), owners, "only ctl-a drove the rollout while it ran");
            long succeededUnderA = mid.getJsonObject("counts").getLong("SUCCEEDED");
            System.out.printf("scale-out rollout: chunk requests served by ctl-a %d, by ctl-b %d%n",
                    a.bundleRequests.get(), b.bundleRequests.get());

            stop(ctlA);
            JsonObject done = until(() -> getJson(ctlB, "/api/v1/rollouts/" + rollout),
                    j -> "SUCCEEDED".equals(j.getString("state")), Duration.ofSeconds(60),
                    "ctl-b finishing the rollout; simulator: " + fleet.output());
            System.out.printf("scale-out rollout: %d of %d installs succeeded under ctl-a, ctl-b finished the rest%n",
                    succeededUnderA, n);
            assertTrue(succeededUnderA < n, "ctl-a was stopped mid-rollout");
            assertEquals("ctl-b", done.getJsonObject("lease").getString("owner"));
            List<JsonObject> installs = done.getJsonArray("jobs").stream().map(o -> (JsonObject) o)
                    .filter(j -> "INSTALL".equals(j.getString("kind"))).toList();
            assertEquals(n, installs.size());
            installs.forEach(j -> assertEquals("SUCCEEDED", j.getString("state"), j.encode()));
            assertEquals(n, sql("SELECT count(DISTINCT device_id) FROM jobs WHERE rollout_id = '" + rollout + "'"));
        }
    }

    /** Paho's blocking client may still count the previous publish in flight for a moment: wait and retry. */
    private static void publishTelemetry(FakeDevice d, long seq) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                d.telemetry(seq, 0);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT || attempt >= 100) {
                    throw e;
                }
                Thread.sleep(5);
            }
        }
    }

    /** A bundle the simulated engine runs (8x8 and 16x16 graphs; the model bytes themselves are not run). */
    private JsonObject bundleRequest(String version) throws Exception {
        return SyntheticBundleRequest.of(300_000, 7, "synthetic", version);
    }
}
