package io.c2f.controller.broker;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.Header;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker with anonymous access off: device logins and the per-device ACL. */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class EmbeddedBrokerAuthTest {
    @TempDir
    Path dir;

    @Test
    void devicesAreConfinedToTheirOwnTopics(Vertx vertx) throws Exception {
        Path credentials = dir.resolve("devices.properties");
        Files.writeString(credentials, "dev-a=" + DeviceCredentials.hash("pw-a".toCharArray()) + "\n"
                + "dev-b=" + DeviceCredentials.hash("pw-b".toCharArray()) + "\n");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ControllerConfig config = ConfigLoader.fromMap(Map.of("fleet", "lab", "http.host", "127.0.0.1",
                "http.port", "0", "data.dir", dir.resolve("data").toString(), "broker.port", Integer.toString(port),
                "broker.allow.anonymous", "false", "broker.credentials.file", credentials.toString(),
                "mqtt.username", "c2f-admin", "mqtt.password", "admin-secret"));
        Controller c = result(Controller.start(vertx, config, ControllerMetrics.NOOP));
        WebClient http = WebClient.create(vertx);
        try (FakeDevice a = new FakeDevice(c.mqttUrl(), "lab", "dev-a", "dev-a", "pw-a");
                FakeDevice wrongPassword = new FakeDevice(c.mqttUrl(), "lab", "dev-b", "dev-b", "pw-a");
                FakeDevice anonymous = new FakeDevice(c.mqttUrl(), "lab", "dev-c")) {
            assertThrows(MqttException.class, () -> wrongPassword.connect(1), "wrong password");
            assertThrows(MqttException.class, () -> anonymous.connect(1), "no credentials");
            a.connect(1);
            assertThrows(MqttException.class, () -> a.subscribeRaw(a.topics().device("dev-b", Channel.JOB_NOTIFY)),
                    "another device's commands");

            // dev-a publishes a well-formed birth of dev-b on dev-b's topic: the broker must drop it
            Birth forged = Birth.newBuilder().setHeader(Header.newBuilder().setProtocolMajor(1).setBdSeq(1))
                    .setDeviceId("dev-b").build();
            a.publishRaw(a.topics().device("dev-b", Channel.BIRTH), WireCodec.encode(Channel.BIRTH, forged));
            a.birth();
            until(() -> http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices/dev-a").send()
                    .map(r -> r.statusCode()), s -> s == 200, Duration.ofSeconds(10), "dev-a registered");
            // dev-a's own birth came after the forged one on the same connection: had it passed, it is stored
            assertEquals(404, result(http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices/dev-b").send()).statusCode());
        } finally {
            http.close();
            result(c.stop());
        }
    }
}
