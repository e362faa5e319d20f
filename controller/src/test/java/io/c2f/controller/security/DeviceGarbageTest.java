package io.c2f.controller.security;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.broker.DeviceCredentials;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.testing.Await;
import io.c2f.controller.testing.Ports;
import io.c2f.proto.ExampleMessages;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.testing.RawMqttClient;
import io.c2f.proto.testing.RawMqttClient.Connect;
import io.c2f.proto.testing.RawMqttClient.Publish;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Direction;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.DeviceState;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorReply;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.Telemetry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device with valid credentials sends what a broken or hostile agent could: random bytes, empty
 * and truncated payloads, and well-formed messages that name another device, on every channel it may
 * publish on, with a client of the test's own. Each gets a typed error back on the device's own
 * error channel, nothing is registered, the controller stays healthy, and a good birth afterwards
 * still works.
 */
@Timeout(120)
class DeviceGarbageTest {
    private static final String DEVICE = ExampleMessages.DEVICE;
    @TempDir
    Path dir;

    @Test
    void everyMalformedOrImpersonatingMessageGetsATypedErrorAndChangesNothing() throws Exception {
        Path credentials = Files.writeString(dir.resolve("devices.properties"),
                DEVICE + "=" + DeviceCredentials.hash("pw".toCharArray()) + "\n");
        Map<String, String> values = new HashMap<>(Map.of("fleet", "lab", "http.port", "0",
                "data.dir", dir.resolve("data").toString(), "broker.port", Integer.toString(Ports.freePort()),
                "broker.credentials.file", credentials.toString()));
        Vertx vertx = Vertx.vertx();
        Controller c = result(Controller.start(vertx, ConfigLoader.fromMap(values), ControllerMetrics.NOOP));
        WebClient http = WebClient.create(vertx);
        URI broker = URI.create(c.mqttUrl());
        Topics topics = Topics.fleet("lab");
        try (RawMqttClient device = RawMqttClient.open(broker.getHost(), broker.getPort())) {
            assertEquals(0, device.connect(Connect.as(DEVICE, DEVICE, "pw")));
            assertEquals(1, device.subscribe(topics.device(DEVICE, Channel.CONTROLLER_ERROR), 1));

            Random random = new Random(13);
            Map<String, Integer> sent = new HashMap<>();
            for (Channel ch : Channel.values()) {
                if (ch.direction() != Direction.DEVICE_TO_CONTROLLER || ch.scope() != Channel.Scope.DEVICE
                        || ch.enrolment()) {
                    // enrolment channels are the bootstrap login's: the broker drops an enrolled device's publishes
                    // there (bad enrolment requests: EnrolmentEmbeddedBrokerTest)
                    continue;
                }
                String topic = topics.device(DEVICE, ch);
                byte[] good = WireCodec.encode(ch, ExampleMessages.of(ch));
                byte[] noise = new byte[64];
                random.nextBytes(noise);
                List<byte[]> bad = new java.util.ArrayList<>(List.of(new byte[0], noise,
                        Arrays.copyOf(good, good.length - 1)));
                impersonating(ch).ifPresent(m -> bad.add(WireCodec.encode(ch, m)));
                for (byte[] payload : bad) {
                    int id = device.publish(topic, payload, 1, false);
                    assertTrue(device.awaitPubAck(id, Duration.ofSeconds(10)), "PUBACK for " + topic);
                    sent.merge(topic, 1, Integer::sum);
                }
            }

            Map<String, Integer> errors = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int expected = sent.values().stream().mapToInt(Integer::intValue).sum();
            while (errors.values().stream().mapToInt(Integer::intValue).sum() < expected
                    && System.nanoTime() < deadline) {
                Publish p = device.awaitPublish(Duration.ofSeconds(1)).orElse(null);
                if (p == null) {
                    continue;
                }
                ErrorReply reply = (ErrorReply) WireCodec.decode(p.topic(), p.payload()).message();
                assertNotEquals(ErrorCode.ERROR_CODE_UNSPECIFIED, reply.getError().getCode(), reply.toString());
                errors.merge(reply.getRequestTopic(), 1, Integer::sum);
            }
            assertEquals(sent, errors, "one typed error per bad message, on the topic it came in on");

            JsonArray devices = result(http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices").send())
                    .bodyAsJsonObject().getJsonArray("devices");
            assertEquals(0, devices.size(), "no device registered by bad or borrowed messages: " + devices);
            assertEquals(200, result(http.get(c.httpPort(), "127.0.0.1", "/healthz").send()).statusCode());

            // the device itself is fine: a good birth registers it (so the refusals above mean something)
            int id = device.publish(topics.device(DEVICE, Channel.BIRTH),
                    WireCodec.encode(Channel.BIRTH, ExampleMessages.of(Channel.BIRTH)), 1, false);
            assertTrue(device.awaitPubAck(id, Duration.ofSeconds(10)));
            Await.until(() -> http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices").send()
                            .map(r -> r.bodyAsJsonObject().getJsonArray("devices").size()),
                    n -> n == 1, Duration.ofSeconds(20), "the good birth registered");
        } finally {
            http.close();
            result(c.stop());
            result(vertx.close());
        }
    }

    /** The channel's example, well-formed, but naming another device than the topic's. */
    private static java.util.Optional<com.google.protobuf.Message> impersonating(Channel ch) {
        String other = "cam-999";
        com.google.protobuf.Message m = ExampleMessages.of(ch);
        return java.util.Optional.ofNullable(switch (ch) {
            case BIRTH -> ((Birth) m).toBuilder().setDeviceId(other).build();
            case STATE -> ((DeviceState) m).toBuilder().setDeviceId(other).build();
            case TELEMETRY -> ((Telemetry) m).toBuilder().setDeviceId(other).build();
            case JOB_STATUS -> ((JobStatusUpdate) m).toBuilder().setDeviceId(other).build();
            case DEATH -> ((io.c2f.proto.v1.Death) m).toBuilder().setDeviceId(other).build();
            default -> null;
        });
    }
}
