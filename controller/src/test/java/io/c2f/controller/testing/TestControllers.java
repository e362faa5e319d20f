package io.c2f.controller.testing;

import static io.c2f.controller.testing.Await.result;

import io.c2f.controller.Controller;
import io.c2f.controller.auth.ApiTokens;
import io.c2f.controller.auth.Role;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.retune.RetuneSettings;
import io.c2f.controller.rollout.RolloutSettings;
import io.c2f.proto.testing.MosquittoBroker;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * A real controller for one test: fleet "lab", instance "ctl", HTTP on a free loopback port, the
 * embedded broker on a free port, the embedded database under a test directory.
 */
public final class TestControllers {
    /** The bearer token of the admin "ops" in {@link #adminAndReader()}. */
    public static final String ADMIN = "admin-token-0123456789";
    /** The bearer token of the read-only "grafana" in {@link #adminAndReader()}. */
    public static final String READER = "reader-token-0123456789";

    private TestControllers() {
    }

    /** An admin ("ops", {@link #ADMIN}) and a read-only reader ("grafana", {@link #READER}). */
    public static ApiTokens adminAndReader() {
        return ApiTokens.of(Map.of("ops", ApiTokens.entry(Role.ADMIN, ADMIN),
                "grafana", ApiTokens.entry(Role.READ_ONLY, READER)), "test");
    }

    /**
     * The configuration described above, with its data under {@code dir/data}. Its embedded broker
     * lets devices in anonymously (the tests' {@link FakeDevice}s connect without credentials): a
     * development setting, allowed on loopback only and off by default.
     */
    public static ControllerConfig localConfig(Path dir) {
        return ConfigLoader.fromMap(Map.of("fleet", "lab", "instance.id", "ctl", "http.host", "127.0.0.1",
                "http.port", "0", "data.dir", dir.resolve("data").toString(),
                "broker.port", Integer.toString(Ports.freePort()), "broker.allow.anonymous", "true"));
    }

    /**
     * Copies a model directory ({@code model.tflite}, its {@code model.json}, a {@code MODEL_CARD.md})
     * or a schedule catalog directory into the models directory of the controller under {@code dir}
     * ({@code dir/data/models}, the default {@code models.dir}) and returns the name the API knows
     * it by there: the controller opens no other files.
     */
    public static String intoModelsDir(Path dir, Path source) throws java.io.IOException {
        Path from = java.nio.file.Files.isDirectory(source) ? source : source.getParent();
        return intoModelsDir(dir, source, from.getFileName().toString());
    }

    /**
     * As {@link #intoModelsDir(Path, Path)}, into the models directory's folder {@code folder} (for two
     * sources whose folders have the same name, such as a model and its catalog).
     */
    public static String intoModelsDir(Path dir, Path source, String folder) throws java.io.IOException {
        Path models = dir.resolve("data").resolve("models");
        String name = source.getFileName().toString();
        Path from = java.nio.file.Files.isDirectory(source) ? source : source.getParent();
        Path to = models.resolve(folder);
        try (java.util.stream.Stream<Path> tree = java.nio.file.Files.walk(from)) {
            for (Path f : tree.filter(java.nio.file.Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                java.nio.file.Files.createDirectories(target.getParent());
                java.nio.file.Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return java.nio.file.Files.isDirectory(source) ? folder : folder + "/" + name;
    }

    /** Started with these tokens, default retuning and rollouts, no metrics. */
    public static Controller start(Vertx vertx, Path dir, ApiTokens tokens) throws Exception {
        return start(vertx, dir, ControllerMetrics.NOOP,
                new Controller.Options(tokens, RetuneSettings.defaults(), 1, RolloutSettings.defaults()));
    }

    /** Started with these metrics and options. */
    public static Controller start(Vertx vertx, Path dir, ControllerMetrics metrics, Controller.Options options)
            throws Exception {
        return result(Controller.start(vertx, localConfig(dir), metrics, options));
    }

    /**
     * Points a controller's settings at a broker: {@code "embedded"}, the controller's own on a free
     * port with anonymous devices allowed, or {@code "mosquitto"}, one started for the test under {@code dir/mosquitto} (the test is
     * skipped without the binary). Close what it returns once the controller has stopped.
     */
    public static AutoCloseable broker(String kind, Path dir, Map<String, String> values) throws Exception {
        switch (kind) {
            case "mosquitto" -> {
                Assumptions.assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
                MosquittoBroker mosquitto = MosquittoBroker.start(dir.resolve("mosquitto"));
                values.put("mqtt.url", mosquitto.uri());
                return mosquitto;
            }
            case "embedded" -> {
                values.put("broker.port", Integer.toString(Ports.freePort()));
                values.put("broker.allow.anonymous", "true"); // the tests' devices connect without credentials
                return () -> { };
            }
            default -> throw new IllegalArgumentException("broker must be embedded or mosquitto, got " + kind);
        }
    }
}
