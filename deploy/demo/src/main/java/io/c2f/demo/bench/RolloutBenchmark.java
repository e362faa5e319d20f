package io.c2f.demo.bench;

import io.c2f.agent.AgentMain;
import io.c2f.controller.Controller;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.rollout.RolloutSettings;
import io.c2f.controller.testing.SyntheticBundleRequest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Time to roll a bundle out to simulated agents ({@code c2f-agent simulate} in its own JVM) through
 * the HTTP API, from the rollout's creation to its SUCCEEDED state. Run by {@link IngestBenchmark}
 * when it is given {@code --agent.jar}.
 */
final class RolloutBenchmark {
    private RolloutBenchmark() {
    }

    /** Prints the rollout time and per-wave times; returns the seconds from creation to SUCCEEDED. */
    static double run(ControllerConfig config, Path agentJar, int agents, int bundleBytes, JsonObject waves, Path dir,
            List<String> simulatorJvm, int chunksInFlight) throws Exception {
        Vertx vertx = Vertx.vertx();
        Process fleet = null;
        RolloutSettings d = RolloutSettings.defaults();
        Controller controller = Controller.start(vertx, config, ControllerMetrics.NOOP,
                new RolloutSettings(d.tickMs(), d.leaseMs(), d.resendMs(), chunksInFlight)).await(60, TimeUnit.SECONDS);
        System.out.printf("controller: %d bundle chunks in flight at most%n", chunksInFlight);
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + controller.httpPort();
            Path key = dir.resolve("controller.pub");
            Files.writeString(key, get(http, base + "/api/v1/keys/bundle-signing"));
            Path log = dir.resolve("simulator.log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString()));
            command.addAll(simulatorJvm);
            command.addAll(List.of("-cp", agentJar.toString(), AgentMain.class.getName(), "simulate", "--broker",
                    controller.mqttUrl(), "--fleet", config.fleet(), "--devices", Integer.toString(agents),
                    "--controller-key", key.toString(), "--state", dir.resolve("fleet").toString(), "--speed", "2000",
                    "--prefix", "sim", "--seed", "7"));
            System.out.println("simulated agents' JVM options: " + simulatorJvm);
            fleet = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (new JsonObject(get(http, base + "/api/v1/devices?status=ONLINE&limit=1000"))
                    .getJsonArray("devices").size() < agents) {
                if (System.nanoTime() > deadline || !fleet.isAlive()) {
                    throw new IllegalStateException(agents + " agents did not come online; see " + log);
                }
                Thread.sleep(200);
            }
            JsonObject bundle = new JsonObject(post(http, base + "/api/v1/bundles", bundleRequest(bundleBytes)));
            ProcessCpu cpu = ProcessCpu.start(fleet.toHandle(), config.mqttUrl());
            long t0 = System.nanoTime();
            JsonObject created = new JsonObject(post(http, base + "/api/v1/rollouts", new JsonObject()
                    .put("bundleId", bundle.getString("id")).put("target", new JsonObject().put("all", true))
                    .put("waves", waves)));
            String id = created.getString("id");
            JsonObject view;
            deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
            do {
                Thread.sleep(100);
                view = new JsonObject(get(http, base + "/api/v1/rollouts/" + id));
                if (System.nanoTime() > deadline || List.of("ABORTED", "FAILED").contains(view.getString("state"))) {
                    throw new IllegalStateException("rollout did not succeed: " + view.getString("state")
                            + " " + view.getJsonObject("counts"));
                }
            } while (!"SUCCEEDED".equals(view.getString("state")));
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("rollout: %.1f MB bundle (%d chunks) to %d simulated agents in %.1f s "
                    + "(%.1f MB/s delivered), waves %s%n", bundleBytes / 1e6, bundle.getInteger("chunkCount"), agents,
                    seconds, bundleBytes / 1e6 * agents / seconds, waveSummary(view.getJsonArray("waves"), bundleBytes));
            System.out.println("rollout CPU: " + cpu.finish(seconds));
            return seconds;
        } finally {
            if (fleet != null) {
                fleet.destroy();
                fleet.waitFor(15, TimeUnit.SECONDS);
            }
            controller.stop().await(30, TimeUnit.SECONDS);
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Per wave: its size, its time and the bytes/s each of its devices received (the devices of a
     * wave download side by side, so each got the bundle in about the wave's time).
     */
    private static String waveSummary(JsonArray waves, int bundleBytes) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < waves.size(); i++) {
            JsonObject w = waves.getJsonObject(i);
            Instant start = Instant.parse(w.getString("startedAt"));
            Instant end = Instant.parse(w.getString("finishedAt"));
            double waveSeconds = (end.toEpochMilli() - start.toEpochMilli()) / 1e3;
            s.append(i == 0 ? "" : ", ").append(w.getInteger("size")).append(" in ")
                    .append(String.format("%.1f s (%.2f MB/s per device)", waveSeconds,
                            bundleBytes / 1e6 / Math.max(waveSeconds, 1e-3)));
        }
        return s.append("]").toString();
    }

    /** A bundle of bundleBytes random model bytes for the simulated engine (8x8 and 16x16 graphs). */
    private static JsonObject bundleRequest(int bundleBytes) {
        return SyntheticBundleRequest.of(bundleBytes, 7, "bench", "1.0.0");
    }

    private static String get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + url + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private static String post(HttpClient http, String url, JsonObject body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IOException("POST " + url + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }
}
