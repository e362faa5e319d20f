package io.c2f.demo;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Ports.freePort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.auth.ApiTokens;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.metrics.NoopControllerMetrics;
import io.c2f.controller.retune.RetuneSettings;
import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.controller.testing.SimulatedFleet;
import io.c2f.proto.v1.GeneratedImage;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop, once with the embedded broker and once with Mosquitto: the real controller, the
 * shipped model and catalog, a schedule search through the API, a staged rollout to 20 simulated
 * and 2 real agents (one on TFLite, one pinned to ONNX Runtime) running as separate processes from the agent jar, an image from a
 * real agent, telemetry through the API, then simulated devices slowed remotely (the retuner moves
 * them to cheaper schedules, with reasons) and recovered (it moves them back). The steps are the
 * demo's ({@link FleetScenario}); this test asserts on what they return.
 */
@Timeout(360)
class WholeLoopEndToEndTest {
    /**
     * Small windows and short hysteresis so that the loop turns in seconds; the window's 40 s
     * still hold minSamples generations of a device slowed to several seconds per image.
     */
    private static final RetuneSettings RETUNE = new RetuneSettings(24, 40_000, 4, 0.20, 3_000, 3_000, 500,
            7L * 24 * 3600_000);
    private static final double TARGET_FACTOR = 2;
    private static final List<String> SLOWED = List.of("sim-0000", "sim-0001", "sim-0002", "sim-0003");

    @TempDir
    Path dir;

    @Test
    void embeddedBroker() throws Exception {
        wholeLoop(Map.of("broker.port", Integer.toString(freePort())));
    }

    /**
     * Mosquitto with its dynamic security plugin, as the controller drives it for enrolment
     * ({@code broker.enrolment=dynsec}): nobody but the controller's login gets in until the
     * controller creates the bootstrap client of a token and each accepted device's client.
     */
    @Test
    void mosquitto() throws Exception {
        Assumptions.assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        Assumptions.assumeTrue(Files.isRegularFile(Path.of(DYNSEC_PLUGIN)) && Files.isExecutable(Path.of("/usr/bin/mosquitto_ctrl")),
                "mosquitto's dynamic security plugin or mosquitto_ctrl is not installed");
        Path dynsec = dir.resolve("mosquitto").resolve("dynamic-security.json");
        Files.createDirectories(dynsec.getParent());
        String password = java.util.UUID.randomUUID().toString();
        ctrl(List.of("mosquitto_ctrl", "dynsec", "init", dynsec.toString(), "c2f-controller", password));
        // set up as deploy/mosquitto/mosquitto-dynsec.conf and deploy/README.md say
        // "user root": the plugin rewrites its file in this test's folder, which Mosquitto's own user cannot
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("mosquitto"), "allow_anonymous false\nplugin "
                + DYNSEC_PLUGIN + "\nplugin_opt_config_file " + dynsec + "\nuser root")) {
            // the controller's login: the plugin's admin, plus publishing on the fleet's topics (as deploy/mosquitto says)
            ctrl(List.of("sh", Path.of("../mosquitto/dynsec-setup.sh").toAbsolutePath().normalize().toString(), "e2e",
                    "c2f-controller", "-h", "127.0.0.1", "-p", Integer.toString(broker.port()), "-u", "c2f-controller",
                    "-P", password));
            wholeLoop(Map.of("mqtt.url", broker.uri(), "mqtt.username", "c2f-controller", "mqtt.password", password,
                    "broker.enrolment", "dynsec"));
        }
    }

    private static final String DYNSEC_PLUGIN = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";

    private static void ctrl(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), command.subList(0, Math.min(command.size(), 3)) + ": " + out);
    }

    private void wholeLoop(Map<String, String> brokerConfig) throws Exception {
        Path agentJar = SimulatedFleet.agentJar(); // skips the test, saying why, when it is not built
        Path root = Path.of("../..").toAbsolutePath().normalize();
        Path model = root.resolve("models/zoo/emoji32-c2f");
        ScenarioPlan plan = new ScenarioPlan("e2e", model, root.resolve("schedules/catalog"), agentJar,
                dir.resolve("agents"), 2, new SimulatorProcess.Fleet("sim", 20, 20_000, 1.2, 7), TARGET_FACTOR, false,
                new JsonObject().put("k", List.of(4)).put("mode", "c2f").put("switchIndex", 2).put("calibrationSeeds", 1)
                        .put("heldoutSeeds", 1)
                        .put("referenceSteps", 10).put("maxEvaluations", 10).put("budgetSeconds", 5),
                50, Duration.ofSeconds(120)).stagedInto(dir.resolve("models"));
        // as the demo does: API tokens; the devices enrol (the scenario makes the enrolment tokens through
        // the API and accepts the real agents there), no credentials file
        DemoSecrets secrets = DemoSecrets.generate(dir.resolve("secrets"));
        Map<String, String> config = new HashMap<>(Map.of("fleet", "e2e", "instance.id", "e2e-ctl", "http.host",
                "127.0.0.1", "http.port", "0", "data.dir", dir.resolve("data").toString(),
                "api.tokens.file", secrets.apiTokensFile().toString(),
                "models.dir", dir.resolve("models").toString()));
        config.putAll(brokerConfig);
        Vertx vertx = Vertx.vertx();
        Controller c = result(Controller.start(vertx, ConfigLoader.fromMap(config), new NoopControllerMetrics(),
                new Controller.Options(ApiTokens.none(), RETUNE, 1, DemoMain.ROLLOUT)));
        long started = System.nanoTime();
        try (FleetScenario s = new FleetScenario(vertx, plan, "127.0.0.1", c.httpPort(), c.mqttUrl(), secrets,
                line -> System.out.printf("e2e %5.1f s: %s%n", (System.nanoTime() - started) / 1e9, line))) {
            // the shipped model and its catalog
            String sha = new JsonObject(Files.readString(model.resolve("model.json"))).getString("modelSha256");
            assertEquals(sha, s.registerModel().getString("modelSha256"));
            assertTrue(s.loadCatalog().containsAll(List.of("uniform-k10-32", "uniform-k20-32")));

            // a schedule search runs on the controller while the agents start
            String searchId = s.startSearch();
            s.startAgents();
            // every device enrolled: the simulated ones by their auto-accept token, the real ones pending
            // until the scenario accepted them through the API
            JsonArray enrolled = s.api().get("/api/v1/enrolments?status=accepted").getJsonArray("enrolments");
            assertEquals(22, enrolled.size(), enrolled.encode());
            assertTrue(s.api().get("/api/v1/enrolments?status=pending").getJsonArray("enrolments").isEmpty());
            JsonObject search = s.awaitSearch(searchId);
            assertEquals("SUCCEEDED", search.getString("state"), search.encode());
            assertTrue(search.getJsonArray("results").size() >= 1, search.encode());
            Map<String, JsonObject> catalog = s.catalog();
            search.getJsonArray("results").forEach(id -> assertTrue(catalog.containsKey((String) id),
                    id + " joined the catalog " + catalog.keySet()));

            // a staged rollout of the shipped model to all 22 agents
            JsonObject rollout = s.rollOut(s.createBundle());
            assertEquals(22L, rollout.getJsonObject("counts").getLong("SUCCEEDED"), rollout.getJsonObject("counts").encode());
            assertTrue(rollout.getJsonArray("waves").size() >= 4, "canary, then growing waves");
            for (String id : s.deviceIds()) {
                JsonObject d = s.api().get("/api/v1/devices/" + id);
                assertEquals(sha, d.getJsonObject("installed").getString("modelSha256"), d.encode());
            }

            // images from the real agents (real-1 on TFLite, real-2 pinned to ONNX Runtime: the bundle
            // carries both model files), and their telemetry
            s.startGeneration();
            Map<String, String> engines = Map.of("real-1", "tflite", "real-2", "onnx");
            for (String id : s.realIds()) {
                GeneratedImage img = s.awaitImage(id);
                assertEquals(engines.get(id), img.getRecord().getEngine(), id + ": " + img.getRecord());
                assertEquals(engines.get(id), s.api().get("/api/v1/devices/" + id).getString("engine"), id);
                byte[] png = img.getPng().toByteArray();
                assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4), id + " sent a PNG");
                assertEquals(32, img.getWidth());
                assertEquals(32, img.getHeight());
                assertTrue(img.getRecord().getTotalMillis() > 0);
            }
            JsonObject realLatency = s.awaitSamples("real-1", 3);
            assertTrue(realLatency.getJsonObject("window").getDouble("p95Ms") > 0, realLatency.encode());
            assertTrue(s.api().get("/api/v1/devices/real-1").getJsonObject("telemetry").getLong("received") >= 3);

            // targets at twice each device's p95 (over 12 generations: fewer make a noisy p95 on a
            // busy machine); then four simulated devices get 20x slower: the retuner moves them to
            // cheaper schedules
            Map<String, Double> targets = s.setTargets(12);
            Instant slowedAt = Instant.now();
            // 20x: on a loaded machine the measured p95 (hence the target) is inflated by CPU
            // starvation that a slow-down of the simulated compute alone does not scale; 6x was not
            // always enough to cross a target set on such a p95
            s.slowDown(SLOWED, 20);
            Map<String, JsonObject> down = s.awaitDecisions(SLOWED, "DOWNGRADE", slowedAt);
            for (Map.Entry<String, JsonObject> e : down.entrySet()) {
                JsonObject d = e.getValue();
                long fromMacs = catalog(s).get(d.getString("from")).getLong("macsPerImage");
                long toMacs = catalog(s).get(d.getString("to")).getLong("macsPerImage");
                assertTrue(toMacs < fromMacs, e.getKey() + " moved to a cheaper schedule: " + d.encode());
                double target = targets.get(e.getKey());
                assertEquals(target, d.getDouble("targetMs"), d.encode());
                assertTrue(d.getString("reason").contains("exceeds the " + target + " ms target"), d.encode());
                assertTrue(d.getDouble("observedP95Ms") > target, d.encode());
            }

            // recovered: they move back to better (more expensive) schedules
            Instant recoveredAt = Instant.now();
            s.recover(SLOWED);
            Map<String, JsonObject> up = s.awaitDecisions(SLOWED, "UPGRADE", recoveredAt);
            for (Map.Entry<String, JsonObject> e : up.entrySet()) {
                JsonObject d = e.getValue();
                long fromMacs = catalog(s).get(d.getString("from")).getLong("macsPerImage");
                long toMacs = catalog(s).get(d.getString("to")).getLong("macsPerImage");
                assertTrue(toMacs > fromMacs, e.getKey() + " moved back up: " + d.encode());
                // the retuner judges the schedule the device reports running: a cheaper one than before
                // the slow-down (the first downgrade's target, or a later, still cheaper step: the
                // catalog has schedules at K = 4..20, so a slow-down may take more than one step)
                long beforeMacs = catalog(s).get(down.get(e.getKey()).getString("from")).getLong("macsPerImage");
                assertTrue(fromMacs <= catalog(s).get(down.get(e.getKey()).getString("to")).getLong("macsPerImage")
                        && fromMacs < beforeMacs, e.getKey() + " upgraded from the cheaper schedule it ran: " + d.encode()
                        + " after " + down.get(e.getKey()).encode());
                assertTrue(d.getString("reason").contains("better quality"), d.encode());
            }
            System.out.printf("e2e: whole loop on %s took %.1f s (%d images, %d errors)%n", c.mqttUrl(),
                    (System.nanoTime() - started) / 1e9, s.load().images(), s.load().errors());
        } finally {
            result(c.stop());
            result(vertx.close());
        }
    }

    private static Map<String, JsonObject> catalog(FleetScenario s) {
        return s.catalog();
    }

}
