package io.c2f.demo.bench;

import io.c2f.agent.AgentMain;
import io.c2f.controller.Controller;
import io.c2f.controller.bundle.BundleDeliveryVerticle;
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
 *
 * <p>With {@code delta}, a schedule-only bundle follows (the same model file, another schedule
 * catalog: {@link SyntheticBundleRequest#scheduleOnly}) to the same agents, which hold the model
 * now; it prints the bundle bytes the controller sent per device for each rollout (from the rollout
 * API) and their ratio (issue 17's goal: under 5 %). Bytes only: the second rollout is not timed.
 */
final class RolloutBenchmark {
    private RolloutBenchmark() {
    }

    /** Prints the rollout time and per-wave times; returns the seconds from creation to SUCCEEDED. */
    static double run(ControllerConfig config, Path agentJar, int agents, int bundleBytes, JsonObject waves, Path dir,
            List<String> simulatorJvm, int chunksInFlight, boolean delta) throws Exception {
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
            JsonObject request = bundleRequest(bundleBytes);
            JsonObject bundle = new JsonObject(post(http, base + "/api/v1/bundles", request));
            ProcessCpu cpu = ProcessCpu.start(List.of(fleet.toHandle()), config.mqttUrl());
            long t0 = System.nanoTime();
            JsonObject view = rollOut(http, base, bundle.getString("id"), waves);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("rollout: %.1f MB bundle (%d chunks) to %d simulated agents in %.1f s "
                    + "(%.1f MB/s delivered), waves %s%n", bundleBytes / 1e6, bundle.getInteger("chunkCount"), agents,
                    seconds, bundleBytes / 1e6 * agents / seconds, waveSummary(view.getJsonArray("waves"), bundleBytes));
            System.out.println("rollout CPU: " + cpu.finish(seconds));
            if (delta) {
                JsonObject full = delivery(http, base, view.getString("id"));
                JsonObject scheduleOnly = new JsonObject(post(http, base + "/api/v1/bundles",
                        SyntheticBundleRequest.scheduleOnly(request, "1.1.0")));
                JsonObject second = delivery(http, base, rollOut(http, base, scheduleOnly.getString("id"), waves)
                        .getString("id"));
                System.out.println("bytes sent per device, model bundle (full): " + perDevice(full));
                System.out.println("bytes sent per device, schedule-only bundle: " + perDevice(second));
                double ratio = second.getDouble("meanBytesPerDevice") / full.getDouble("meanBytesPerDevice");
                System.out.printf("schedule-only / full, mean bytes per device: %.2f %% (goal < 5 %%)%n", 100 * ratio);
            }
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

    /** Rolls a bundle out to every device in the given waves; returns the rollout once it SUCCEEDED. */
    private static JsonObject rollOut(HttpClient http, String base, String bundleId, JsonObject waves)
            throws IOException, InterruptedException {
        String id = new JsonObject(post(http, base + "/api/v1/rollouts", new JsonObject().put("bundleId", bundleId)
                .put("target", new JsonObject().put("all", true)).put("waves", waves))).getString("id");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        JsonObject view;
        do {
            Thread.sleep(100);
            view = new JsonObject(get(http, base + "/api/v1/rollouts/" + id));
            if (System.nanoTime() > deadline || List.of("ABORTED", "FAILED").contains(view.getString("state"))) {
                throw new IllegalStateException("rollout did not succeed: " + view.getString("state")
                        + " " + view.getJsonObject("counts"));
            }
        } while (!"SUCCEEDED".equals(view.getString("state")));
        return view;
    }

    /**
     * The rollout's delivery figures once the controller has written its whole tally (it writes
     * within {@link BundleDeliveryVerticle#FLUSH_MS}): read until two reads a flush apart agree.
     */
    private static JsonObject delivery(HttpClient http, String base, String rolloutId)
            throws IOException, InterruptedException {
        JsonObject last = null;
        for (int same = 0; same < 2; ) {
            Thread.sleep(BundleDeliveryVerticle.FLUSH_MS + 200);
            JsonObject now = new JsonObject(get(http, base + "/api/v1/rollouts/" + rolloutId)).getJsonObject("delivery");
            same = now.equals(last) ? same + 1 : 0;
            last = now;
        }
        return last;
    }

    private static String perDevice(JsonObject d) {
        return String.format("mean %.0f B over %d devices (%.2f %% of the %d B payload), %d B in all",
                d.getDouble("meanBytesPerDevice"), d.getLong("devices"), 100 * d.getDouble("meanShareOfPayload"),
                d.getLong("payloadSize"), d.getLong("bytesSent"));
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

    static String get(HttpClient http, String url) throws IOException, InterruptedException {
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
