package io.c2f.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.auth.ApiTokens;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.controller.testing.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's command line, its data directory rule (only a demo's own directory is emptied), and
 * the secrets it generates: owner-only files, and a controller that wants them.
 */
@ExtendWith(VertxExtension.class)
class DemoOptionsTest {
    @TempDir
    Path dir;

    @Test
    void parsesFlagsInBothForms() {
        DemoOptions o = DemoOptions.parse(new String[] {"--duration", "90s", "--http-port=0", "--devices", "5",
                "--real=0", "--agent-jar", "/x/agent.jar"});
        assertEquals(Duration.ofSeconds(90), o.duration());
        assertEquals(0, o.httpPort());
        assertEquals(5, o.simDevices());
        assertEquals(0, o.realAgents());
        assertEquals(Path.of("/x/agent.jar"), o.agentJar());
        assertNull(DemoOptions.parse(new String[0]).duration(), "no --duration: until Ctrl-C");
        assertEquals(Duration.ofMinutes(5), DemoOptions.duration("5m"));
        assertEquals(Duration.ofMillis(1500), DemoOptions.duration("1500ms"));
    }

    @Test
    void badFlagsSayWhatWasWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--nope", "1"}))
                .getMessage().contains("unknown option --nope"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--duration", "soon"}))
                .getMessage().contains("'soon' must look like 90s"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--devices", "0"}))
                .getMessage().contains("--devices '0' must be an integer in 1..1000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(new String[] {"--real"}))
                .getMessage().contains("--real needs a value"));
    }

    @Test
    void emptiesOnlyADemoDirectory() throws Exception {
        Path data = dir.resolve("demo-data");
        DemoMain.prepareDataDir(data);
        Files.writeString(data.resolve("old.log"), "x");
        DemoMain.prepareDataDir(data);
        assertTrue(Files.notExists(data.resolve("old.log")), "a previous demo's files are removed");
        assertTrue(Files.exists(data.resolve(".c2f-demo")));

        Path mine = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(mine.resolve("precious.txt"), "x");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoMain.prepareDataDir(mine)).getMessage()
                .contains("not a demo directory"));
        assertTrue(Files.exists(mine.resolve("precious.txt")));
    }

    private static String permissions(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void theGeneratedSecretsAreOwnerOnlyAndTheControllersFilesHoldOnlyHashes() throws Exception {
        Path data = DemoMain.prepareDataDir(dir.resolve("demo-data"));
        assumeTrue(Files.getFileStore(data).supportsFileAttributeView("posix"), "no POSIX permissions here");
        assertEquals("rwx------", permissions(data), "the data dir holds secrets and logs");
        DemoSecrets s = DemoSecrets.generate(data.resolve("secrets"));
        assertEquals("rwx------", permissions(s.dir()));
        s.keepEnrolmentToken("demo-sim", "demo-sim.an-enrolment-token-secret-as-the-api-shows-it");
        try (Stream<Path> files = Files.list(s.dir())) {
            List<Path> all = files.toList();
            assertEquals(4, all.size(), "2 tokens, their hashes, an enrolment token; no device password: " + all);
            for (Path f : all) {
                assertEquals("rw-------", permissions(f), f.toString());
            }
        }
        assertEquals(s.readToken() + "\n", Files.readString(s.readTokenFile()));
        String apiTokens = Files.readString(s.apiTokensFile());
        assertTrue(apiTokens.contains(ApiTokens.hash(s.adminToken())), apiTokens);
        assertFalse(apiTokens.contains(s.adminToken()) || apiTokens.contains(s.readToken()), "hashes only");
        assertFalse(s.toString().contains(s.adminToken()), s.toString());
        assertThrows(FileAlreadyExistsException.class, () -> DemoSecrets.generate(s.dir()),
                "secrets are never silently overwritten");
    }

    @Test
    @Timeout(60)
    void theDemosControllerAnswersOnlyWithItsTokensAndLetsOnlyItsDevicesIn(Vertx vertx) throws Exception {
        Path data = DemoMain.prepareDataDir(dir.resolve("demo-data"));
        DemoSecrets s = DemoSecrets.generate(data.resolve("secrets"));
        Controller c = result(Controller.start(vertx, DemoMain.controllerConfig(data, 0, Ports.freePort(), s),
                ControllerMetrics.NOOP, Controller.Options.defaults()));
        WebClient http = WebClient.create(vertx);
        try (FakeDevice anonymous = new FakeDevice(c.mqttUrl(), "demo", "sim-0000");
                FakeDevice madeUp = new FakeDevice(c.mqttUrl(), "demo", "sim-0000", "sim-0000",
                        "a-password-nobody-enrolled-for-0123456789")) {
            assertEquals(401, result(http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices").send()).statusCode());
            assertEquals(200, result(http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices")
                    .bearerTokenAuthentication(s.readToken()).send()).statusCode());
            assertEquals(403, result(http.post(c.httpPort(), "127.0.0.1", "/api/v1/rollouts")
                    .bearerTokenAuthentication(s.readToken()).sendJsonObject(new JsonObject())).statusCode(),
                    "the read-only token changes nothing");
            assertEquals(400, result(http.post(c.httpPort(), "127.0.0.1", "/api/v1/rollouts")
                    .bearerTokenAuthentication(s.adminToken()).sendJsonObject(new JsonObject())).statusCode(),
                    "the admin token gets past auth to the request's own checks");
            assertThrows(MqttException.class, () -> anonymous.connect(1), "no anonymous devices");
            assertThrows(MqttException.class, () -> madeUp.connect(1), "only devices that enrolled (no credentials file)");
        } finally {
            http.close();
            result(c.stop());
        }
    }
}
