package io.c2f.controller.enrol;

import static io.c2f.controller.enrol.EnrolmentClient.ask;
import static io.c2f.controller.enrol.EnrolmentClient.bootstrap;
import static io.c2f.controller.enrol.EnrolmentClient.credential;
import static io.c2f.controller.enrol.EnrolmentClient.request;
import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.TestControllers.ADMIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigException;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.retune.RetuneSettings;
import io.c2f.controller.rollout.RolloutSettings;
import io.c2f.controller.testing.Ports;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.testing.RawMqttClient;
import io.c2f.proto.testing.RawMqttClient.Connect;
import io.c2f.proto.v1.EnrolmentStatus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker keeps nothing on disk: after a controller restart, enrolled devices still log
 * in with their own credentials, usable tokens still admit bootstrap logins and revoked ones do not,
 * because the controller gives the broker its stored state before it admits devices.
 */
@Timeout(180)
class EnrolmentRestartTest {
    @TempDir
    Path dir;

    @Test
    void enrolledDevicesAndTokensSurviveARestart() throws Exception {
        Path empty = Files.writeString(dir.resolve("devices.properties"), "# enrolled devices only\n");
        ControllerConfig config = ConfigLoader.fromMap(Map.of("fleet", EnrolmentClient.FLEET, "http.port", "0",
                "data.dir", dir.resolve("data").toString(), "broker.port", Integer.toString(Ports.freePort()),
                "broker.credentials.file", empty.toString()));
        String secret = credential();
        EnrolmentToken kept;
        EnrolmentToken revoked;
        Vertx vertx = Vertx.vertx();
        try {
            Controller c = start(vertx, config);
            WebClient http = WebClient.create(vertx);
            kept = create(c, http, new JsonObject().put("autoAccept", true));
            revoked = create(c, http, new JsonObject());
            int[] code = new int[1];
            try (RawMqttClient boot = bootstrap(URI.create(c.mqttUrl()), "cam-r1", kept, code)) {
                assertEquals(EnrolmentStatus.ENROLMENT_STATUS_ACCEPTED,
                        ask(boot, "cam-r1", request("cam-r1", kept, secret, b -> b)).getStatus());
            }
            assertEquals(200, result(http.delete(c.httpPort(), "127.0.0.1", "/api/v1/enrolment-tokens/"
                    + revoked.tokenId()).bearerTokenAuthentication(ADMIN).send()).statusCode());
            http.close();
            result(c.stop());

            Controller again = start(vertx, config);
            try {
                URI broker = URI.create(again.mqttUrl());
                int[] code2 = new int[1];
                RawMqttClient.connect(broker.getHost(), broker.getPort(), Connect.as("cam-r1", "cam-r1", secret), code2)
                        .close();
                assertEquals(0, code2[0], "the enrolled device logs in after the restart");
                bootstrap(broker, "cam-r2", kept, code2).close();
                assertEquals(0, code2[0], "a usable token still admits bootstrap logins");
                bootstrap(broker, "cam-r3", revoked, code2).close();
                assertEquals(RawMqttClient.BAD_CREDENTIALS, code2[0], "a revoked token stays refused");
                bootstrap(broker, "cam-r1", kept, code2).close();
                assertEquals(RawMqttClient.NOT_AUTHORIZED, code2[0], "the enrolled id stays taken");
            } finally {
                result(again.stop());
            }
        } finally {
            result(vertx.close());
        }
    }

    @Test
    void brokerEnrolmentIsCheckedAtStart() {
        ConfigException bad = assertThrows(ConfigException.class,
                () -> ConfigLoader.fromMap(Map.of("broker.enrolment", "emqx")));
        assertTrue(bad.getMessage().contains("broker.enrolment 'emqx' must be dynsec or none"), bad.getMessage());
        ConfigException embedded = assertThrows(ConfigException.class,
                () -> ConfigLoader.fromMap(Map.of("broker.enrolment", "dynsec")));
        assertTrue(embedded.getMessage().contains("set mqtt.url"), embedded.getMessage());
        assertEquals("dynsec", ConfigLoader.fromMap(Map.of("broker.enrolment", "dynsec", "mqtt.url",
                "tcp://broker:1883")).brokerEnrolment());
    }

    private static Controller start(Vertx vertx, ControllerConfig config) throws Exception {
        return result(Controller.start(vertx, config, ControllerMetrics.NOOP, new Controller.Options(
                TestControllers.adminAndReader(), RetuneSettings.defaults(), 1, RolloutSettings.defaults())));
    }

    private static EnrolmentToken create(Controller c, WebClient http, JsonObject body) throws Exception {
        var r = result(http.post(c.httpPort(), "127.0.0.1", "/api/v1/enrolment-tokens").bearerTokenAuthentication(ADMIN)
                .sendJsonObject(body));
        assertEquals(201, r.statusCode(), r.bodyAsString());
        return EnrolmentToken.parse(r.bodyAsJsonObject().getString("token"));
    }
}
