package io.c2f.controller.mqtt;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.proto.testing.RawMqttClient;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.Birth;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device can leave a retained message on its own topics on Mosquitto (its ACL cannot forbid the
 * retain flag): the controller must not act on the stored copy the broker replays at every
 * subscription, e.g. a planted birth that would register a device nobody runs.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class RetainedDeviceMessagesTest {
    @TempDir
    Path dir;

    private static byte[] birthOf(String device) {
        return WireCodec.encode(Channel.BIRTH, Birth.newBuilder().setHeader(new HeaderFactory(device).next())
                .setDeviceId(device).build());
    }

    @Test
    void aRetainedBirthLeftOnTheBrokerIsIgnoredAndALiveOneIsNot(Vertx vertx) throws Exception {
        Assumptions.assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        Topics lab = Topics.fleet("lab");
        try (MosquittoBroker mosquitto = MosquittoBroker.start(dir.resolve("mosquitto"))) {
            int[] code = new int[1];
            try (RawMqttClient planter = RawMqttClient.connect("127.0.0.1", mosquitto.port(),
                    RawMqttClient.Connect.as("ghost", null, null), code)) {
                assertEquals(0, code[0]);
                int id = planter.publish(lab.device("ghost", Channel.BIRTH), birthOf("ghost"), 1, true);
                assertTrue(planter.awaitPubAck(id, Duration.ofSeconds(5)));
                planter.disconnect();
            }
            Controller controller = result(Controller.start(vertx, ConfigLoader.fromMap(Map.of("fleet", "lab",
                    "http.host", "127.0.0.1", "http.port", "0", "mqtt.url", mosquitto.uri(),
                    "data.dir", dir.resolve("data").toString())), ControllerMetrics.NOOP));
            WebClient http = WebClient.create(vertx);
            try (RawMqttClient live = RawMqttClient.connect("127.0.0.1", mosquitto.port(),
                    RawMqttClient.Connect.as("real", null, null), code)) {
                live.publish(lab.device("real", Channel.BIRTH), birthOf("real"), 1, false);
                until(() -> http.get(controller.httpPort(), "127.0.0.1", "/api/v1/devices/real").send()
                        .map(r -> r.statusCode()), s -> s == 200, Duration.ofSeconds(10), "the live birth registered");
                // the retained birth came first, at the controller's subscription
                assertEquals(404, result(http.get(controller.httpPort(), "127.0.0.1", "/api/v1/devices/ghost")
                        .send()).statusCode(), "the retained birth registered a ghost device");
            } finally {
                http.close();
                result(controller.stop());
            }
        }
    }
}
