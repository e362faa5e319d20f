package io.c2f.controller;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.testing.MosquittoBroker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.ControllerState;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A whole controller (broker, H2, verticles) and a fake device on a real broker: the embedded
 * broker, and a Mosquitto process. Observed only through the HTTP API.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class FleetLivenessTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    @TempDir
    Path dir;

    private interface Body {
        void run(Controller controller, String brokerUrl, WebClient http) throws Exception;
    }

    private void withController(Vertx vertx, String broker, Body body) throws Exception {
        Map<String, String> values = new HashMap<>();
        values.put("fleet", "lab");
        values.put("instance.id", "ctl-test");
        values.put("http.host", "127.0.0.1");
        values.put("http.port", "0");
        values.put("data.dir", dir.resolve("data").toString());
        values.put("heartbeat.default.ms", "60000");
        values.put("liveness.sweep.ms", "50");
        try (AutoCloseable b = TestControllers.broker(broker, dir, values)) {
            ControllerConfig config = ConfigLoader.fromMap(values);
            Controller controller = result(Controller.start(vertx, config, ControllerMetrics.NOOP));
            WebClient http = WebClient.create(vertx);
            try {
                body.run(controller, controller.mqttUrl(), http);
            } finally {
                http.close();
                result(controller.stop());
            }
        }
    }

    private static Future<HttpResponse<io.vertx.core.buffer.Buffer>> get(WebClient http, Controller c, String path) {
        return http.get(c.httpPort(), "127.0.0.1", path).send();
    }

    private static Future<JsonObject> device(WebClient http, Controller c, String id) {
        return get(http, c, "/api/v1/devices/" + id).map(r -> {
            if (r.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.bodyAsString());
            }
            return r.bodyAsJsonObject();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "mosquitto"})
    void birthWillStaleWillAndHeartbeatTimeout(String broker, Vertx vertx) throws Exception {
        withController(vertx, broker, (c, url, http) -> {
            try (FakeDevice dev = new FakeDevice(url, "lab", "rpi-01")) {
                dev.connect(1);
                dev.birth();
                JsonObject d = until(() -> device(http, c, "rpi-01"), j -> "ONLINE".equals(j.getString("status")),
                        WAIT, "rpi-01 online after its birth");
                assertEquals(1L, d.getLong("bdSeq"));
                assertEquals("c2f-unet-s", d.getJsonObject("installed").getString("bundleId"));
                assertEquals("aarch64", d.getJsonObject("hardware").getString("arch"));
                assertEquals("lab", d.getJsonArray("labels").getString(0));

                // reconnect as session 2; then a late will of session 1 arrives: stale, ignored
                dev.dropConnection();
                until(() -> device(http, c, "rpi-01"), j -> "OFFLINE".equals(j.getString("status")), WAIT,
                        "rpi-01 offline after its Last Will");
                dev.connect(2);
                dev.birth();
                until(() -> device(http, c, "rpi-01"), j -> j.getLong("bdSeq") == 2
                        && "ONLINE".equals(j.getString("status")), WAIT, "rpi-01 online as session 2");
                dev.deathOf(1);
                // same connection, QoS 1: once this telemetry is stored, the death before it was handled
                dev.telemetry(0, 0);
                d = until(() -> device(http, c, "rpi-01"),
                        j -> j.getJsonObject("telemetry").getLong("received") == 1, WAIT, "telemetry 0 stored");
                assertEquals("ONLINE", d.getString("status"), "a stale will must not take the device offline");

                // the real will of session 2
                dev.dropConnection();
                d = until(() -> device(http, c, "rpi-01"), j -> "OFFLINE".equals(j.getString("status")), WAIT,
                        "rpi-01 offline after the will of session 2");
                assertEquals("CONNECTION_LOST", d.getString("offlineReason"));

                // session 3 heartbeats every 100 ms, then goes silent without a will (still connected)
                dev.connect(3);
                dev.birth();
                dev.state(100);
                d = until(() -> device(http, c, "rpi-01"), j -> j.getLong("bdSeq") == 3
                        && "OFFLINE".equals(j.getString("status")), WAIT, "rpi-01 offline after three missed heartbeats");
                assertEquals("HEARTBEAT_TIMEOUT", d.getString("offlineReason"));
                assertEquals(3L, d.getLong("bdSeq"));
                assertTrue(dev.isConnected());

                // its next heartbeat comes from a session the controller gave up on: it asks for a birth
                dev.state(100);
                until(() -> device(http, c, "rpi-01"), j -> "ONLINE".equals(j.getString("status")), WAIT,
                        "rpi-01 back online after answering the rebirth request");
                assertTrue(dev.rebirthRequests() >= 1);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "mosquitto"})
    void duplicateTelemetryIsStoredOnceAndLossesCounted(String broker, Vertx vertx) throws Exception {
        withController(vertx, broker, (c, url, http) -> {
            try (FakeDevice dev = new FakeDevice(url, "lab", "jetson-7")) {
                dev.connect(1);
                dev.birth();
                dev.telemetry(0, 0);
                dev.telemetry(0, 0); // a QoS 1 redelivery
                dev.telemetry(1, 0);
                dev.telemetry(1, 0);
                dev.telemetry(5, 3); // 2..4 dropped by the spool
                JsonObject t = until(() -> device(http, c, "jetson-7"),
                        j -> j.getJsonObject("telemetry").getLong("nextSeq") == 6, WAIT, "telemetry up to 5")
                        .getJsonObject("telemetry");
                assertEquals(3L, t.getLong("received"));
                assertEquals(3L, t.getLong("dropped"));
                assertEquals(0L, t.getLong("gap"));
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded"})
    void apiAnswersPreciseErrorsAndHealth(String broker, Vertx vertx) throws Exception {
        withController(vertx, broker, (c, url, http) -> {
            var notFound = result(get(http, c, "/api/v1/devices/nobody"));
            assertEquals(404, notFound.statusCode());
            assertEquals("device 'nobody' is not known in fleet 'lab'", notFound.bodyAsJsonObject().getString("error"));
            var badId = result(get(http, c, "/api/v1/devices/bad%20id"));
            assertEquals(400, badId.statusCode());
            assertTrue(badId.bodyAsJsonObject().getString("error").startsWith("device id 'bad id'"));
            var badStatus = result(get(http, c, "/api/v1/devices?status=dead"));
            assertEquals(400, badStatus.statusCode());
            assertEquals("status 'dead' must be ONLINE or OFFLINE", badStatus.bodyAsJsonObject().getString("error"));
            var badLimit = result(get(http, c, "/api/v1/devices?limit=0"));
            assertEquals(400, badLimit.statusCode());
            var unknown = result(get(http, c, "/api/v2/anything"));
            assertEquals(404, unknown.statusCode());
            assertTrue(unknown.bodyAsJsonObject().containsKey("error"));
            var health = result(get(http, c, "/healthz"));
            assertEquals(200, health.statusCode(), health.bodyAsString());
            assertEquals("UP", health.bodyAsJsonObject().getString("status"));
            var list = result(get(http, c, "/api/v1/devices"));
            assertEquals(200, list.statusCode());
            assertEquals(0, list.bodyAsJsonObject().getJsonArray("devices").size());
        });
    }

    @Test
    void restartedControllerRebuildsLivenessWithAFleetRebirth(Vertx vertx) throws Exception {
        Assumptions.assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        try (MosquittoBroker mosquitto = MosquittoBroker.start(dir.resolve("mosquitto"))) {
            Map<String, String> values = new HashMap<>(Map.of("fleet", "lab", "instance.id", "ctl-a",
                    "http.host", "127.0.0.1", "http.port", "0", "mqtt.url", mosquitto.uri(),
                    "data.dir", dir.resolve("a").toString()));
            BlockingQueue<ControllerState> states = new LinkedBlockingQueue<>();
            MqttClient watcher = new MqttClient(mosquitto.uri(), "watcher", new MemoryPersistence());
            watcher.connect();
            watcher.subscribe(Topics.fleet("lab").fleetWide(Channel.CONTROLLER_STATE), 1,
                    (t, m) -> states.add(ControllerState.parseFrom(m.getPayload())));
            Controller first = result(Controller.start(vertx, ConfigLoader.fromMap(values), ControllerMetrics.NOOP));
            ControllerState up = states.poll(10, TimeUnit.SECONDS);
            assertTrue(up != null && up.getOnline() && up.getInstanceId().equals("ctl-a"), String.valueOf(up));
            try (FakeDevice dev = new FakeDevice(mosquitto.uri(), "lab", "rpi-09")) {
                dev.connect(1);
                int asked = dev.rebirthRequests();
                result(first.stop());
                ControllerState down = states.poll(10, TimeUnit.SECONDS);
                assertTrue(down != null && !down.getOnline(), "a stopping controller says offline: " + down);

                // a new controller with an empty registry: it learns of the device only from the rebirth
                values.put("instance.id", "ctl-b");
                values.put("data.dir", dir.resolve("b").toString());
                Controller second = result(Controller.start(vertx, ConfigLoader.fromMap(values), ControllerMetrics.NOOP));
                WebClient http = WebClient.create(vertx);
                try {
                    JsonObject d = until(() -> device(http, second, "rpi-09"),
                            j -> "ONLINE".equals(j.getString("status")), WAIT, "rpi-09 reborn for the new controller");
                    assertEquals(1L, d.getLong("bdSeq"));
                    assertTrue(dev.rebirthRequests() > asked);
                } finally {
                    http.close();
                    result(second.stop());
                }
            }
            watcher.disconnect();
            watcher.close();
        }
    }
}
