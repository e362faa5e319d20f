package io.c2f.controller.mqtt;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.proto.testing.MosquittoBroker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rebirth storm: after a restart thousands of devices are heard from sessions the controller does
 * not know, and each is asked for a birth at once. The MQTT client takes at most
 * {@link MqttIngressVerticle#MAX_IN_FLIGHT} unacknowledged publishes; the ones beyond must wait their
 * turn, not fail (a 10,000-device run had most of its rebirth requests refused).
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class PublishBurstTest {
    @TempDir
    Path dir;

    @Test
    void moreCommandsAtOnceThanTheClientKeepsInFlightAllGoOut(Vertx vertx) throws Exception {
        Assumptions.assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        try (MosquittoBroker mosquitto = MosquittoBroker.start(dir.resolve("mosquitto"))) {
            Controller controller = result(Controller.start(vertx, ConfigLoader.fromMap(Map.of("fleet", "lab",
                    "http.host", "127.0.0.1", "http.port", "0", "mqtt.url", mosquitto.uri(),
                    "data.dir", dir.resolve("data").toString())), ControllerMetrics.NOOP));
            try {
                DeviceCommands commands = new DeviceCommands(vertx);
                int n = 3 * MqttIngressVerticle.MAX_IN_FLIGHT;
                List<Future<Void>> sent = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    sent.add(commands.requestRebirth(String.format("dev-%05d", i), "burst"));
                }
                Future.join(sent).toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(90, TimeUnit.SECONDS);
                List<String> failures = sent.stream().filter(Future::failed).map(f -> f.cause().getMessage()).distinct()
                        .toList();
                assertEquals(List.of(), failures, "publishes refused");
                assertEquals(n, sent.stream().filter(Future::succeeded).count());
            } finally {
                result(controller.stop());
            }
        }
    }
}
