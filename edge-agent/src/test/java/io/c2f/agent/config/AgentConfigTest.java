package io.c2f.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.agent.link.DeviceLink;
import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.proto.codec.InboundDispatcher;
import io.c2f.proto.v1.Birth;
import io.c2f.agent.telemetry.SpoolDurability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigTest {
    @TempDir
    Path dir;

    private static Properties base() {
        Properties p = new Properties();
        p.setProperty("c2f.fleet", "demo");
        p.setProperty("c2f.device.id", "cam-1");
        p.setProperty("c2f.broker.url", "tcp://127.0.0.1:1883");
        return p;
    }

    @Test
    void defaultsAndRelativePaths() throws Exception {
        AgentConfig c = AgentConfig.from(base(), dir);
        assertEquals(dir.resolve("state"), c.stateDir());
        assertEquals(Duration.ofSeconds(10), c.heartbeat());
        assertEquals(8, c.generateQueue());
        assertEquals("", c.engine().pin(), "no pinned engine: the chain chooses");
        assertEquals("", c.engine().chain(), "the platform's default chain");
        assertEquals(Duration.ofMinutes(10), c.downloadPatience());
        assertEquals(Duration.ofMinutes(1), c.telemetryInterval());
    }

    @Test
    void theTelemetryIntervalIsConfigurableDownToOneSecond() throws Exception {
        Properties p = base();
        p.setProperty("c2f.telemetry.interval", "10s");
        assertEquals(Duration.ofSeconds(10), AgentConfig.from(p, dir).telemetryInterval());
        p.setProperty("c2f.telemetry.interval", "500ms");
        assertEquals("c2f.telemetry.interval must be at least 1s, got '500ms'",
                assertThrows(ConfigException.class, () -> AgentConfig.from(p, dir)).getMessage());
    }

    @Test
    void deltasAreOnUnlessTurnedOffAndTheKeyTakesOnlyTrueOrFalse() throws Exception {
        assertTrue(AgentConfig.from(base(), dir).bundleDelta());
        Properties off = base();
        off.setProperty("c2f.bundle.delta", "false");
        assertFalse(AgentConfig.from(off, dir).bundleDelta());
        Properties bad = base();
        bad.setProperty("c2f.bundle.delta", "no");
        assertEquals("c2f.bundle.delta must be true or false, got 'no'",
                assertThrows(ConfigException.class, () -> AgentConfig.from(bad, dir)).getMessage());
    }

    @Test
    void theSpoolIsFsyncedUnlessConfiguredOtherwise() throws Exception {
        assertEquals(SpoolDurability.FSYNC, AgentConfig.from(base(), dir).spoolDurability());
        Properties p = base();
        p.setProperty("c2f.telemetry.spool.durability", "page-cache");
        assertEquals(SpoolDurability.PAGE_CACHE, AgentConfig.from(p, dir).spoolDurability());
        p.setProperty("c2f.telemetry.spool.durability", "memory");
        assertEquals(SpoolDurability.MEMORY, AgentConfig.from(p, dir).spoolDurability());
        p.setProperty("c2f.telemetry.spool.durability", "MEMORY");
        assertEquals("c2f.telemetry.spool.durability must be fsync, page-cache or memory, got 'MEMORY'",
                assertThrows(ConfigException.class, () -> AgentConfig.from(p, dir)).getMessage());
    }

    @Test
    void theEngineIsPinnedAndTheChainNamedByConfig() throws Exception {
        Properties p = base();
        p.setProperty("c2f.engine", "onnx");
        p.setProperty("c2f.engine.chain", "onnx-cpu,tflite-cpu");
        p.setProperty("c2f.engine.threads", "3");
        EngineSettings e = AgentConfig.from(p, dir).engine();
        assertEquals(new EngineSettings(3, "onnx", "onnx-cpu,tflite-cpu", ""), e);
    }

    @Test
    void anEnrolmentTokenIsReadFromTheConfigOrAnOwnerOnlyFileAndABadOneIsRefusedWithoutItsSecret() throws Exception {
        String secret = "c2f-enrol-secret-0123456789abcdefABCDEF_-xyz";
        Properties p = base();
        p.setProperty("c2f.enrol.token", "lab." + secret);
        AgentConfig c = AgentConfig.from(p, dir);
        assertEquals("lab", c.enrolToken().tokenId());
        assertTrue(!c.toString().contains(secret), c.toString());

        Properties shortSecret = base();
        shortSecret.setProperty("c2f.enrol.token", "lab.tooShortSecret");
        String m = assertThrows(ConfigException.class, () -> AgentConfig.from(shortSecret, dir)).getMessage();
        assertEquals("c2f.enrol.token: enrolment token secret must be 32-128 base64url characters, got 14 characters", m);
        Properties noDot = base();
        noDot.setProperty("c2f.enrol.token", secret);
        m = assertThrows(ConfigException.class, () -> AgentConfig.from(noDot, dir)).getMessage();
        assertTrue(m.startsWith("c2f.enrol.token: enrolment token must have the form {tokenId}.{secret}"), m);
        assertTrue(!m.contains(secret), m);

        Path file = dir.resolve("enrol.token");
        Files.writeString(file, "lab." + secret + "\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Properties fromFile = base();
        fromFile.setProperty("c2f.enrol.token-file", "enrol.token");
        m = assertThrows(ConfigException.class, () -> AgentConfig.from(fromFile, dir)).getMessage();
        assertTrue(m.contains("can be read or written by other users") && m.contains("chmod 600"), m);
        assertTrue(!m.contains(secret), m);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertEquals("lab", AgentConfig.from(fromFile, dir).enrolToken().tokenId());

        Properties both = base();
        both.setProperty("c2f.enrol.token", "lab." + secret);
        both.setProperty("c2f.broker.password", "hand-made");
        m = assertThrows(ConfigException.class, () -> AgentConfig.from(both, dir)).getMessage();
        assertTrue(m.startsWith("c2f.enrol.token is for a device that enrols itself"), m);
        assertTrue(!m.contains(secret) && !m.contains("hand-made"), m);
    }

    @Test
    void anUnknownEngineAndTheRetiredDelegateKeyAreRefusedByName() {
        Properties p = base();
        p.setProperty("c2f.engine", "pytorch");
        assertEquals("c2f.engine 'pytorch' must be auto, tflite or onnx",
                assertThrows(ConfigException.class, () -> AgentConfig.from(p, dir)).getMessage());
        Properties q = base();
        q.setProperty("c2f.tflite.delegates", "xnnpack,cpu");
        ConfigException e = assertThrows(ConfigException.class,
                () -> AgentConfig.from(q, dir));
        assertTrue(e.getMessage().startsWith(
                "c2f.tflite.delegates was replaced by c2f.engine.chain"), e.getMessage());
    }

    @Test
    void theDownloadPatienceIsConfigurable() throws Exception {
        Properties p = base();
        p.setProperty("c2f.download.patience", "90s");
        assertEquals(Duration.ofSeconds(90), AgentConfig.from(p, dir).downloadPatience());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "c2f.fleet|a/b|c2f.fleet 'a/b' must be 1-64 characters of [A-Za-z0-9_.-]",
        "c2f.broker.url|http://x|c2f.broker.url 'http://x' must look like tcp://host:1883 or ssl://host:8883",
        "c2f.heartbeat.interval|soon|c2f.heartbeat.interval must be a duration like 500ms, 10s, 5m or 1h, got 'soon'",
        "c2f.generate.queue|0|c2f.generate.queue must be a positive integer, got '0'",
        "c2f.download.patience|forever|c2f.download.patience must be a duration like 500ms, 10s, 5m or 1h, got 'forever'",
        "c2f.labels|site lab|c2f.labels entry 'site lab' must be key=value of [A-Za-z0-9_.-]",
        "c2f.broker.ca-file|missing.pem|c2f.broker.ca-file DIR/missing.pem does not exist or is not readable"})
    void badValuesAreNamed(String key, String value, String message) {
        Properties p = base();
        p.setProperty(key, value);
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.from(p, dir));
        assertEquals(message.replace("DIR", dir.toString()), e.getMessage());
    }

    @Test
    void aMissingKeyIsNamed() {
        Properties p = base();
        p.remove("c2f.device.id");
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.from(p, dir));
        assertEquals("missing required setting c2f.device.id", e.getMessage());
    }

    private static void run(Path cwd, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** TLS with our own CA and a password file, on a real Mosquitto. */
    @Test
    void connectsOverTlsWithAPasswordAndIsRefusedWithAWrongOne() throws Exception {
        assumeTrue(MosquittoBroker.available() && Files.isExecutable(Path.of("/usr/bin/openssl"))
                && Files.isExecutable(Path.of("/usr/bin/mosquitto_passwd")), "mosquitto/openssl missing");
        Path tls = dir.resolve("tls");
        Files.createDirectories(tls);
        run(tls, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
                "-keyout", "ca.key", "-out", "ca.pem");
        run(tls, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                "-keyout", "server.key", "-out", "server.csr");
        Files.writeString(tls.resolve("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        run(tls, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.pem");
        run(tls, "mosquitto_passwd", "-c", "-b", "passwd", "cam-1", "s3cret");
        for (String f : new String[] {"ca.pem", "server.pem", "server.key", "passwd"}) {
            tls.resolve(f).toFile().setReadable(true, false);
        }
        tls.toFile().setExecutable(true, false);
        dir.toFile().setExecutable(true, false);
        String listener = "allow_anonymous false\npassword_file " + tls.resolve("passwd") + "\n"
                + "cafile " + tls.resolve("ca.pem") + "\ncertfile " + tls.resolve("server.pem") + "\n"
                + "keyfile " + tls.resolve("server.key") + "\n";
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("broker"), listener)) {
            Properties p = base();
            p.setProperty("c2f.broker.url", broker.tlsUri());
            p.setProperty("c2f.broker.ca-file", tls.resolve("ca.pem").toString());
            p.setProperty("c2f.broker.username", "cam-1");
            Files.writeString(dir.resolve("pw"), "s3cret\n");
            p.setProperty("c2f.broker.password-file", "pw");
            AgentConfig good = AgentConfig.from(p, dir);
            CountDownLatch online = new CountDownLatch(1);
            try (DeviceLink link = new DeviceLink(good.linkSettings(), Birth::getDefaultInstance,
                    new InboundDispatcher(), new DeviceLink.Listener() {
                        @Override
                        public void online(long bdSeq) {
                            online.countDown();
                        }
                    })) {
                link.start();
                assertTrue(online.await(15, TimeUnit.SECONDS), "TLS + password connection");
            }

            p.setProperty("c2f.broker.password-file", "pw2");
            Files.writeString(dir.resolve("pw2"), "wrong");
            AgentConfig bad = AgentConfig.from(p, dir);
            try (DeviceLink link = new DeviceLink(bad.linkSettings(), Birth::getDefaultInstance,
                    new InboundDispatcher(), new DeviceLink.Listener() { })) {
                link.start();
                Thread.sleep(1500);
                assertTrue(!link.isOnline(), "a wrong password must not connect");
            }
        }
    }
}
