package io.c2f.controller.security;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.c2f.controller.Controller;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.controller.testing.SyntheticBundleRequest;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.DeviceCapabilities;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.BundleChunk;
import io.c2f.proto.v1.BundleChunkRequest;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorReply;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, from outside with raw MQTT clients on the embedded broker: what a device announces
 * (Birth.capabilities) is stored and shown, a malformed announcement is refused by field and changes
 * nothing, the announcement grants nothing (a "delta" device asking for every chunk gets every
 * chunk), and the rollout API counts the bytes each device was actually sent.
 */
@Timeout(90)
class DeliveredBytesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int MODEL_BYTES = 100_000; // chunks of 65,536: 0 is full, 1 holds 34,464

    @TempDir
    Path dir;

    @Test
    void capabilitiesAreAHintAndEveryDeviceIsCountedTheBytesItWasSent() throws Exception {
        Vertx vertx = Vertx.vertx();
        Controller c = TestControllers.start(vertx, dir, TestControllers.adminAndReader());
        WebClient http = WebClient.create(vertx);
        Map<String, FakeDevice> devices = new HashMap<>();
        try {
            for (String id : List.of("old", "delta", "greedy")) {
                FakeDevice d = new FakeDevice(c.mqttUrl(), "lab", id);
                d.connect(1);
                devices.put(id, d);
            }
            devices.get("old").birth(); // an agent before capabilities
            for (String id : List.of("delta", "greedy")) {
                devices.get(id).publish(Channel.BIRTH, birth(id).addCapabilities(DeviceCapabilities.BUNDLE_DELTA).build());
            }
            until(() -> get(http, c, "/api/v1/devices").map(r -> r.getJsonArray("devices").size()), n -> n == 3, WAIT,
                    "3 devices registered");
            assertEquals(new JsonArray(), result(get(http, c, "/api/v1/devices/old")).getJsonArray("capabilities"));
            assertEquals(new JsonArray().add("bundle-delta"), result(get(http, c, "/api/v1/devices/delta"))
                    .getJsonArray("capabilities"));

            // a malformed announcement: refused by field, nothing stored changes
            devices.get("old").publish(Channel.BIRTH, birth("old").addLabels("evil")
                    .addCapabilities("Bundle Delta!").build());
            ErrorReply refused = devices.get("old").next(ErrorReply.class, WAIT);
            assertEquals(ErrorCode.ERROR_CODE_INVALID_ARGUMENT, refused.getError().getCode(), refused.toString());
            assertEquals("capabilities", refused.getError().getField());
            JsonObject old = result(get(http, c, "/api/v1/devices/old"));
            assertEquals(new JsonArray(), old.getJsonArray("capabilities"));
            assertEquals(new JsonArray().add("lab").add("rpi4"), old.getJsonArray("labels"));

            HttpResponse<io.vertx.core.buffer.Buffer> b = result(http.post(c.httpPort(), "127.0.0.1", "/api/v1/bundles")
                    .bearerTokenAuthentication(TestControllers.ADMIN)
                    .sendJsonObject(SyntheticBundleRequest.of(MODEL_BYTES, 1, "syn", "1.0.0")));
            assertEquals(201, b.statusCode(), b.bodyAsString());
            String bundle = b.bodyAsJsonObject().getString("id");
            HttpResponse<io.vertx.core.buffer.Buffer> r = result(http.post(c.httpPort(), "127.0.0.1", "/api/v1/rollouts")
                    .bearerTokenAuthentication(TestControllers.ADMIN).sendJsonObject(new JsonObject()
                            .put("bundleId", bundle).put("target", new JsonObject().put("all", true))
                            .put("waves", new JsonObject().put("canary", 3))));
            assertEquals(201, r.statusCode(), r.bodyAsString());
            String rollout = r.bodyAsJsonObject().getString("id");

            // old asks for all (empty indices), delta for the last chunk only, greedy for all though it announced deltas
            Map<String, List<Integer>> asks = Map.of("old", List.of(), "delta", List.of(1), "greedy", List.of(0, 1));
            for (var e : asks.entrySet()) {
                FakeDevice d = devices.get(e.getKey());
                JobCommand job = d.next(JobCommand.class, WAIT);
                d.publish(Channel.BUNDLE_GET, BundleChunkRequest.newBuilder().setRequestId("get-" + e.getKey())
                        .setBundleId(bundle).addAllIndices(e.getValue()).build());
                int expected = e.getValue().isEmpty() ? 2 : e.getValue().size();
                for (int i = 0; i < expected; i++) {
                    assertEquals(bundle, d.next(BundleChunk.class, WAIT).getBundleId());
                }
                d.publish(Channel.JOB_STATUS, JobStatusUpdate.newBuilder().setJobId(job.getJobId())
                        .setDeviceId(e.getKey()).setState(JobState.JOB_STATE_SUCCEEDED).build());
            }
            Map<String, Long> expectedBytes = Map.of("old", (long) MODEL_BYTES, "delta", MODEL_BYTES - 65_536L,
                    "greedy", (long) MODEL_BYTES);
            JsonObject done = until(() -> get(http, c, "/api/v1/rollouts/" + rollout), v -> bytesByDevice(v)
                    .equals(expectedBytes) && "SUCCEEDED".equals(v.getString("state")), WAIT, "bytes counted");
            JsonObject delivery = done.getJsonObject("delivery");
            assertEquals(3, delivery.getInteger("devices"));
            assertEquals(2 * MODEL_BYTES + MODEL_BYTES - 65_536L, delivery.getLong("bytesSent"));
            assertEquals(5, delivery.getLong("chunksSent"));
            assertEquals(MODEL_BYTES, delivery.getLong("payloadSize"));
            assertEquals(delivery.getLong("bytesSent") / 3.0, delivery.getDouble("meanBytesPerDevice"), 1e-6);
        } finally {
            devices.values().forEach(FakeDevice::close);
            http.close();
            result(c.stop());
            result(vertx.close());
        }
    }

    private static Birth.Builder birth(String id) {
        return Birth.newBuilder().setDeviceId(id).setAgentVersion("0.1.0");
    }

    private static Map<String, Long> bytesByDevice(JsonObject rollout) {
        Map<String, Long> out = new HashMap<>();
        rollout.getJsonArray("jobs").forEach(j -> out.put(((JsonObject) j).getString("deviceId"),
                ((JsonObject) j).getLong("bytesSent")));
        return out;
    }

    private static Future<JsonObject> get(WebClient http, Controller c, String path) {
        return http.get(c.httpPort(), "127.0.0.1", path).bearerTokenAuthentication(TestControllers.ADMIN).send()
                .map(HttpResponse::bodyAsJsonObject);
    }
}
