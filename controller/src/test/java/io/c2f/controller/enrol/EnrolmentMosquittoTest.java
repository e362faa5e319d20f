package io.c2f.controller.enrol;

import static io.c2f.controller.enrol.EnrolmentClient.ask;
import static io.c2f.controller.enrol.EnrolmentClient.bootstrap;
import static io.c2f.controller.enrol.EnrolmentClient.credential;
import static io.c2f.controller.enrol.EnrolmentClient.request;
import static io.c2f.controller.enrol.EnrolmentClient.topics;
import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.TestControllers.ADMIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.retune.RetuneSettings;
import io.c2f.controller.rollout.RolloutSettings;
import io.c2f.controller.testing.Await;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.ExampleMessages;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.proto.testing.RawMqttClient;
import io.c2f.proto.testing.RawMqttClient.Connect;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.EnrolmentAnswer;
import io.c2f.proto.v1.EnrolmentStatus;
import io.c2f.proto.v1.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enrolment on a real Mosquitto 2.0 with its dynamic security plugin, set up as deploy/mosquitto
 * says ({@code mosquitto_ctrl dynsec init} with the controller's login, {@code broker.enrolment=dynsec}),
 * attacked with raw MQTT clients: the same outcomes as on the embedded broker.
 */
@Timeout(240)
class EnrolmentMosquittoTest {
    private static final Path PLUGIN = Path.of("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so");
    private static final Path SETUP = Path.of("..", "deploy", "mosquitto", "dynsec-setup.sh");
    private static final String CONTROLLER_PASSWORD = "controller-password-for-dynsec";
    @TempDir
    Path dir;

    @Test
    void aTokenOnlyDeviceEnrolsOnMosquittoAndRevocationsTakeEffectAtOnce() throws Exception {
        Assumptions.assumeTrue(MosquittoBroker.available() && Files.exists(PLUGIN)
                && Files.isExecutable(Path.of("/usr/bin/mosquitto_ctrl")), "mosquitto with dynsec is not installed");
        Path mosq = Files.createDirectories(dir.resolve("mosquitto"));
        Path dynsec = mosq.resolve("dynamic-security.json");
        Process init = new ProcessBuilder("/usr/bin/mosquitto_ctrl", "dynsec", "init", dynsec.toString(),
                "c2f-controller", CONTROLLER_PASSWORD).redirectErrorStream(true).start();
        assertTrue(init.waitFor(30, TimeUnit.SECONDS) && init.exitValue() == 0,
                new String(init.getInputStream().readAllBytes()));
        // the broker drops to user mosquitto when started as root: it must be able to read and rewrite its file
        mosq.toFile().setWritable(true, false);
        mosq.toFile().setExecutable(true, false);
        dynsec.toFile().setReadable(true, false);
        dynsec.toFile().setWritable(true, false);
        dir.toFile().setExecutable(true, false);
        try (MosquittoBroker broker = MosquittoBroker.start(mosq, "allow_anonymous false\nplugin " + PLUGIN
                + "\nplugin_opt_config_file " + dynsec)) {
            // the shipped setup: the controller's login may publish on the fleet's topics
            URI at = URI.create(broker.uri());
            Process setup = new ProcessBuilder("sh", SETUP.toString(), EnrolmentClient.FLEET, "c2f-controller",
                    "-h", at.getHost(), "-p", Integer.toString(at.getPort()), "-u", "c2f-controller", "-P",
                    CONTROLLER_PASSWORD).redirectErrorStream(true).start();
            String out = new String(setup.getInputStream().readAllBytes());
            assertTrue(setup.waitFor(30, TimeUnit.SECONDS) && setup.exitValue() == 0, out);
            Vertx vertx = Vertx.vertx();
            Controller c = startOrDump(mosq, () -> result(Controller.start(vertx, ConfigLoader.fromMap(Map.of("fleet", EnrolmentClient.FLEET,
                    "http.port", "0", "data.dir", dir.resolve("data").toString(), "mqtt.url", broker.uri(),
                    "mqtt.username", "c2f-controller", "mqtt.password", CONTROLLER_PASSWORD,
                    "broker.enrolment", "dynsec")), ControllerMetrics.NOOP,
                    new Controller.Options(TestControllers.adminAndReader(), RetuneSettings.defaults(), 1,
                            RolloutSettings.defaults()))));
            WebClient http = WebClient.create(vertx);
            URI uri = URI.create(broker.uri());
            try {
                startOrDump(mosq, () -> {
                    run(c, http, uri);
                    return c;
                });
            } finally {
                http.close();
                result(c.stop());
                result(vertx.close());
            }
        }
    }

    private void run(Controller c, WebClient http, URI uri) throws Exception {
        EnrolmentToken token = create(c, http, new JsonObject().put("labels", new JsonObject().put("site", "lab")));
        String secret = credential();
        int[] code = new int[1];
        try (RawMqttClient boot = bootstrap(uri, "cam-m1", token, code)) {
            assertEquals(0, code[0], "a usable token logs in");
            assertEquals(EnrolmentStatus.ENROLMENT_STATUS_PENDING,
                    ask(boot, "cam-m1", request("cam-m1", token, secret, b -> b)).getStatus());
            // (under another client id: a CONNECT under a connected client id disturbs that session on Mosquitto)
            int[] early = new int[1];
            RawMqttClient.connect(uri.getHost(), uri.getPort(), Connect.as("cam-m1-probe", "cam-m1", secret), early)
                    .close();
            assertNotEquals(0, early[0], "its credential is not valid before acceptance");

            // what a bootstrap login publishes beyond its request reaches nobody (Mosquitto even closes its
            // connection): the spy's birth never registers it, checked below once a good birth did
            try (RawMqttClient spy = bootstrap(uri, "cam-spy", token, code)) {
                assertEquals(0, code[0]);
                Birth birth = ((Birth) ExampleMessages.of(Channel.BIRTH)).toBuilder().setDeviceId("cam-spy").build();
                spy.publish(topics().device("cam-spy", Channel.BIRTH), WireCodec.encode(Channel.BIRTH, birth), 1, false);
                spy.publishesWithin(Duration.ofSeconds(1));
            }
            assertEquals(0x80, boot.subscribe(topics().device("cam-m1", Channel.JOB_NOTIFY), 1));

            post(c, http, "/api/v1/enrolments/cam-m1/accept", new JsonObject(), 200);
            EnrolmentAnswer answer = EnrolmentClient.answer(boot, "cam-m1");
            assertEquals(EnrolmentStatus.ENROLMENT_STATUS_ACCEPTED, answer.getStatus());
            assertTrue(answer.getLabelsList().contains("site=lab"), answer.toString());
        }
        try (RawMqttClient device = RawMqttClient.open(uri.getHost(), uri.getPort())) {
            assertEquals(0, device.connect(Connect.as("cam-m1", "cam-m1", secret)), "accepted: its own login works");
            assertEquals(1, device.subscribe(topics().device("cam-m1", Channel.JOB_NOTIFY), 1));
            assertEquals(0x80, device.subscribe(topics().device("cam-other", Channel.JOB_NOTIFY), 1));
            Birth birth = ((Birth) ExampleMessages.of(Channel.BIRTH)).toBuilder().setDeviceId("cam-m1").build();
            int id = device.publish(topics().device("cam-m1", Channel.BIRTH), WireCodec.encode(Channel.BIRTH, birth), 1,
                    false);
            assertTrue(device.awaitPubAck(id, Duration.ofSeconds(10)));
            Await.until(() -> http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices/cam-m1")
                            .bearerTokenAuthentication(ADMIN).send().map(r -> r.statusCode()),
                    s -> s == 200, Duration.ofSeconds(20), "the enrolled device's birth registered it");
            assertEquals(404, result(http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices/cam-spy")
                    .bearerTokenAuthentication(ADMIN).send()).statusCode(), "the bootstrap login's birth was dropped");

            // enrolling under its id is refused, and bad messages change nothing
            try (RawMqttClient other = bootstrap(uri, "cam-m9", token, code)) {
                assertEquals(0, code[0]);
                EnrolmentAnswer taken = ask(other, "cam-m1", request("cam-m1", token, credential(), b -> b));
                assertEquals(EnrolmentStatus.ENROLMENT_STATUS_REJECTED, taken.getStatus());
                assertEquals("device_id", taken.getError().getField());
                EnrolmentAnswer badProof = ask(other, "cam-m9", request("cam-m9", token, credential(),
                        b -> b.setCredential(credential())));
                assertEquals(ErrorCode.ERROR_CODE_VERIFICATION_FAILED, badProof.getError().getCode());
            }
            assertFalse(result(http.get(c.httpPort(), "127.0.0.1", "/api/v1/enrolments")
                    .bearerTokenAuthentication(ADMIN).send()).bodyAsString().contains("cam-m9"),
                    "no enrolment stored for a bad request");

            post(c, http, "/api/v1/devices/cam-m1/decommission", new JsonObject().put("reason", "stolen"), 200);
            assertTrue(device.awaitClosed(Duration.ofSeconds(10)), "decommissioning closes its session at once");
        }
        assertNotEquals(0, connect(uri, "cam-m1", secret), "a decommissioned device's credential no longer works");

        // rejected: the bootstrap session is closed and the credential never works
        String secret2 = credential();
        try (RawMqttClient boot = bootstrap(uri, "cam-m2", token, code)) {
            ask(boot, "cam-m2", request("cam-m2", token, secret2, b -> b));
            post(c, http, "/api/v1/enrolments/cam-m2/reject", new JsonObject().put("reason", "unknown"), 200);
            assertEquals(EnrolmentStatus.ENROLMENT_STATUS_REJECTED, EnrolmentClient.answer(boot, "cam-m2").getStatus());
        }
        assertNotEquals(0, connect(uri, "cam-m2", secret2));

        // revoked: open sessions closed, logins refused; expired: refused once it expired
        try (RawMqttClient open = bootstrap(uri, "cam-m3", token, code)) {
            assertEquals(0, code[0]);
            assertEquals(200, result(http.delete(c.httpPort(), "127.0.0.1", "/api/v1/enrolment-tokens/"
                    + token.tokenId()).bearerTokenAuthentication(ADMIN).send()).statusCode());
            assertTrue(open.awaitClosed(Duration.ofSeconds(10)), "a revoked token's session is closed at once");
        }
        bootstrap(uri, "cam-m3", token, code).close();
        assertNotEquals(0, code[0], "a revoked token cannot connect");
        EnrolmentToken soon = create(c, http, new JsonObject().put("expiresAt",
                Instant.now().plusSeconds(3).toString()));
        bootstrap(uri, "cam-m4", soon, code).close();
        assertEquals(0, code[0], "usable before it expires");
        Thread.sleep(4500);
        bootstrap(uri, "cam-m4", soon, code).close();
        assertNotEquals(0, code[0], "an expired token cannot connect");
    }

    /** Runs a step; when it fails, the broker's log says why (dynsec refusals are logged there only). */
    private static Controller startOrDump(Path mosq, java.util.concurrent.Callable<Controller> start) throws Exception {
        try {
            return start.call();
        } catch (Exception e) {
            try (var logs = Files.list(mosq)) {
                for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                    System.err.println(Files.readString(log));
                }
            }
            throw e;
        }
    }

    private static int connect(URI uri, String deviceId, String password) throws Exception {
        int[] code = new int[1];
        RawMqttClient.connect(uri.getHost(), uri.getPort(), Connect.as(deviceId, deviceId, password), code).close();
        return code[0];
    }

    private static EnrolmentToken create(Controller c, WebClient http, JsonObject body) throws Exception {
        var r = result(http.post(c.httpPort(), "127.0.0.1", "/api/v1/enrolment-tokens").bearerTokenAuthentication(ADMIN)
                .sendJsonObject(body));
        assertEquals(201, r.statusCode(), r.bodyAsString());
        return EnrolmentToken.parse(r.bodyAsJsonObject().getString("token"));
    }

    private static void post(Controller c, WebClient http, String path, JsonObject body, int expected) throws Exception {
        var r = result(http.post(c.httpPort(), "127.0.0.1", path).bearerTokenAuthentication(ADMIN).sendJsonObject(body));
        assertEquals(expected, r.statusCode(), path + ": " + r.bodyAsString());
    }
}
