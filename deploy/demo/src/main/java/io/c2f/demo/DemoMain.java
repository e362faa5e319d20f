package io.c2f.demo;

import io.c2f.controller.Controller;
import io.c2f.controller.auth.ApiTokens;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.MicrometerControllerMetrics;
import io.c2f.controller.retune.RetuneSettings;
import io.c2f.controller.rollout.RolloutSettings;
import io.c2f.proto.v1.GeneratedImage;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code java -jar c2f-demo.jar}: the whole system on one machine. A controller with its embedded
 * broker and database, 2 agents running the shipped model on TFLite, a simulated fleet of 50
 * devices of varied speeds; the model and its catalog registered, a schedule search, a staged
 * rollout, latency targets, generation traffic, and then, every few minutes, a group of simulated
 * devices slowed down (the retuner moves them to cheaper schedules) and recovered (it moves them
 * back). Progress goes to the terminal, the controller's log to {@code DATA_DIR/controller.log}. The
 * controller runs as a real install would, with API tokens that the demo generates into the
 * owner-only {@code DATA_DIR/secrets} ({@link DemoSecrets}), and devices that enrol themselves.
 * Ctrl-C stops the agents, then the controller.
 */
public final class DemoMain {
    /**
     * Retuning fast enough to watch: windows of 20 generations / 40 s (a slowed device still has
     * its 6 samples; a short window mixes fewer samples from before a speed change into the cost
     * model), 15 s hysteresis, 10 s dwell.
     */
    static final RetuneSettings RETUNE = new RetuneSettings(20, 40_000, 6, 0.20, 15_000, 10_000, 2_000,
            7L * 24 * 3600_000);
    static final RolloutSettings ROLLOUT = new RolloutSettings(250, 2_000, 5_000, 32);
    private static final long CYCLE_S = 180;
    private static final long SLOW_AT_S = 20;
    private static final long RECOVER_AT_S = 90;
    private static final int SLOWED_PER_CYCLE = 8;
    private static final double SLOW_FACTOR = 6;
    /** Wide enough that a busy machine's swings do not cross it, narrow enough that a 6x slow-down does. */
    private static final double TARGET_FACTOR = 2.5;

    private final DemoOptions options;
    private final long startNanos = System.nanoTime();
    private volatile boolean stopping;

    private DemoMain(DemoOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(DemoOptions.usage());
            return;
        }
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("c2f demo: " + e.getMessage());
            System.err.println(DemoOptions.usage());
            System.exit(2);
            return;
        }
        int rc = new DemoMain(options).run();
        System.exit(rc);
    }

    private void say(String format, Object... args) {
        long s = (System.nanoTime() - startNanos) / 1_000_000_000L;
        System.out.printf(Locale.ROOT, "[%3d:%02d] %s%n", s / 60, s % 60, String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    private int run() throws Exception {
        Path data;
        try {
            data = prepareDataDir(options.dataDir());
        } catch (IllegalArgumentException e) {
            System.err.println("c2f demo: " + e.getMessage());
            return 2;
        }
        // owner-only before logback opens it: nothing secret is logged, but device ids and paths are
        DemoLogging.toFile(OwnerOnly.write(data.resolve("controller.log"), ""));
        ScenarioPlan plan;
        try {
            plan = new ScenarioPlan("demo", options.modelDir(), options.catalogDir(), options.agentJar(),
                    data.resolve("agents"), options.realAgents(),
                    new SimulatorProcess.Fleet("sim", options.simDevices(), 40_000, 1.5, 7), TARGET_FACTOR, true,
                    new JsonObject().put("k", List.of(4)).put("mode", "c2f").put("switchIndex", 2).put("calibrationSeeds", 1)
                            .put("heldoutSeeds", 1).put("referenceSteps", 10).put("maxEvaluations", 20)
                            .put("budgetSeconds", 10),
                    500, Duration.ofMinutes(5)).stagedInto(data.resolve("controller").resolve("models"));
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("c2f demo: " + e.getMessage());
            return 2;
        }
        DemoSecrets secrets = DemoSecrets.generate(data.resolve("secrets"));
        Thread main = Thread.currentThread();
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (finished.getCount() == 0) {
                return;
            }
            stopping = true;
            say("stopping (Ctrl-C): agents first, then the controller");
            main.interrupt();
            try {
                finished.await(45, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "c2f-demo-stop"));

        MicrometerControllerMetrics metrics = new MicrometerControllerMetrics();
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(metrics.registry())).build();
        Controller controller = null;
        FleetScenario scenario = null;
        int rc = 0;
        try {
            int httpPort = options.httpPort() == 8080 && !isFree(8080) ? freePort() : options.httpPort();
            say("starting the controller: embedded MQTT broker, embedded H2 database under %s", data);
            controller = ApiClient.await(Controller.start(vertx, controllerConfig(data, httpPort, freePort(), secrets),
                    metrics, new Controller.Options(ApiTokens.none(), RETUNE, 1, ROLLOUT)), "starting the controller");
            String dashboard = "http://127.0.0.1:" + controller.httpPort() + "/";
            say("controller up: MQTT %s, API %sapi/v1/devices (bearer tokens)", controller.mqttUrl(), dashboard);
            say("generated secrets, owner-only, in %s: admin.token, read.token (API and dashboard); devices enrol "
                    + "with enrolment tokens made through the API and generate their own credentials", secrets.dir());
            String login = String.format(Locale.ROOT, "dashboard: %s  (it asks for a token: the read-only one is %s; "
                    + "the admin token, which can change the fleet, is in %s)", dashboard, secrets.readToken(),
                    secrets.adminTokenFile());
            say("%s", login);
            scenario = new FleetScenario(vertx, plan, "127.0.0.1", controller.httpPort(), controller.mqttUrl(),
                    secrets, line -> say("%s", line));
            setUp(scenario);
            say("%s  (Ctrl-C to stop)", login);
            watch(scenario);
        } catch (RuntimeException e) {
            if (!stopping) {
                say("demo failed: %s", e.getMessage());
                rc = 1;
            }
        } catch (InterruptedException e) {
            // Ctrl-C
        } finally {
            Thread.interrupted(); // clean up with a clear interrupt flag
            if (scenario != null) {
                say("stopping %d agent processes", plan.realAgents() + 1);
                scenario.close();
            }
            if (controller != null) {
                say("stopping the controller");
                try {
                    ApiClient.await(controller.stop(), "stopping the controller");
                } catch (RuntimeException e) {
                    say("unclean controller stop: %s", e.getMessage());
                }
            }
            ApiClient.await(vertx.close(), "closing Vert.x");
            say("stopped; logs and state under %s", data);
            finished.countDown();
        }
        return rc;
    }

    private void setUp(FleetScenario s) throws IOException {
        s.registerModel();
        s.loadCatalog();
        String search = s.startSearch();
        s.startAgents();
        s.awaitSearch(search);
        s.rollOut(s.createBundle());
        s.startGeneration();
        for (String id : s.realIds()) {
            GeneratedImage img = s.awaitImage(id);
            Path file = s.plan().workDir().resolve(id + "-first.png");
            Files.write(file, img.getPng().toByteArray());
            say("%s (%s) generated %dx%d seed %d with %s in %.0f ms -> %s", id, img.getRecord().getDelegate(),
                    img.getWidth(), img.getHeight(), img.getSeed(), img.getRecord().getScheduleId(), img.getRecord().getTotalMillis(), file);
        }
        s.setTargets(16);
    }

    /**
     * The demo's controller, set up as a real install: loopback, API tokens, no device login but those
     * the devices enrol for (no credentials file), and (nothing configured) a broker login the
     * controller makes up itself.
     */
    static ControllerConfig controllerConfig(Path data, int httpPort, int brokerPort, DemoSecrets secrets) {
        return ConfigLoader.fromMap(Map.of("fleet", "demo", "instance.id", "demo-controller",
                "http.host", "127.0.0.1", "http.port", Integer.toString(httpPort),
                "data.dir", data.resolve("controller").toString(), "broker.port", Integer.toString(brokerPort),
                "api.tokens.file", secrets.apiTokensFile().toString(),
                // where run() stages the shipped model and catalog: the only files the API may name
                "models.dir", data.resolve("controller").resolve("models").toString()));
    }

    /** Status every 10 s, new retune decisions as they appear, and the slow-down / recovery cycle. */
    private void watch(FleetScenario s) throws InterruptedException {
        Instant started = Instant.now();
        Set<String> seenJobs = new HashSet<>();
        long lastImages = s.load().images();
        long lastStatus = System.nanoTime();
        int cycle = -1;
        List<String> slowed = List.of();
        List<String> sims = s.simIds();
        while (!stopping) {
            long t = Duration.between(started, Instant.now()).toSeconds();
            if (options.duration() != null && t >= options.duration().toSeconds()) {
                say("ran for %s: done", options.duration());
                return;
            }
            int c = (int) (t / CYCLE_S);
            long inCycle = t % CYCLE_S;
            if (c != cycle && inCycle >= SLOW_AT_S) {
                cycle = c;
                slowed = new ArrayList<>();
                for (int i = 0; i < Math.min(SLOWED_PER_CYCLE, sims.size()); i++) {
                    slowed.add(sims.get((c * SLOWED_PER_CYCLE + i) % sims.size()));
                }
                say("slowing %d simulated devices down x%.0f (as if throttled): %s", slowed.size(), SLOW_FACTOR, slowed);
                s.slowDown(slowed, SLOW_FACTOR);
            }
            if (!slowed.isEmpty() && inCycle >= RECOVER_AT_S) {
                say("recovering %s", slowed);
                s.recover(slowed);
                slowed = List.of();
            }
            for (String id : s.deviceIds()) {
                for (JsonObject d : s.decisions(id)) {
                    if (seenJobs.add(d.getString("jobId"))) {
                        say("retune %s: %s -> %s: %s", id, d.getString("from"), d.getString("to"), d.getString("reason"));
                    }
                }
            }
            long now = System.nanoTime();
            if (now - lastStatus >= 10_000_000_000L) {
                long images = s.load().images();
                say("%d/%d online, %d images (%.1f/s), %d errors; schedules in use: %s", s.online(),
                        s.plan().deviceCount(), images, (images - lastImages) * 1e9 / (now - lastStatus),
                        s.load().errors() + s.load().timeouts(), s.scheduleCounts());
                lastImages = images;
                lastStatus = now;
            }
            Thread.sleep(2_000);
        }
    }

    /** The data directory, emptied if a previous demo left it (marked by a file), refused otherwise. */
    static Path prepareDataDir(Path dir) throws IOException {
        Path marker = dir.resolve(".c2f-demo");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                boolean empty = s.findAny().isEmpty();
                if (!empty && !Files.exists(marker)) {
                    throw new IllegalArgumentException("--data-dir " + dir + " is not empty and not a demo directory; "
                            + "name an empty or new one");
                }
            }
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        // 0700: it holds the generated secrets and the logs
        OwnerOnly.directory(dir);
        Files.writeString(marker, "created by c2f-demo at " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS)
                + "; the next demo run empties this directory\n");
        return dir.toAbsolutePath();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
