package io.c2f.demo;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.core.EdgeAgent;
import io.c2f.agent.sim.SimulatedEngine;
import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.testing.SyntheticBundleRequest;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.v1.BundleChunkRequest;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.SignedManifest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Delta bundle updates (issue 17) end to end: the real controller on the embedded broker and on
 * Mosquitto, real edge agents (in this JVM, on the simulated engine: the same installer, store and
 * protocol as on a device). A bundle with a TFLite and an ONNX model goes to agents that support
 * deltas and to one configured as an old agent; then a schedule-only bundle (the same model files)
 * to them and to a fresh agent that holds nothing; then a model change whose ONNX file stays, to two
 * delta agents, one of which has its held ONNX copies damaged on disk. Asserted: what the
 * controller counted per device (and, on Mosquitto, the chunk requests seen on the broker), that a
 * schedule-only update costs a delta agent under 5 % of the payload while the old and the fresh
 * agent get all of it, and that the installed slots equal a full download's byte for byte.
 */
@Timeout(300)
class DeltaRolloutEndToEndTest {
    private static final int TFLITE_BYTES = 400_000;
    private static final int ONNX_BYTES = 300_000;

    @TempDir
    Path dir;

    private final Map<String, EdgeAgent> agents = new LinkedHashMap<>();
    /** Chunk indices each device asked for, by device then bundle (on Mosquitto, where a test client may listen). */
    private final Map<String, Set<Integer>> requested = new ConcurrentHashMap<>();
    private ApiClient api;
    private PublicKey controllerKey;
    private String brokerUrl;

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "mosquitto"})
    void aScheduleOnlyUpdateSendsDeltaAgentsNothingTheyHoldAndOldAgentsEverything(String broker) throws Exception {
        Map<String, String> values = new HashMap<>(Map.of("fleet", "lab", "instance.id", "ctl", "http.host",
                "127.0.0.1", "http.port", "0", "data.dir", dir.resolve("data").toString()));
        Vertx vertx = Vertx.vertx();
        MqttClient observer = null;
        try (AutoCloseable b = TestControllers.broker(broker, dir, values)) {
            Controller c = result(Controller.start(vertx, ConfigLoader.fromMap(values), ControllerMetrics.NOOP));
            try {
                brokerUrl = c.mqttUrl();
                api = new ApiClient(vertx, "127.0.0.1", c.httpPort(), null);
                controllerKey = Ed25519Keys.parsePublic(api.getText("/api/v1/keys/bundle-signing"), "the controller");
                if (broker.equals("mosquitto")) {
                    observer = observe(values.get("mqtt.url"));
                }
                startAgent("held", true);
                startAgent("held2", true);
                startAgent("old", false);
                awaitOnline(List.of("held", "held2", "old"));
                assertEquals(new JsonArray().add("bundle-delta"), api.get("/api/v1/devices/held").getJsonArray("capabilities"));
                assertEquals(new JsonArray(), api.get("/api/v1/devices/old").getJsonArray("capabilities"),
                        "an agent configured as old announces nothing");

                JsonObject model = SyntheticBundleRequest.withOnnx(SyntheticBundleRequest.of(TFLITE_BYTES, 7, "delta",
                        "1.0.0"), ONNX_BYTES, 8);
                JsonObject v1 = api.post("/api/v1/bundles", model, 201);
                JsonObject r1 = rollOut(v1, List.of("held", "held2", "old"));
                long payload = v1.getLong("payloadSize");
                assertEquals(Map.of("held", payload, "held2", payload, "old", payload), bytesSent(r1, payload));

                // a schedule-only change: the same model files, another catalog, to a fresh agent too
                startAgent("fresh", true);
                awaitOnline(List.of("fresh"));
                JsonObject v2 = api.post("/api/v1/bundles", SyntheticBundleRequest.scheduleOnly(model, "1.1.0"), 201);
                assertEquals(payload, v2.getLong("payloadSize"));
                JsonObject r2 = rollOut(v2, List.of("held", "held2", "old", "fresh"));
                Map<String, Long> sent = bytesSent(r2, payload);
                System.out.printf("%s broker, schedule-only bundle of %d bytes: bytes sent per device %s%n", broker,
                        payload, sent);
                assertTrue(sent.get("held") < 0.05 * payload, "a delta agent gets < 5 % of the payload: " + sent);
                assertEquals(0L, sent.get("held"), "the payload is the model files alone: all held");
                assertEquals(Map.of("held", 0L, "held2", 0L, "old", payload, "fresh", payload), sent);
                assertEquals(payload * 2 / 4.0, r2.getJsonObject("delivery").getDouble("meanBytesPerDevice"), 1e-6);
                if (observer != null) {
                    assertEquals(null, requested.get("held/" + v2.getString("id")), "held asked for nothing");
                    assertEquals(v2.getInteger("chunkCount"), requested.get("old/" + v2.getString("id")).size());
                }
                assertSameTree(slot("fresh"), slot("held"));
                assertSameTree(slot("fresh"), slot("old"));

                // a model change that keeps the ONNX file; held2's copies of it are damaged on disk
                JsonObject changed = SyntheticBundleRequest.withOnnx(SyntheticBundleRequest.of(TFLITE_BYTES, 9, "delta",
                        "2.0.0"), ONNX_BYTES, 8);
                JsonObject v3 = api.post("/api/v1/bundles", changed, 201);
                for (Path copy : List.of(slotDir("held2", "a"), slotDir("held2", "b"))) {
                    flipAByte(copy.resolve("model.onnx"));
                }
                JsonObject r3 = rollOut(v3, List.of("held", "held2"));
                int chunks = v3.getInteger("chunkCount");
                BitSet uncovered = uncoveredWithOnnxHeld(v3.getString("id"));
                long uncoveredBytes = uncovered.stream().mapToLong(i -> Math.min(v3.getLong("chunkSize"),
                        v3.getLong("payloadSize") - i * v3.getLong("chunkSize"))).sum();
                Map<String, Long> sent3 = bytesSent(r3, v3.getLong("payloadSize"));
                System.out.printf("%s broker, model change of %d bytes keeping the ONNX file: bytes sent per device %s "
                        + "(%d of %d chunks not covered by the held ONNX file)%n", broker, v3.getLong("payloadSize"),
                        sent3, uncovered.cardinality(), chunks);
                assertTrue(uncovered.cardinality() > 0 && uncovered.cardinality() < chunks, uncovered.toString());
                assertEquals(Map.of("held", uncoveredBytes, "held2", v3.getLong("payloadSize")), sent3,
                        "held fetched only what the ONNX file does not cover; held2's damaged copies were not reused");
                assertEquals(uncovered.cardinality(), chunksSent(r3).get("held"));
                if (observer != null) {
                    assertEquals(uncovered.stream().boxed().toList(),
                            List.copyOf(new TreeSet<>(requested.get("held/" + v3.getString("id")))));
                }
                assertSameTree(slot("held2"), slot("held"));
            } finally {
                for (EdgeAgent a : agents.values()) {
                    a.close();
                }
                if (observer != null) {
                    observer.disconnect();
                    observer.close();
                }
                if (api != null) {
                    api.close();
                }
                result(c.stop());
            }
        } finally {
            result(vertx.close());
        }
    }

    private void startAgent(String id, boolean delta) throws Exception {
        Properties p = new Properties();
        p.setProperty("c2f.fleet", "lab");
        p.setProperty("c2f.device.id", id);
        p.setProperty("c2f.broker.url", brokerUrl);
        p.setProperty("c2f.state.dir", dir.resolve("agents").resolve(id).toString());
        p.setProperty("c2f.bundle.delta", Boolean.toString(delta));
        EdgeAgent agent = new EdgeAgent(AgentConfig.from(p, dir), new SimulatedEngine(() -> 0), controllerKey,
                Clock.systemUTC());
        agents.put(id, agent);
        agent.start();
    }

    private void awaitOnline(List<String> ids) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            Set<String> online = new TreeSet<>();
            api.get("/api/v1/devices?status=ONLINE&limit=100").getJsonArray("devices")
                    .forEach(d -> online.add(((JsonObject) d).getString("id")));
            if (online.containsAll(ids)) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, ids + " did not come online: " + online);
            Thread.sleep(100);
        }
    }

    /** Rolls the bundle out to the devices in one wave; returns the rollout once SUCCEEDED. */
    private JsonObject rollOut(JsonObject bundle, List<String> devices) throws InterruptedException {
        String id = api.post("/api/v1/rollouts", new JsonObject().put("bundleId", bundle.getString("id"))
                .put("target", new JsonObject().put("devices", new JsonArray(new ArrayList<>(devices))))
                .put("waves", new JsonObject().put("canary", devices.size())), 201).getString("id");
        long deadline = System.nanoTime() + 120_000_000_000L;
        JsonObject view;
        while (!"SUCCEEDED".equals((view = api.get("/api/v1/rollouts/" + id)).getString("state"))) {
            assertTrue(System.nanoTime() < deadline && !List.of("ABORTED", "ABORTING").contains(view.getString("state")),
                    "rollout did not succeed: " + view.encodePrettily());
            Thread.sleep(200);
        }
        return view;
    }

    /**
     * Bytes sent per device once every device's count is in (the controller writes its tally within
     * about a second): waits until the total is stable over two of its writes.
     */
    private Map<String, Long> bytesSent(JsonObject rollout, long payload) throws InterruptedException {
        String id = rollout.getString("id");
        Map<String, Long> last = null;
        for (int stable = 0; stable < 2; ) {
            Thread.sleep(io.c2f.controller.bundle.BundleDeliveryVerticle.FLUSH_MS + 200);
            Map<String, Long> now = perDevice(api.get("/api/v1/rollouts/" + id), "bytesSent");
            stable = now.equals(last) ? stable + 1 : 0;
            last = now;
        }
        assertTrue(last.values().stream().allMatch(v -> v <= payload * 2), "no device was sent its bundle twice: " + last);
        return last;
    }

    private Map<String, Long> chunksSent(JsonObject rollout) {
        return perDevice(api.get("/api/v1/rollouts/" + rollout.getString("id")), "chunksSent");
    }

    private static Map<String, Long> perDevice(JsonObject rollout, String field) {
        Map<String, Long> out = new HashMap<>();
        rollout.getJsonArray("jobs").forEach(j -> out.put(((JsonObject) j).getString("deviceId"),
                ((JsonObject) j).getLong(field)));
        return out;
    }

    /** The chunks of the bundle not wholly inside its ONNX file (what an agent holding that file fetches). */
    private BitSet uncoveredWithOnnxHeld(String bundleId) throws Exception {
        BundleManifest m = BundleManifest.parseFrom(SignedManifest.parseFrom(
                Files.readAllBytes(slot("held").resolve("manifest.pb"))).getManifest());
        assertEquals(bundleId, m.getBundleId());
        BitSet onnx = new BitSet();
        for (int f = 0; f < m.getFilesCount(); f++) {
            onnx.set(f, m.getFiles(f).getPath().equals("model.onnx"));
        }
        BitSet uncovered = BundlePayload.chunksCoveredBy(m, onnx);
        uncovered.flip(0, m.getChunkCount());
        return uncovered;
    }

    private MqttClient observe(String url) throws Exception {
        MqttClient client = new MqttClient(url, "delta-observer", new MemoryPersistence());
        client.connect();
        client.subscribe("c2f/v1/lab/device/+/bundle/get", 1, (topic, msg) -> {
            var in = WireCodec.decode(topic, msg.getPayload());
            BundleChunkRequest r = in.as(BundleChunkRequest.class);
            requested.computeIfAbsent(in.address().deviceId() + "/" + r.getBundleId(), k -> ConcurrentHashMap.newKeySet())
                    .addAll(r.getIndicesList());
        });
        return client;
    }

    private Path slotDir(String agent, String slot) {
        return dir.resolve("agents").resolve(agent).resolve("bundles").resolve("slot-" + slot);
    }

    private Path slot(String agent) throws Exception {
        String active = Files.readString(dir.resolve("agents").resolve(agent).resolve("bundles").resolve("active")).trim();
        return slotDir(agent, active);
    }

    private static void flipAByte(Path file) throws Exception {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x40;
        Files.write(file, b);
    }

    private static void assertSameTree(Path expected, Path actual) throws Exception {
        List<Path> names = files(expected);
        assertEquals(names, files(actual), actual.toString());
        for (Path n : names) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(n)), Files.readAllBytes(actual.resolve(n)),
                    actual.resolve(n).toString());
        }
    }

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }
}
