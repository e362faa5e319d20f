package io.c2f.controller.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.config.BindAddress;
import io.c2f.controller.config.ConfigException;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.config.ExposureCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped deployment files (deploy/) serve other machines, so each must pass the controller's
 * start check: read the {@code C2F_*} settings a file gives the controller, load them as the
 * controller does, and run {@link ExposureCheck} on them. A file that binds 0.0.0.0 but drops its
 * API token file (or device credentials) fails here, not at an operator's first start.
 */
class DeployFilesTest {
    /** {@code C2F_KEY: value} (YAML) or {@code C2F_KEY=value} (environment file), not commented out. */
    private static final Pattern SETTING = Pattern.compile("^\\s*(C2F_[A-Z0-9_]+)\\s*[:=]\\s*\"?([^\"#]*?)\"?\\s*$");
    /** Settings naming files that exist only on the target host; an empty stand-in keeps the loader's file checks. */
    private static final List<String> FILE_KEYS = List.of("http.tls.cert", "http.tls.key", "http.tls.keystore",
            "broker.tls.keystore", "mqtt.tls.truststore");

    @TempDir
    Path dir;

    private Map<String, String> settingsOf(String file) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("..").resolve(file))) {
            Matcher m = SETTING.matcher(line);
            if (m.matches()) {
                env.put(m.group(1), m.group(2).trim());
            }
        }
        Path standIn = Files.writeString(dir.resolve("stand-in"), "");
        for (String key : FILE_KEYS) {
            env.computeIfPresent(ConfigLoader.envName(key), (k, v) -> standIn.toString());
        }
        return env;
    }

    private static void check(Map<String, String> env) {
        ControllerConfig config = ConfigLoader.load(new String[0], env);
        ExposureCheck.require(config, !config.apiTokensFile().isEmpty(), BindAddress.SYSTEM);
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/k8s/config.yaml", "deploy/compose/docker-compose.yml", "deploy/systemd/controller.env"})
    void aShippedDeploymentServesOtherMachinesOnlyWithTokensAndCredentials(String file) throws Exception {
        Map<String, String> env = settingsOf(file);
        assertTrue(BindAddress.exposure("http.host", env.getOrDefault("C2F_HTTP_HOST", "127.0.0.1"),
                BindAddress.SYSTEM).isPresent(), file + " serves other machines, so its tokens matter: " + env.keySet());
        check(env);

        // the test sees a file that would not start: without its token file the check refuses it
        Map<String, String> withoutTokens = new LinkedHashMap<>(env);
        withoutTokens.remove("C2F_API_TOKENS_FILE");
        ConfigException e = assertThrows(ConfigException.class, () -> check(withoutTokens), file);
        assertTrue(e.getMessage().contains("api.tokens.file"), e.getMessage());
        if (!env.containsKey("C2F_MQTT_URL")) {
            Map<String, String> anonymous = new LinkedHashMap<>(env);
            anonymous.put("C2F_BROKER_ALLOW_ANONYMOUS", "true");
            assertThrows(ConfigException.class, () -> check(anonymous), file + " with an anonymous embedded broker");
        }
        assertFalse(env.getOrDefault("C2F_BROKER_ALLOW_ANONYMOUS", "false").equals("true"), file);
    }
}
