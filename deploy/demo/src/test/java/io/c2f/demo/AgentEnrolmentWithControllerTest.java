package io.c2f.demo;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.agent.bundle.BundleOpenException;
import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.core.EdgeAgent;
import io.c2f.agent.engine.ModelEngine;
import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.metrics.NoopControllerMetrics;
import io.c2f.controller.testing.Ports;
import io.c2f.proto.bundle.Ed25519Keys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent against the real controller and its embedded broker: a device with only a token
 * stays pending across a restart (one claim), a second device claiming its id is refused and
 * changes nothing, the operator accepts it through the API and it comes online as itself, and a
 * decommission closes its session and its credential no longer works.
 */
@Timeout(180)
class AgentEnrolmentWithControllerTest {
    private static final String DEVICE = "cam-1";
    private static final ModelEngine NO_MODEL = slot -> {
        throw new BundleOpenException("no model in this test");
    };

    @TempDir
    Path dir;

    private EdgeAgent agent(Controller c, Path state, Path tokenFile, PublicKey key) throws Exception {
        Properties p = new Properties();
        p.setProperty("c2f.fleet", "enrol");
        p.setProperty("c2f.device.id", DEVICE);
        p.setProperty("c2f.broker.url", c.mqttUrl());
        p.setProperty("c2f.state.dir", state.toString());
        p.setProperty("c2f.enrol.token-file", tokenFile.toString());
        return new EdgeAgent(AgentConfig.from(p, dir), NO_MODEL, key, Clock.systemUTC());
    }

    private static JsonArray enrolments(ApiClient api, String status) {
        return api.get("/api/v1/enrolments?status=" + status).getJsonArray("enrolments");
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited 30 s for " + what);
            Thread.sleep(100);
        }
    }

    @Test
    void aPendingDeviceSurvivesARestartAndAnImpostorIsAcceptedThroughTheApiAndDecommissioned() throws Exception {
        DemoSecrets secrets = DemoSecrets.generate(dir.resolve("secrets"));
        Vertx vertx = Vertx.vertx();
        Controller c = result(Controller.start(vertx, ConfigLoader.fromMap(Map.of("fleet", "enrol", "instance.id", "ctl",
                "http.host", "127.0.0.1", "http.port", "0", "data.dir", dir.resolve("data").toString(),
                "broker.port", Integer.toString(Ports.freePort()), "api.tokens.file", secrets.apiTokensFile().toString())),
                new NoopControllerMetrics(), Controller.Options.defaults()));
        try (ApiClient api = new ApiClient(vertx, "127.0.0.1", c.httpPort(), secrets.adminToken())) {
            JsonObject token = api.post("/api/v1/enrolment-tokens", new JsonObject().put("id", "lab"), 201);
            Path tokenFile = secrets.keepEnrolmentToken("lab", token.getString("token"));
            PublicKey key = Ed25519Keys.generate().getPublic();
            Path state = dir.resolve("cam-1");

            try (EdgeAgent first = agent(c, state, tokenFile, key)) {
                first.start();
                await("cam-1 pending", () -> enrolments(api, "pending").size() == 1);
            }
            String requestId = enrolments(api, "pending").getJsonObject(0).getString("requestId");
            String stored = Files.readString(state.resolve("enrolment.properties"));
            try (EdgeAgent restarted = agent(c, state, tokenFile, key)) {
                restarted.start();
                Thread.sleep(1500);
                JsonArray pending = enrolments(api, "pending");
                assertEquals(1, pending.size(), pending.encode());
                assertEquals(requestId, pending.getJsonObject(0).getString("requestId"), "one claim, not two");

                // an impostor claims the same id with a credential of its own while cam-1 is connected and
                // pending: the broker refuses its bootstrap login (that client id is connected), so it can
                // neither take cam-1's connection over nor file a second claim; it only keeps retrying
                try (EdgeAgent impostor = agent(c, dir.resolve("impostor"), tokenFile, key)) {
                    impostor.start();
                    assertThrows(TimeoutException.class, () -> impostor.enrolled().get(8, TimeUnit.SECONDS));
                }
                assertEquals(stored, Files.readString(state.resolve("enrolment.properties")), "cam-1's credential stays");
                assertEquals(requestId, enrolments(api, "pending").getJsonObject(0).getString("requestId"));
                assertFalse(restarted.enrolled().isDone(), "the impostor's rejection is not cam-1's");

                api.post("/api/v1/enrolments/" + DEVICE + "/accept", new JsonObject(), 200);
                restarted.enrolled().get(30, TimeUnit.SECONDS);
                await("cam-1 online as itself", restarted::isOnline);
                assertTrue(Files.readString(state.resolve("enrolment.properties")).contains("status=ACCEPTED"));

                api.post("/api/v1/devices/" + DEVICE + "/decommission", new JsonObject().put("reason", "sold"), 200);
                await("cam-1's session closed", () -> !restarted.isOnline());
                Thread.sleep(3000);
                assertFalse(restarted.isOnline(), "its credential no longer works");
            }
        } finally {
            result(c.stop());
            result(vertx.close());
        }
    }
}
