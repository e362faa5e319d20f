package io.c2f.controller.api;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.testing.ControllerProcess;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.testing.MosquittoBroker;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /healthz} over real HTTP while the controller's broker goes away and comes back. */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class HealthEndpointTest {
    @TempDir
    Path dir;

    @Test
    void saysWhichPartIsDownWithin1sWhileTheBrokerIsGoneAnd200WhenItIsBack(Vertx vertx) throws Exception {
        Map<String, String> values = new HashMap<>(Map.of("fleet", "lab", "instance.id", "ctl", "http.host",
                "127.0.0.1", "http.port", "0", "data.dir", dir.resolve("data").toString()));
        try (AutoCloseable broker = TestControllers.broker("mosquitto", dir, values)) {
            MosquittoBroker mosquitto = (MosquittoBroker) broker;
            Controller c = result(Controller.start(vertx, ConfigLoader.fromMap(values), ControllerMetrics.NOOP));
            try {
                HttpClient http = HttpClient.newHttpClient();
                JsonObject up = health(http, c, 200);
                assertEquals("UP", up.getJsonObject("checks").getJsonObject("database").getString("status"));
                assertEquals("external", up.getJsonObject("checks").getJsonObject("broker").getString("kind"));

                mosquitto.stop();
                JsonObject down = null;
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (down == null && System.nanoTime() < end) {
                    HttpResponse<String> r = send(http, c);
                    if (r.statusCode() == 503) {
                        down = new JsonObject(r.body());
                    }
                    Thread.sleep(100);
                }
                assertTrue(down != null, "no 503 while the broker was gone");
                assertEquals("DOWN", down.getString("status"));
                assertEquals("DOWN", down.getJsonObject("checks").getJsonObject("broker").getString("status"),
                        down.encode());
                assertEquals("UP", down.getJsonObject("checks").getJsonObject("database").getString("status"));

                mosquitto.restart();
                end = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                int status = 0;
                while (status != 200 && System.nanoTime() < end) {
                    status = send(http, c).statusCode();
                    Thread.sleep(200);
                }
                assertEquals(200, status, "healthy again once the controller reconnected");
            } finally {
                result(c.stop());
            }
        }
    }

    private static JsonObject health(HttpClient http, Controller c, int expected) throws Exception {
        HttpResponse<String> r = send(http, c);
        assertEquals(expected, r.statusCode(), r.body());
        return new JsonObject(r.body());
    }

    /** Fails when the checks took a second or more, or the answer hangs. */
    private static HttpResponse<String> send(HttpClient http, Controller c) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.httpPort()
                + "/healthz")).timeout(ControllerProcess.HANG_LIMIT).build(), HttpResponse.BodyHandlers.ofString());
        ControllerProcess.assertTimelyChecks(r.body());
        return r;
    }
}
