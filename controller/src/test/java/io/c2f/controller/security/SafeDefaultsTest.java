package io.c2f.controller.security;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.auth.ApiTokens;
import io.c2f.controller.auth.Role;
import io.c2f.controller.broker.DeviceCredentials;
import io.c2f.controller.config.ConfigException;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.controller.testing.Ports;
import io.c2f.proto.testing.RawMqttClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13, finding 4: {@code java -jar c2f-controller.jar} served an open API on every interface
 * and a broker that let anyone in. Now every listener is loopback unless configured, a listener
 * other machines can reach refuses to start without API tokens or device credentials (saying what
 * to set), and the embedded broker refuses anonymous devices unless told otherwise. Each test
 * starts a real controller (or tries to) and talks to it over real HTTP and MQTT (logins checked
 * with {@link RawMqttClient}, a client of the test's own).
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
class SafeDefaultsTest {
    private static final String READER = "reader-token-for-safe-defaults";
    private static final String ADMIN = "admin-token-for-safe-defaults";

    @TempDir
    Path dir;

    /** What a test needs to run beside others: its own ports and data; everything else default. */
    private Map<String, String> config(String... keyValues) {
        Map<String, String> m = new HashMap<>(Map.of("fleet", "lab", "http.port", "0",
                "data.dir", dir.resolve("data").toString(), "broker.port", Integer.toString(Ports.freePort())));
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private Path tokenFile() throws IOException {
        return Files.writeString(dir.resolve("tokens.properties"), "grafana = " + ApiTokens.entry(Role.READ_ONLY, READER)
                + "\nops = " + ApiTokens.entry(Role.ADMIN, ADMIN) + "\n");
    }

    private Path deviceCredentials() throws IOException {
        return Files.writeString(dir.resolve("devices.properties"),
                "dev-a=" + DeviceCredentials.hash("pw-a".toCharArray()) + "\n");
    }

    private static ConfigException refused(Vertx vertx, Map<String, String> values) {
        return assertThrows(ConfigException.class,
                () -> result(Controller.start(vertx, ConfigLoader.fromMap(values), ControllerMetrics.NOOP)));
    }

    @Test
    void defaultsKeepEveryListenerOnLoopbackAndLetNoAnonymousDeviceIn(Vertx vertx) throws Exception {
        ControllerConfig defaults = ConfigLoader.load(new String[0], Map.of());
        assertEquals("127.0.0.1", defaults.httpHost());
        assertEquals("127.0.0.1", defaults.brokerHost());
        assertFalse(defaults.brokerAllowAnonymous(), "the embedded broker refuses anonymous clients by default");
        assertEquals("", defaults.apiTokensFile());

        Controller c = result(Controller.start(vertx, ConfigLoader.fromMap(config()), ControllerMetrics.NOOP));
        WebClient http = WebClient.create(vertx);
        try {
            assertEquals(200, result(http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices").send()).statusCode(),
                    "on loopback the API may stay open (development)");
            int brokerPort = Integer.parseInt(c.mqttUrl().substring(c.mqttUrl().lastIndexOf(':') + 1));
            Optional<InetAddress> lan = lanAddress();
            if (lan.isPresent()) {
                assertFalse(accepts(lan.get(), c.httpPort()), "HTTP is not on " + lan.get());
                assertFalse(accepts(lan.get(), brokerPort), "MQTT is not on " + lan.get());
            }
            assertRefused(connectRaw(c.mqttUrl(), "dev-x", null, null), "an anonymous CONNECT");
            assertRefused(connectRaw(c.mqttUrl(), "dev-x", "dev-x", "any"), "an unknown device");
        } finally {
            http.close();
            result(c.stop());
        }
    }

    @Test
    void devicesLogInWithTheirCredentialsWhileTheControllerUsesALoginOfItsOwn(Vertx vertx) throws Exception {
        Controller c = result(Controller.start(vertx, ConfigLoader.fromMap(config(
                "broker.credentials.file", deviceCredentials().toString())), ControllerMetrics.NOOP));
        WebClient http = WebClient.create(vertx);
        try (FakeDevice device = new FakeDevice(c.mqttUrl(), "lab", "dev-a", "dev-a", "pw-a")) {
            // made up at start, never configured: nobody can know it
            assertEquals("c2f-controller", c.config().mqttUsername());
            assertTrue(c.config().mqttPassword().length() >= 40, "a long random password");
            assertRefused(connectRaw(c.mqttUrl(), "x", "c2f-controller", "c2f-controller"), "a guessed admin login");
            assertRefused(connectRaw(c.mqttUrl(), "x", "c2f-controller", ""), "the admin with an empty password");
            assertRefused(connectRaw(c.mqttUrl(), "dev-a", "dev-a", "pw-b"), "a wrong device password");
            assertEquals(0, connectRaw(c.mqttUrl(), "dev-a", "dev-a", "pw-a"), "the raw client itself can log in");

            device.connect(1);
            device.birth();
            // the birth reached the registry: the controller is logged in and subscribed
            JsonObject d = until(() -> http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices/dev-a").send()
                    .map(r -> r.statusCode() == 200 ? r.bodyAsJsonObject() : null), j -> j != null,
                    Duration.ofSeconds(15), "dev-a registered");
            assertEquals("ONLINE", d.getString("status"), d.encode());
        } finally {
            http.close();
            result(c.stop());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::"})
    void anApiOnEveryInterfaceWithoutTokensRefusesToStart(String host, Vertx vertx) throws Exception {
        Map<String, String> values = config("http.host", host);
        ConfigException e = refused(vertx, values);
        assertTrue(e.getMessage().contains("http.host '" + host + "' listens on every network interface"), e.getMessage());
        assertTrue(e.getMessage().contains("set api.tokens.file (environment C2F_API_TOKENS_FILE)"), e.getMessage());
        assertTrue(e.getMessage().contains("README.md, 'Running the controller safely on a network'"), e.getMessage());
        assertFalse(accepts(InetAddress.getLoopbackAddress(), Integer.parseInt(values.get("broker.port"))),
                "refused before anything listens: not even the broker was started");
    }

    @Test
    void anApiOnALanAddressWithoutTokensRefusesToStart(Vertx vertx) throws Exception {
        Optional<InetAddress> lan = lanAddress();
        Assumptions.assumeTrue(lan.isPresent(), "this machine has no non-loopback address");
        String host = lan.get().getHostAddress();
        ConfigException e = refused(vertx, config("http.host", host));
        assertTrue(e.getMessage().contains("http.host '" + host + "' listens on [" + host + "]"), e.getMessage());
        assertTrue(e.getMessage().contains("api.tokens.file"), e.getMessage());
    }

    @Test
    void anApiOnEveryInterfaceWithTokensStartsAndAnswersOnlyWithAToken(Vertx vertx) throws Exception {
        Controller c = result(Controller.start(vertx, ConfigLoader.fromMap(config("http.host", "0.0.0.0",
                "api.tokens.file", tokenFile().toString())), ControllerMetrics.NOOP));
        WebClient http = WebClient.create(vertx);
        try {
            assertEquals(401, result(http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices").send()).statusCode());
            assertEquals(200, result(http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices").bearerTokenAuthentication(READER)
                    .send()).statusCode());
            assertEquals(403, result(http.post(c.httpPort(), "127.0.0.1", "/api/v1/rollouts")
                    .bearerTokenAuthentication(READER).sendJsonObject(new JsonObject())).statusCode(),
                    "a read-only token changes nothing");
        } finally {
            http.close();
            result(c.stop());
        }
    }

    @Test
    void aBrokerOnEveryInterfaceWithoutDeviceCredentialsRefusesToStart(Vertx vertx) throws Exception {
        String anonymous = refused(vertx, config("broker.host", "0.0.0.0", "broker.allow.anonymous", "true",
                "broker.credentials.file", deviceCredentials().toString())).getMessage();
        assertTrue(anonymous.contains("broker.host '0.0.0.0' listens on every network interface"), anonymous);
        assertTrue(anonymous.contains("set broker.allow.anonymous=false, or broker.host=127.0.0.1"), anonymous);

        String both = refused(vertx, config("broker.host", "0.0.0.0", "broker.allow.anonymous", "true",
                "http.host", "0.0.0.0")).getMessage();
        assertTrue(both.contains("http.host") && both.contains("broker.host"), "every problem at once: " + both);
    }

    @Test
    void aBrokerOnEveryInterfaceWithoutACredentialsFileStartsForEnrolledDevicesOnlyAndRefusesAnonymousOnes(Vertx vertx)
            throws Exception {
        // devices enrol through tokens (issue 17): no credentials file is needed, and nobody gets in unchecked
        Controller c = result(Controller.start(vertx, ConfigLoader.fromMap(config("broker.host", "0.0.0.0")),
                ControllerMetrics.NOOP));
        try {
            assertRefused(connectRaw(c.mqttUrl(), "dev-x", null, null), "an anonymous CONNECT");
            assertRefused(connectRaw(c.mqttUrl(), "dev-a", "dev-a", "pw-a"), "a device nobody enrolled");
        } finally {
            result(c.stop());
        }
    }

    @Test
    void aBrokerOnEveryInterfaceWithDeviceCredentialsStartsAndRefusesAnonymousDevices(Vertx vertx) throws Exception {
        Controller c = result(Controller.start(vertx, ConfigLoader.fromMap(config("broker.host", "0.0.0.0",
                "broker.credentials.file", deviceCredentials().toString())), ControllerMetrics.NOOP));
        try {
            assertRefused(connectRaw(c.mqttUrl(), "dev-x", null, null), "an anonymous CONNECT");
            assertEquals(0, connectRaw(c.mqttUrl(), "dev-a", "dev-a", "pw-a"), "a device with its password");
        } finally {
            result(c.stop());
        }
    }

    @Test
    void tokenFilesAndControllerLoginsThatWouldLeaveADoorOpenAreConfigErrors(Vertx vertx) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.properties"), "# nobody yet\n");
        String e = refused(vertx, config("api.tokens.file", empty.toString())).getMessage();
        assertTrue(e.contains("api.tokens.file " + empty + " holds no tokens"), e);

        Path clearText = Files.writeString(dir.resolve("clear.properties"), "ops = my-secret-token\n");
        e = refused(vertx, config("api.tokens.file", clearText.toString())).getMessage();
        assertTrue(e.contains("token 'ops' must be role:sha256hex"), e);
        assertFalse(e.contains("my-secret-token"), "a token pasted in clear is not echoed: " + e);

        // the embedded broker would let anyone in as the controller with an empty password
        e = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(config("mqtt.username", "admin")))
                .getMessage();
        assertTrue(e.contains("mqtt.username is set but mqtt.password is empty"), e);
    }

    @Test
    void theCommandLineSaysWhichKeysToSet() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.c2f.controller.ControllerMain", "--http.host=0.0.0.0",
                "--http.port=0", "--broker.port=" + Ports.freePort(), "--data.dir=" + dir.resolve("cli"))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the controller exits instead of starting");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("c2f-controller: configuration error: refusing to start: http.host '0.0.0.0' listens "
                + "on every network interface but no API tokens are configured"), out);
        assertTrue(out.contains("set api.tokens.file (environment C2F_API_TOKENS_FILE)"), out);
    }

    /**
     * The CONNACK return code the broker gives a CONNECT from a client of the test's own (not the
     * product's), with these credentials (null: none); a refused client must also be disconnected.
     */
    private static int connectRaw(String mqttUrl, String clientId, String username, String password)
            throws IOException {
        URI broker = URI.create(mqttUrl);
        int[] returnCode = new int[1];
        try (RawMqttClient client = RawMqttClient.connect(broker.getHost(), broker.getPort(),
                RawMqttClient.Connect.as(clientId, username, password), returnCode)) {
            if (returnCode[0] != 0) {
                assertTrue(client.awaitClosed(Duration.ofSeconds(5)), "a refused client is disconnected");
            }
            return returnCode[0];
        }
    }

    /** The broker answered "bad user name or password" or "not authorized". */
    private static void assertRefused(int connack, String what) {
        assertTrue(connack == RawMqttClient.BAD_CREDENTIALS || connack == RawMqttClient.NOT_AUTHORIZED,
                what + " is refused at CONNECT, got return code " + connack);
    }

    /** An IPv4 address of this machine that is not loopback, if it has one. */
    private static Optional<InetAddress> lanAddress() throws IOException {
        for (NetworkInterface n : NetworkInterface.networkInterfaces().toList()) {
            if (n.isUp() && !n.isLoopback()) {
                Optional<InetAddress> a = n.inetAddresses().filter(x -> x instanceof Inet4Address).findFirst();
                if (a.isPresent()) {
                    return a;
                }
            }
        }
        return Optional.empty();
    }

    private static boolean accepts(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
