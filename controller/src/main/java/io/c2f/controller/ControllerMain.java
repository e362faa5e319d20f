package io.c2f.controller;

import io.c2f.controller.config.ConfigException;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.auth.ApiTokens;
import io.c2f.controller.metrics.MicrometerControllerMetrics;
import io.c2f.controller.retune.RetuneSettings;
import io.c2f.controller.rollout.RolloutSettings;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts a controller from the command line: {@code --key=value} flags over {@code C2F_*}
 * environment variables over a config file ({@code --config=PATH}) over defaults. Stops
 * gracefully on SIGTERM or Ctrl-C.
 */
public final class ControllerMain {
    private ControllerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("usage: c2f-controller [--config=FILE] [--key=value ...]");
            System.out.println("keys (environment: C2F_ + key in upper case, dots as underscores):");
            ConfigLoader.keys().forEach(k -> System.out.println("  " + k + "  (" + ConfigLoader.envName(k) + ")"));
            return;
        }
        ControllerConfig config;
        try {
            config = ConfigLoader.load(args);
        } catch (ConfigException e) {
            System.err.println("c2f-controller: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        MicrometerControllerMetrics metrics = new MicrometerControllerMetrics();
        // Vert.x's own meters (HTTP server, event bus, pools) go to the same registry as the fleet's
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(metrics.registry()))
                .build();
        Controller controller;
        try {
            controller = Controller.start(vertx, config, metrics,
                    new Controller.Options(ApiTokens.none(), RetuneSettings.defaults(), 1, RolloutSettings.defaults()))
                    .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            boolean badConfig = cause instanceof ConfigException;
            System.err.println("c2f-controller: " + (badConfig ? "configuration error: " : "start failed: ")
                    + cause.getMessage());
            vertx.close();
            System.exit(badConfig ? 2 : 1);
            return;
        }
        System.out.println("c2f-controller " + config.instanceId() + " (fleet " + config.fleet() + ")");
        System.out.println("  MQTT broker: " + controller.mqttUrl()
                + (controller.hasEmbeddedBroker() ? " (embedded)" : " (external)"));
        String scheme = config.tls().httpTls() ? "https://" : "http://";
        System.out.println("  HTTP API:    " + scheme + config.httpHost() + ":" + controller.httpPort() + "/api/v1/devices");
        System.out.println("  metrics:     " + scheme + config.httpHost() + ":" + controller.httpPort() + "/metrics");
        System.out.println("  API auth:    " + (config.apiTokensFile().isEmpty()
                ? "OFF, loopback only (set api.tokens.file to serve other machines)"
                : "bearer tokens from " + config.apiTokensFile()));
        if (controller.hasEmbeddedBroker()) {
            System.out.println("  devices:     " + (config.brokerAllowAnonymous() ? "anonymous (development, loopback only)"
                    : config.brokerCredentialsFile().isEmpty() ? "none can log in yet (set broker.credentials.file)"
                    : "log in with the passwords of " + config.brokerCredentialsFile()));
        }
        System.out.println("  bundle key:  " + scheme + config.httpHost() + ":" + controller.httpPort()
                + "/api/v1/keys/bundle-signing (key " + controller.bundles().signingKey().keyId() + ")");
        System.out.println("  database:    " + (config.dbUrl().isEmpty() ? "embedded H2 in " + config.dataDir() : config.dbUrl()));

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("c2f-controller: stopping (in-flight work gets up to " + config.shutdownDrainMs() + " ms)");
            try {
                controller.stop().eventually(() -> vertx.close())
                        .toCompletionStage().toCompletableFuture().get(config.shutdownDrainMs() + 30_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                System.err.println("c2f-controller: unclean stop: " + e);
            }
            stopped.countDown();
        }, "c2f-shutdown"));
        stopped.await();
    }
}
