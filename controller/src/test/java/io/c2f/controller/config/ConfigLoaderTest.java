package io.c2f.controller.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsDescribeALocalSingleNodeController() {
        ControllerConfig c = ConfigLoader.load(new String[0], Map.of());
        assertTrue(c.embeddedBroker());
        assertEquals("127.0.0.1", c.brokerHost());
        assertEquals("tcp://127.0.0.1:1883", c.effectiveMqttUrl());
        assertTrue(c.effectiveDbUrl().startsWith("jdbc:h2:file:"), c.effectiveDbUrl());
        assertTrue(c.effectiveDbUrl().contains("MODE=PostgreSQL"));
        assertEquals(3.0, c.heartbeatTimeoutFactor());
        assertEquals(1, c.telemetryWriters(), "one lane on H2");
        assertEquals(2, ConfigLoader.load(new String[] {"--db.url=jdbc:postgresql://127.0.0.1:5432/c2f"}, Map.of())
                .telemetryWriters(), "two on PostgreSQL");
        assertEquals(3, ConfigLoader.load(new String[] {"--telemetry.writers=3"}, Map.of()).telemetryWriters(),
                "a number is taken as given");
    }

    @Test
    void flagsBeatEnvironmentBeatsFileBeatsDefaults() throws Exception {
        Path file = dir.resolve("c2f.properties");
        Files.writeString(file, "fleet=from-file\nhttp.port=1111\nbroker.port=2222\ndb.pool.size=7\n");
        Map<String, String> env = Map.of("C2F_CONFIG", file.toString(), "C2F_HTTP_PORT", "3333",
                "C2F_BROKER_PORT", "4444");
        ControllerConfig c = ConfigLoader.load(new String[] {"--broker.port=5555"}, env);
        assertEquals("from-file", c.fleet());
        assertEquals(3333, c.httpPort());
        assertEquals(5555, c.brokerPort());
        assertEquals(7, c.dbPoolSize());
        assertEquals("default", ConfigLoader.load(new String[0], Map.of()).fleet());
    }

    @Test
    void nestedJsonFileIsFlattened() throws Exception {
        Path file = dir.resolve("c2f.json");
        Files.writeString(file, "{\"fleet\":\"lab\",\"mqtt\":{\"url\":\"ssl://broker.example:8883\"},"
                + "\"heartbeat\":{\"timeout\":{\"factor\":2.5}}}");
        ControllerConfig c = ConfigLoader.load(new String[] {"--config=" + file}, Map.of());
        assertEquals("lab", c.fleet());
        assertEquals("ssl://broker.example:8883", c.effectiveMqttUrl());
        assertEquals(2.5, c.heartbeatTimeoutFactor());
    }

    @Test
    void errorsNameTheKeyAndTheProblem() throws Exception {
        assertEquals("mqtt.url 'foo' must start with tcp:// or ssl://", message("--mqtt.url=foo"));
        assertEquals("mqtt.url 'tcp://broker' must name a host and a port, e.g. tcp://broker:1883",
                message("--mqtt.url=tcp://broker"));
        assertEquals("http.port 'eighty' is not an integer", message("--http.port=eighty"));
        assertEquals("http.port 70000 must be 0..65535", message("--http.port=70000"));
        assertEquals("fleet 'a/b' must be 1-64 characters of [A-Za-z0-9_.-]", message("--fleet=a/b"));
        assertEquals("db.url 'mysql://x' must start with jdbc:postgresql: or jdbc:h2:", message("--db.url=mysql://x"));
        assertEquals("heartbeat.timeout.factor 0.5 must be 1..100", message("--heartbeat.timeout.factor=0.5"));
        assertEquals("broker.allow.anonymous 'maybe' must be true or false", message("--broker.allow.anonymous=maybe"));
        assertEquals("telemetry.writers 5 must be 1..db.pool.size (4)", message("--telemetry.writers=5"));
        assertEquals("telemetry.writers 'many' is not an integer", message("--telemetry.writers=many"));
        assertTrue(message("--htpp.port=1").startsWith("flag --htpp.port: unknown key 'htpp.port'"));
        assertTrue(message("http.port=1").startsWith("argument 'http.port=1' must have the form --key=value"));
        assertTrue(message("--mqtt.shared.group=g").startsWith("mqtt.shared.group needs an external broker"));
        Path bad = dir.resolve("bad.properties");
        Files.writeString(bad, "fleet=x\ncolour=blue\n");
        assertTrue(message("--config=" + bad).startsWith("key 'colour' in " + bad + ": unknown key 'colour'"));
        assertTrue(message("--config=" + dir.resolve("missing.json")).endsWith("does not exist or is not a file"));
    }

    @Test
    void secretsStayOutOfToString() {
        ControllerConfig c = ConfigLoader.load(new String[] {"--db.password=hunter2", "--mqtt.password=s3cret"}, Map.of());
        assertTrue(!c.toString().contains("hunter2") && !c.toString().contains("s3cret"), c.toString());
    }

    private static String message(String... args) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(args, Map.of())).getMessage();
    }
}
