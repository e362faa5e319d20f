package io.c2f.controller.tls;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static io.c2f.controller.testing.Ports.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.broker.DeviceCredentials;
import io.c2f.controller.config.ConfigException;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.testing.FakeDevice;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker with only a TLS listener and the HTTP API over HTTPS, from a self-signed key
 * pair made by the JDK's keytool at test time: a device that trusts the certificate connects over
 * {@code ssl://} and publishes under its own id, a plain MQTT connection to the TLS port fails, and
 * the device is seen over HTTPS.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class TlsEndToEndTest {
    private static final String PASSWORD = "test-secret";
    @TempDir
    Path dir;

    /** A start on the shared, loaded build machine can take longer than Await's default. */
    private static Controller started(io.vertx.core.Future<Controller> start) throws Exception {
        return start.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool finished");
        assertEquals(0, p.exitValue(), "keytool " + String.join(" ", args) + ": " + out);
    }

    /** server.p12 (key + self-signed certificate for 127.0.0.1 and localhost) and trust.p12 (the certificate). */
    private void makeKeys() throws Exception {
        keytool("-genkeypair", "-alias", "c2f", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", dir.resolve("server.p12").toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "c2f", "-keystore", dir.resolve("server.p12").toString(),
                "-storepass", PASSWORD, "-file", dir.resolve("server.pem").toString());
        keytool("-importcert", "-noprompt", "-alias", "c2f", "-file", dir.resolve("server.pem").toString(),
                "-storetype", "PKCS12", "-keystore", dir.resolve("trust.p12").toString(), "-storepass", PASSWORD);
    }

    private SSLContext trusting() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("trust.p12"))) {
            trust.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    void devicesAndOperatorsTalkTls(Vertx vertx) throws Exception {
        makeKeys();
        Path credentials = dir.resolve("devices.properties");
        Files.writeString(credentials, "dev-a=" + DeviceCredentials.hash("pw-a".toCharArray()) + "\n");
        int tlsPort = freePort();
        Map<String, String> values = new HashMap<>();
        values.put("fleet", "lab");
        values.put("instance.id", "ctl-tls");
        values.put("http.host", "127.0.0.1");
        values.put("http.port", "0");
        values.put("data.dir", dir.resolve("data").toString());
        values.put("broker.port", Integer.toString(freePort()));
        values.put("broker.tls.port", Integer.toString(tlsPort));
        values.put("broker.tls.keystore", dir.resolve("server.p12").toString());
        values.put("broker.tls.keystore.password", PASSWORD);
        values.put("broker.plain.enabled", "false");
        values.put("broker.allow.anonymous", "false");
        values.put("broker.credentials.file", credentials.toString());
        values.put("mqtt.username", "c2f-admin");
        values.put("mqtt.password", "admin-secret");
        values.put("mqtt.tls.truststore", dir.resolve("trust.p12").toString());
        values.put("mqtt.tls.truststore.password", PASSWORD);
        values.put("http.tls.keystore", dir.resolve("server.p12").toString());
        values.put("http.tls.keystore.password", PASSWORD);
        ControllerConfig config = ConfigLoader.fromMap(values);

        Controller c = started(Controller.start(vertx, config, ControllerMetrics.NOOP));
        WebClient https = WebClient.create(vertx, new WebClientOptions().setSsl(true).setVerifyHost(true)
                .setTrustOptions(new KeyStoreOptions().setType("pkcs12").setPath(dir.resolve("trust.p12").toString())
                        .setPassword(PASSWORD)));
        try {
            assertEquals("ssl://127.0.0.1:" + tlsPort, c.mqttUrl(), "the controller itself comes in over TLS");
            String tlsUrl = c.mqttUrl();
            // (a) a device that trusts the certificate connects over ssl:// and publishes under its own id
            try (FakeDevice dev = new FakeDevice(tlsUrl, "lab", "dev-a", "dev-a", "pw-a")
                    .withSocketFactory(trusting().getSocketFactory());
                 FakeDevice untrusting = new FakeDevice(tlsUrl, "lab", "dev-a", "dev-a", "pw-a");
                 FakeDevice plain = new FakeDevice("tcp://127.0.0.1:" + tlsPort, "lab", "dev-a", "dev-a", "pw-a");
                 FakeDevice plainPort = new FakeDevice("tcp://127.0.0.1:" + config.brokerPort(), "lab", "dev-a",
                         "dev-a", "pw-a")) {
                dev.connect(1);
                dev.birth();
                // (c) HTTPS with the trusted certificate
                JsonObject d = until(() -> https.get(c.httpPort(), "127.0.0.1", "/api/v1/devices/dev-a").send()
                                .map(r -> r.statusCode() == 200 ? r.bodyAsJsonObject() : new JsonObject()),
                        j -> "ONLINE".equals(j.getString("status")), Duration.ofSeconds(15), "dev-a online over TLS");
                assertEquals(1L, d.getLong("bdSeq"));
                // (b) plain MQTT to the TLS port, TLS without trusting the certificate, and the disabled plain port
                assertThrows(MqttException.class, () -> plain.connect(1), "plain text to the TLS port");
                assertThrows(MqttException.class, () -> untrusting.connect(1), "unknown certificate");
                assertThrows(MqttException.class, () -> plainPort.connect(1), "plain listener off");
            }
            // plain HTTP to the HTTPS port gets no answer
            WebClient http = WebClient.create(vertx);
            try {
                assertTrue(http.get(c.httpPort(), "127.0.0.1", "/healthz").send()
                        .toCompletionStage().toCompletableFuture().handle((r, e) -> e != null || r.statusCode() >= 400)
                        .get(20, TimeUnit.SECONDS), "plain HTTP refused");
            } finally {
                http.close();
            }
        } finally {
            https.close();
            result(c.stop());
        }
    }

    @Test
    void misconfiguredTlsIsAClearError(Vertx vertx) throws Exception {
        makeKeys();
        String ks = dir.resolve("server.p12").toString();
        Map<String, String> base = Map.of("data.dir", dir.toString(), "broker.tls.port", "8883");
        ConfigException noKeystore = assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(base));
        assertTrue(noKeystore.getMessage().contains("broker.tls.keystore"), noKeystore.getMessage());
        Map<String, String> noPassword = new HashMap<>(base);
        noPassword.put("broker.tls.keystore", ks);
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(noPassword)).getMessage()
                .contains("broker.tls.keystore.password"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(Map.of("data.dir", dir.toString(),
                "broker.plain.enabled", "false"))).getMessage().contains("no listener"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.fromMap(Map.of("data.dir", dir.toString(),
                "http.tls.cert", dir.resolve("server.pem").toString()))).getMessage().contains("go together"));
        Map<String, String> wrongPassword = new HashMap<>(noPassword);
        wrongPassword.put("broker.tls.keystore.password", "nope");
        wrongPassword.put("broker.port", Integer.toString(freePort()));
        wrongPassword.put("broker.tls.port", Integer.toString(freePort()));
        wrongPassword.put("mqtt.username", "c2f-admin"); // the broker's admin, as the controller passes it
        wrongPassword.put("mqtt.password", "admin-secret");
        ControllerConfig bad = ConfigLoader.fromMap(wrongPassword);
        ConfigException e = assertThrows(ConfigException.class,
                () -> io.c2f.controller.testing.Await.result(io.c2f.controller.broker.EmbeddedBroker.start(vertx, bad)));
        assertTrue(e.getMessage().contains("cannot be opened"), e.getMessage());
        // toString never shows the passwords
        assertTrue(!bad.toString().contains("nope"), bad.toString());
    }
}
