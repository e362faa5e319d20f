package io.c2f.controller;

import io.c2f.controller.config.ConfigException;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.ControllerMetrics;
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

    public static void main(String[] args) throws InterruptedException {
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
        Vertx vertx = Vertx.vertx();
        Controller controller;
        try {
            controller = Controller.start(vertx, config, ControllerMetrics.NOOP)
                    .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            System.err.println("c2f-controller: start failed: " + cause.getMessage());
            vertx.close();
            System.exit(1);
            return;
        }
        System.out.println("c2f-controller " + config.instanceId() + " (fleet " + config.fleet() + ")");
        System.out.println("  MQTT broker: " + controller.mqttUrl()
                + (controller.hasEmbeddedBroker() ? " (embedded)" : " (external)"));
        System.out.println("  HTTP API:    http://" + config.httpHost() + ":" + controller.httpPort() + "/api/v1/devices");
        System.out.println("  bundle key:  http://" + config.httpHost() + ":" + controller.httpPort()
                + "/api/v1/keys/bundle-signing (key " + controller.bundles().signingKey().keyId() + ")");
        System.out.println("  database:    " + (config.dbUrl().isEmpty() ? "embedded H2 in " + config.dataDir() : config.dbUrl()));

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("c2f-controller: stopping");
            try {
                controller.stop().eventually(() -> vertx.close())
                        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("c2f-controller: unclean stop: " + e);
            }
            stopped.countDown();
        }, "c2f-shutdown"));
        stopped.await();
    }
}
