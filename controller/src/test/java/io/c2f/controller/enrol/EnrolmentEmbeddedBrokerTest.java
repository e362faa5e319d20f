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

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.c2f.controller.Controller;
import io.c2f.controller.broker.DeviceCredentials;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.retune.RetuneSettings;
import io.c2f.controller.rollout.RolloutSettings;
import io.c2f.controller.testing.Await;
import io.c2f.controller.testing.Ports;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.ExampleMessages;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.testing.RawMqttClient;
import io.c2f.proto.testing.RawMqttClient.Connect;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.EnrolmentAnswer;
import io.c2f.proto.v1.EnrolmentStatus;
import io.c2f.proto.v1.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Enrolment on the embedded broker, attacked from outside with raw MQTT clients and plain HTTP: a
 * device that holds only a token enrols, is accepted and logs in with its own credential; rejected,
 * revoked, expired, decommissioned and impostor devices get nothing more than the contract allows.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnrolmentEmbeddedBrokerTest {
    private static final String FILE_DEVICE = "cam-file";
    @TempDir
    static Path dir;
    private Vertx vertx;
    private Controller controller;
    private WebClient http;
    private URI broker;

    /** Every log event of the controller while the tests run: the event log, and no credential in it. */
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    void start() throws Exception {
        logs.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        Path credentials = Files.writeString(dir.resolve("devices.properties"),
                FILE_DEVICE + "=" + DeviceCredentials.hash("pw".toCharArray()) + "\n");
        vertx = Vertx.vertx();
        controller = result(Controller.start(vertx, ConfigLoader.fromMap(Map.of("fleet", EnrolmentClient.FLEET,
                "http.port", "0", "data.dir", dir.resolve("data").toString(),
                "broker.port", Integer.toString(Ports.freePort()), "broker.credentials.file", credentials.toString())),
                ControllerMetrics.NOOP, new Controller.Options(TestControllers.adminAndReader(), RetuneSettings.defaults(),
                        1, RolloutSettings.defaults())));
        http = WebClient.create(vertx);
        broker = URI.create(controller.mqttUrl());
    }

    @AfterAll
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        http.close();
        result(controller.stop());
        result(vertx.close());
    }

    private EnrolmentToken createToken(JsonObject body) throws Exception {
        var r = result(http.post(controller.httpPort(), "127.0.0.1", "/api/v1/enrolment-tokens")
                .bearerTokenAuthentication(ADMIN).sendJsonObject(body));
        assertEquals(201, r.statusCode(), r.bodyAsString());
        return EnrolmentToken.parse(r.bodyAsJsonObject().getString("token"));
    }

    private JsonObject post(String path, JsonObject body, int expected) throws Exception {
        var r = result(http.post(controller.httpPort(), "127.0.0.1", path).bearerTokenAuthentication(ADMIN)
                .sendJsonObject(body));
        assertEquals(expected, r.statusCode(), path + ": " + r.bodyAsString());
        return r.bodyAsJsonObject();
    }

    private JsonArray enrolments(String query) throws Exception {
        return result(http.get(controller.httpPort(), "127.0.0.1", "/api/v1/enrolments" + query)
                .bearerTokenAuthentication(TestControllers.READER).send()).bodyAsJsonObject().getJsonArray("enrolments");
    }

    private JsonObject enrolment(String deviceId) throws Exception {
        for (Object o : enrolments("")) {
            if (((JsonObject) o).getString("deviceId").equals(deviceId)) {
                return (JsonObject) o;
            }
        }
        return null;
    }

    private int connectAsDevice(String deviceId, String password) throws Exception {
        int[] code = new int[1];
        RawMqttClient.connect(broker.getHost(), broker.getPort(), Connect.as(deviceId, deviceId, password), code)
                .close();
        return code[0];
    }

    private long denied() {
        return controller.embeddedBroker().orElseThrow().deniedPublishes();
    }

    @Test
    void aDeviceWithOnlyATokenEnrolsIsAcceptedAndPublishesItsBirthUnderItsOwnCredential() throws Exception {
        EnrolmentToken token = createToken(new JsonObject().put("labels", new JsonObject().put("site", "lab")));
        String secret = credential();
        int[] code = new int[1];
        try (RawMqttClient boot = bootstrap(broker, "cam-001", token, code)) {
            assertEquals(0, code[0], "a usable token logs in");
            EnrolmentAnswer pending = ask(boot, "cam-001", request("cam-001", token, secret, b -> b));
            assertEquals(EnrolmentStatus.ENROLMENT_STATUS_PENDING, pending.getStatus(), pending.toString());
            assertEquals("pending", enrolment("cam-001").getString("status"));
            assertFalse(enrolment("cam-001").encode().contains(secret), "the API never shows the credential");
            assertEquals(RawMqttClient.BAD_CREDENTIALS, connectAsDevice("cam-001", secret), "not valid before acceptance");

            // the bootstrap login may do nothing but its own enrolment
            long before = denied();
            int id = boot.publish(topics().device("cam-001", Channel.BIRTH),
                    WireCodec.encode(Channel.BIRTH, ExampleMessages.of(Channel.BIRTH)), 1, false);
            assertTrue(boot.awaitPubAck(id, Duration.ofSeconds(5)));
            assertEquals(before + 1, denied(), "a bootstrap login's birth is dropped");
            assertEquals(0x80, boot.subscribe(topics().device("cam-001", Channel.JOB_NOTIFY), 1));

            JsonObject accepted = post("/api/v1/enrolments/cam-001/accept", new JsonObject(), 200);
            assertEquals("accepted", accepted.getString("status"));
            assertEquals(List.of("camera=usb", "site=lab"), accepted.getJsonArray("labels").getList());
            EnrolmentAnswer answer = EnrolmentClient.answer(boot, "cam-001");
            assertEquals(EnrolmentStatus.ENROLMENT_STATUS_ACCEPTED, answer.getStatus());
            assertEquals(List.of("camera=usb", "site=lab"), answer.getLabelsList());
        }
        // it reconnects under its own identity, without a broker restart, and its birth registers it
        try (RawMqttClient device = RawMqttClient.open(broker.getHost(), broker.getPort())) {
            assertEquals(0, device.connect(Connect.as("cam-001", "cam-001", secret)));
            Birth birth = ((Birth) ExampleMessages.of(Channel.BIRTH)).toBuilder().setDeviceId("cam-001").build();
            int id = device.publish(topics().device("cam-001", Channel.BIRTH), WireCodec.encode(Channel.BIRTH, birth), 1,
                    false);
            assertTrue(device.awaitPubAck(id, Duration.ofSeconds(10)));
            Await.until(() -> http.get(controller.httpPort(), "127.0.0.1", "/api/v1/devices/cam-001")
                            .bearerTokenAuthentication(ADMIN).send().map(r -> r.statusCode()),
                    s -> s == 200, Duration.ofSeconds(20), "the enrolled device's birth registered it");
        }
        // the token counted one use; the id is taken for bootstrap logins now
        JsonObject listed = result(http.get(controller.httpPort(), "127.0.0.1", "/api/v1/enrolment-tokens")
                .bearerTokenAuthentication(ADMIN).send()).bodyAsJsonObject().getJsonArray("tokens").stream()
                .map(o -> (JsonObject) o).filter(t -> t.getString("id").equals(token.tokenId())).findFirst().orElseThrow();
        assertEquals(1, listed.getInteger("uses"));
        int[] code2 = new int[1];
        bootstrap(broker, "cam-001", token, code2).close();
        assertEquals(RawMqttClient.NOT_AUTHORIZED, code2[0], "an enrolled id cannot be taken over with a token");

        List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        for (String step : List.of("event=enrolment.token.created token=" + token.tokenId(),
                "event=enrolment.requested device=cam-001", "event=enrolment.accepted device=cam-001")) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(step)), "event log has " + step);
        }
        assertFalse(lines.stream().anyMatch(l -> l.contains(secret) || l.contains(token.secret())),
                "neither the device's credential nor the token's secret is ever logged");
    }

    @Test
    void aRejectedDeviceIsDisconnectedAndItsCredentialNeverWorks() throws Exception {
        EnrolmentToken token = createToken(new JsonObject());
        String secret = credential();
        int[] code = new int[1];
        try (RawMqttClient boot = bootstrap(broker, "cam-rej", token, code)) {
            assertEquals(EnrolmentStatus.ENROLMENT_STATUS_PENDING,
                    ask(boot, "cam-rej", request("cam-rej", token, secret, b -> b)).getStatus());
            post("/api/v1/enrolments/cam-rej/reject", new JsonObject().put("reason", "not ours"), 200);
            EnrolmentAnswer rejected = EnrolmentClient.answer(boot, "cam-rej");
            assertEquals(EnrolmentStatus.ENROLMENT_STATUS_REJECTED, rejected.getStatus());
            assertTrue(rejected.getReason().contains("not ours"), rejected.getReason());
            assertTrue(boot.awaitClosed(Duration.ofSeconds(10)), "its bootstrap session is closed at once");
        }
        assertEquals(RawMqttClient.BAD_CREDENTIALS, connectAsDevice("cam-rej", secret));
        post("/api/v1/enrolments/cam-rej/accept", new JsonObject(), 409);
        assertEquals("rejected", enrolment("cam-rej").getString("status"));
    }

    @Test
    void revokedAndExpiredTokensCannotConnectAndRevocationClosesOpenSessions() throws Exception {
        EnrolmentToken token = createToken(new JsonObject());
        int[] code = new int[1];
        try (RawMqttClient open = bootstrap(broker, "cam-rev", token, code)) {
            assertEquals(0, code[0]);
            var r = result(http.delete(controller.httpPort(), "127.0.0.1", "/api/v1/enrolment-tokens/" + token.tokenId())
                    .bearerTokenAuthentication(ADMIN).send());
            assertEquals(200, r.statusCode(), r.bodyAsString());
            assertFalse(r.bodyAsJsonObject().getBoolean("usable"));
            assertTrue(open.awaitClosed(Duration.ofSeconds(10)), "the revoked token's open session is closed");
        }
        bootstrap(broker, "cam-rev", token, code).close();
        assertEquals(RawMqttClient.BAD_CREDENTIALS, code[0], "a revoked token is refused at CONNECT");

        EnrolmentToken expired = createToken(new JsonObject().put("expiresAt",
                Instant.now().minusSeconds(60).toString()));
        bootstrap(broker, "cam-exp", expired, code).close();
        assertEquals(RawMqttClient.BAD_CREDENTIALS, code[0], "an expired token is refused at CONNECT");

        EnrolmentToken wrongSecret = new EnrolmentToken(createToken(new JsonObject()).tokenId(), credential());
        bootstrap(broker, "cam-ws", wrongSecret, code).close();
        assertEquals(RawMqttClient.BAD_CREDENTIALS, code[0], "a token id with the wrong secret is refused");
    }

    @Test
    void aBootstrapLoginCanPublishNothingButItsOwnEnrolmentRequest() throws Exception {
        EnrolmentToken token = createToken(new JsonObject());
        int[] code = new int[1];
        try (RawMqttClient boot = bootstrap(broker, "cam-acl", token, code)) {
            assertEquals(0, code[0]);
            long before = denied();
            List<String> forbidden = List.of(topics().device("cam-acl", Channel.TELEMETRY),
                    topics().enrolmentRequest("cam-other"), topics().enrolmentAnswer("cam-acl"),
                    topics().device(FILE_DEVICE, Channel.BIRTH));
            for (String topic : forbidden) {
                int id = boot.publish(topic, new byte[] {1}, 1, false);
                assertTrue(boot.awaitPubAck(id, Duration.ofSeconds(5)));
            }
            int id = boot.publish(topics().enrolmentRequest("cam-acl"), new byte[] {1}, 1, true);
            assertTrue(boot.awaitPubAck(id, Duration.ofSeconds(5)));
            assertEquals(before + forbidden.size() + 1, denied(), "every publish but its own request is dropped, "
                    + "and it may not retain");
            assertEquals(0x80, boot.subscribe(topics().enrolmentAnswer("cam-other"), 1));
            assertEquals(0x80, boot.subscribe("c2f/v1/lab/#", 1));
        }
        // a token holder cannot log in under a device id of the credentials file, nor take over a connected device
        bootstrap(broker, FILE_DEVICE, token, code).close();
        assertEquals(RawMqttClient.NOT_AUTHORIZED, code[0]);
        bootstrap(broker, "enrol.x", token, code).close();
        assertEquals(2 /* identifier rejected */, code[0]);
    }

    @Test
    void aSecondBootstrapLoginCannotTakeOverAPendingDevicesConnection() throws Exception {
        EnrolmentToken token = createToken(new JsonObject());
        int[] code = new int[1];
        try (RawMqttClient first = bootstrap(broker, "cam-pending", token, code)) {
            assertEquals(0, code[0]);
            // the same token, the same client id: refused, and the first connection stays up
            bootstrap(broker, "cam-pending", token, code).close();
            assertEquals(2 /* identifier rejected */, code[0]);
            assertEquals(1, first.subscribe(topics().enrolmentAnswer("cam-pending"), 1),
                    "the pending device's connection was taken over");
        }
    }

    @Test
    void aDecommissionedDevicesSessionIsClosedAndItsCredentialNoLongerWorks() throws Exception {
        EnrolmentToken token = createToken(new JsonObject().put("autoAccept", true).put("maxUses", 1));
        String secret = credential();
        int[] code = new int[1];
        try (RawMqttClient boot = bootstrap(broker, "cam-dec", token, code);
                RawMqttClient device = RawMqttClient.open(broker.getHost(), broker.getPort())) {
            EnrolmentAnswer a = ask(boot, "cam-dec", request("cam-dec", token, secret, b -> b));
            assertEquals(EnrolmentStatus.ENROLMENT_STATUS_ACCEPTED, a.getStatus(), "auto-accept token: " + a);
            bootstrap(broker, "cam-dec2", token, code).close();
            assertEquals(RawMqttClient.BAD_CREDENTIALS, code[0], "a used-up token is refused at CONNECT");

            assertEquals(0, device.connect(Connect.as("cam-dec", "cam-dec", secret)));
            assertTrue(boot.awaitClosed(Duration.ofSeconds(10)), "the device's own login takes over its bootstrap one");
            post("/api/v1/devices/cam-dec/decommission", new JsonObject().put("reason", "stolen"), 200);
            assertTrue(device.awaitClosed(Duration.ofSeconds(10)), "its open session is closed at once");
        }
        assertEquals(RawMqttClient.BAD_CREDENTIALS, connectAsDevice("cam-dec", secret));
        assertEquals("decommissioned", enrolment("cam-dec").getString("status"));
        post("/api/v1/devices/cam-dec/decommission", new JsonObject().put("reason", "again"), 409);
        post("/api/v1/devices/nobody/decommission", new JsonObject().put("reason", "x"), 404);
    }

    @Test
    void badEnrolmentMessagesGetTypedErrorsAndChangeNothing() throws Exception {
        EnrolmentToken token = createToken(new JsonObject());
        EnrolmentToken other = createToken(new JsonObject());
        String secret = credential();
        int[] code = new int[1];
        try (RawMqttClient boot = bootstrap(broker, "cam-bad", token, code)) {
            assertEquals(0, code[0]);
            assertRefused(boot, request("cam-bad", token, secret, b -> b.setCredential(secret.substring(0, 20))),
                    ErrorCode.ERROR_CODE_INVALID_ARGUMENT, "credential");
            assertRefused(boot, request("cam-bad", token, secret, b -> b.setDeviceId("cam-else")),
                    ErrorCode.ERROR_CODE_INVALID_ARGUMENT, "device_id");
            assertRefused(boot, request("cam-bad", token, secret, b -> b.setTokenId("no-such-token")),
                    ErrorCode.ERROR_CODE_NOT_FOUND, "token_id");
            assertRefused(boot, request("cam-bad", token, secret, b -> b.setCredential(credential())),
                    ErrorCode.ERROR_CODE_VERIFICATION_FAILED, "token_proof");
            // the proof of another token the device does not hold: it cannot claim that token's labels
            assertRefused(boot, request("cam-bad", new EnrolmentToken(other.tokenId(), credential()), secret, b -> b),
                    ErrorCode.ERROR_CODE_VERIFICATION_FAILED, "token_proof");
            assertEquals(null, enrolment("cam-bad"), "no bad request stored anything");
            // under an id that is taken: a file device's
        }
        try (RawMqttClient first = bootstrap(broker, "cam-dup", token, code)) {
            assertEquals(EnrolmentStatus.ENROLMENT_STATUS_PENDING,
                    ask(first, "cam-dup", request("cam-dup", token, secret, b -> b)).getStatus());
            // another token's holder cannot take over the connected client id
            bootstrap(broker, "cam-dup", other, code).close();
            assertEquals(2 /* identifier rejected */, code[0]);
            assertTrue(first.ping(Duration.ofSeconds(5)), "the first connection is still there");
        }
        try (RawMqttClient second = bootstrap(broker, "cam-dup", other, code)) {
            assertEquals(0, code[0]);
            assertRefused(second, request("cam-dup", other, credential(), b -> b),
                    ErrorCode.ERROR_CODE_INVALID_ARGUMENT, "device_id");
        }
        assertEquals(token.tokenId(), enrolment("cam-dup").getString("tokenId"), "the first request stands");
    }

    private static void assertRefused(RawMqttClient boot, io.c2f.proto.v1.EnrolmentRequest request, ErrorCode code,
            String field) throws Exception {
        String deviceId = request.getDeviceId().equals("cam-else") ? "cam-bad" : request.getDeviceId();
        EnrolmentAnswer a = ask(boot, deviceId, request);
        assertEquals(EnrolmentStatus.ENROLMENT_STATUS_REJECTED, a.getStatus(), a.toString());
        assertEquals(code, a.getError().getCode(), a.toString());
        assertEquals(field, a.getError().getField(), a.toString());
        assertFalse(a.getReason().contains(request.getCredential()) && request.getCredential().length() > 8,
                "the answer never echoes the credential: " + a.getReason());
        assertNotEquals("", a.getError().getMessage());
    }
}
