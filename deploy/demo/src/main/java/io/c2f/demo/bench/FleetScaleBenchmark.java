package io.c2f.demo.bench;

import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.telemetry.SpoolDurability;
import io.c2f.agent.telemetry.TelemetrySpool;
import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.NoopControllerMetrics;
import io.c2f.controller.testing.Ports;
import io.c2f.demo.DemoLogging;
import io.c2f.demo.SimulatorProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fleet-scale run (issue 18): N simulated devices in several {@code c2f-agent simulate}
 * processes against one controller for a bounded time, each device sending one telemetry record
 * per {@code interval} (its latency totals, {@code c2f.telemetry.interval}) besides its normal
 * heartbeats and state. Not a test: run it by hand.
 *
 * <pre>
 * java -cp deploy/demo/target/c2f-demo.jar io.c2f.demo.bench.FleetScaleBenchmark [--devices=10000] [--processes=5]
 *     [--seconds=300] [--interval=10s] [--drain=60] [--online.timeout=SECONDS] [--sim.heap=MEGABYTES] [--spool.durability=memory]
 *     [--agent.jar=edge-agent/target/c2f-agent.jar] [--requests=50] [--loads=5]
 *     [--db.url=jdbc:postgresql://... --db.user=... --db.password=...] [--telemetry.batch.size=... ...]
 * </pre>
 *
 * <p>Steps, each failing loudly (with the simulators' last output) and always stopping the
 * simulators and the controller:
 * <ol>
 *   <li>The controller starts in this JVM with its embedded broker; the simulators start in their
 *       own JVMs and their devices connect without credentials ({@code broker.allow.anonymous},
 *       loopback only, as in {@link IngestBenchmark}: enrolment is not what is measured). The run
 *       waits until the fleet page's summary counts every device online from its birth.</li>
 *   <li>For {@code seconds}: records stored per second, and for every record sent in that window its
 *       time from the device's publish (its header's sent time) to the controller's commit of it
 *       (both on this machine's clock, reported by the controller per stored record:
 *       {@code ControllerMetrics.reportTelemetryStored}); the controller's RSS (this JVM: controller,
 *       embedded broker and this small benchmark) and CPU, separately from the simulators'.</li>
 *   <li>With the devices still online and sending: {@code /api/v1/devices} response times and the
 *       fleet page's load time in headless Chromium, as {@link FleetPageBenchmark} measures them.</li>
 *   <li>A clean end: every simulator's devices stop creating telemetry records ({@code telemetry
 *       pause all} on its console; heartbeats and sending go on), and the run waits, at most {@code
 *       drain} seconds, until every simulator answers 0 records spooled and the stored count has not
 *       changed for 3 s. Without it the records created in the last moments were still in the
 *       devices' spools at the stop (not lost: a real agent sends them when it starts again), and
 *       the share below missed them.</li>
 *   <li>The simulators are stopped (SIGTERM: the devices close) and the records the devices created
 *       (read from their telemetry spools on disk: next {@code telemetry_seq} - 1) are compared with
 *       the records stored: the share stored (goal: at least 99.9 %), beside the records still in the
 *       spools (0 after a clean end) and those the controller counted lost. A record still in a
 *       spool counts as not stored.</li>
 * </ol>
 */
public final class FleetScaleBenchmark {
    private static final String FLEET = "bench";
    /** How long the stored count must stay unchanged, with the spools empty, for the clean end to be done. */
    private static final long QUIET_MS = 3_000;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private FleetScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = BenchArgs.parse(args);
        int devices = Integer.parseInt(opts.getOrDefault("devices", "10000"));
        int processes = Integer.parseInt(opts.getOrDefault("processes", "5"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "300"));
        String interval = opts.getOrDefault("interval", "10s");
        // the simulators' own default (their devices' spools are not what is measured); fsync or page-cache to compare
        SpoolDurability spoolDurability;
        try {
            spoolDurability = SpoolDurability.parse(opts.getOrDefault("spool.durability", "memory"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--spool.durability " + e.getMessage(), e);
        }
        int drain = Integer.parseInt(opts.getOrDefault("drain", "60"));
        int onlineTimeout = Integer.parseInt(opts.getOrDefault("online.timeout", Integer.toString(60 + devices / 20)));
        int requests = Integer.parseInt(opts.getOrDefault("requests", "50"));
        int loads = Integer.parseInt(opts.getOrDefault("loads", "5"));
        Path agentJar = Path.of(opts.getOrDefault("agent.jar", "edge-agent/target/c2f-agent.jar"));
        if (devices < processes || processes < 1 || seconds < 1) {
            throw new IllegalArgumentException("need --processes >= 1, --devices >= --processes and --seconds >= 1; got "
                    + devices + " devices, " + processes + " processes, " + seconds + " s");
        }
        if (!Files.isRegularFile(agentJar)) {
            throw new IllegalArgumentException("no agent jar at " + agentJar.toAbsolutePath()
                    + ": build it (./mvnw -o -q -pl edge-agent -am install -DskipTests) or pass --agent.jar=PATH");
        }
        int perProcess = (devices + processes - 1) / processes;
        String simHeap = opts.getOrDefault("sim.heap", Integer.toString(256 + perProcess)) + "m";
        Path dir = Files.createTempDirectory("c2f-fleet-scale");

        Map<String, String> values = new HashMap<>(Map.of("fleet", FLEET, "instance.id", "bench", "http.port", "0",
                "data.dir", dir.resolve("controller").toString(), "broker.port", Integer.toString(Ports.freePort()),
                // the simulated devices connect without credentials: loopback only
                "broker.allow.anonymous", "true"));
        for (String k : List.of("db.url", "db.user", "db.password", "db.pool.size", "telemetry.batch.size",
                "telemetry.batch.delay.ms", "telemetry.queue.capacity", "telemetry.writers", "telemetry.ack")) {
            if (opts.containsKey(k)) {
                values.put(k, opts.get(k));
            }
        }
        ControllerConfig config = ConfigLoader.fromMap(values);
        System.out.printf("fleet-scale benchmark: %d devices in %d simulator processes (-Xmx%s each), one telemetry "
                + "record per %s per device (device spools: %s), %d s measured, database %s, work dir %s%n", devices,
                processes, simHeap, interval, spoolDurability.key(), seconds, config.dbUrl().isEmpty() ? "embedded H2" : config.dbUrl(), dir);

        // a line per birth and death would bury the results: the controller's log goes to a file
        DemoLogging.toFile(dir.resolve("controller.log"));
        System.out.println("controller log: " + dir.resolve("controller.log"));
        Vertx vertx = Vertx.vertx();
        Stored stored = new Stored();
        Controller controller = Controller.start(vertx, config, stored).await(60, TimeUnit.SECONDS);
        List<SimulatorProcess> sims = new ArrayList<>();
        List<SimulatorProcess.Fleet> fleets = new ArrayList<>();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + controller.httpPort();
            // an earlier run's devices have the same ids: their stored telemetry_seq would make this run's records
            // duplicates, and the share stored wrong
            long known = new JsonObject(RolloutBenchmark.get(http, base + "/api/v1/dashboard/fleet?limit=1")).getJsonObject("summary")
                    .getLong("total");
            if (known > 0) {
                throw new IllegalStateException("the database " + config.dbUrl() + " already holds " + known
                        + " devices of fleet '" + FLEET + "' from an earlier run: drop and recreate it, or pass another "
                        + "--db.url");
            }
            Path key = dir.resolve("controller.pub");
            Files.writeString(key, RolloutBenchmark.get(http, base + "/api/v1/keys/bundle-signing"));
            for (int i = 0; i < processes; i++) {
                int n = Math.min(perProcess, devices - i * perProcess);
                SimulatorProcess.Fleet fleet = new SimulatorProcess.Fleet("fs" + i, n, 100_000, 3, i + 1);
                fleets.add(fleet);
                sims.add(SimulatorProcess.start(agentJar, simHeap, List.of("-Dc2f.telemetry.interval=" + interval,
                        "-Dc2f.telemetry.spool.durability=" + spoolDurability.key()),
                        controller.mqttUrl(), FLEET, fleet, null, key, dir.resolve("sim-" + i)));
            }
            long t = System.nanoTime();
            awaitOnline(http, base, devices, sims, onlineTimeout);
            System.out.printf("%d devices online (births registered) in %.1f s%n", devices, (System.nanoTime() - t) / 1e9);

            ProcessCpu cpu = ProcessCpu.start(sims.stream().map(s -> ProcessHandle.of(s.pid()).orElseThrow()).toList(),
                    config.mqttUrl());
            long before = stored.count();
            long t0 = System.nanoTime();
            stored.openWindow(System.currentTimeMillis());
            long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(1000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
                requireAlive(sims);
            }
            stored.closeWindow(System.currentTimeMillis());
            double wall = (System.nanoTime() - t0) / 1e9;
            long inWindow = stored.count() - before;
            String cpuLine = cpu.finish(wall);
            double controllerCpu = cpu.controllerSeconds();
            long controllerRss = FleetPageBenchmark.rssKib(ProcessHandle.current().pid());
            long simRss = sims.stream().mapToLong(s -> Math.max(0, FleetPageBenchmark.rssKib(s.pid()))).sum();

            System.out.printf("records stored: %.1f /s over %.1f s (%d records; the devices send %.1f /s: devices / "
                    + "interval)%n", inWindow / wall, wall, inWindow, devices / (AgentConfig.parseDuration("--interval", interval).toMillis() / 1000.0));
            System.out.println("publish to stored (records sent in the window): " + stored.publishToStored());
            System.out.println("receipt to stored (controller's queue + write):  " + stored.receiptToStored());
            System.out.printf("controller (this JVM, embedded broker%s): RSS %.0f MiB, CPU %.1f s = %.2f cores on "
                    + "average%n", config.embeddedBroker() ? " included" : " outside", controllerRss / 1024.0,
                    controllerCpu, controllerCpu / wall);
            System.out.printf("simulators: RSS %.0f MiB in all (%.2f MiB per device)%n", simRss / 1024.0,
                    simRss / 1024.0 / devices);
            System.out.println("CPU: " + cpuLine);

            FleetPageBenchmark.time(http, base, "/api/v1/devices?limit=100", "devices API, first page of 100 "
                    + "(under load)", requests, 0);
            FleetPageBenchmark.time(http, base, "/api/v1/devices?limit=100&q=fs0-00", "devices API, search q=fs0-00 "
                    + "(under load)", requests, 0);
            FleetPageBenchmark.pageLoads(base, dir.resolve("chromium-profile"), loads);

            quiesce(sims, stored, drain);
            stop(sims);
            share(stored, fleets, dir);
        } finally {
            for (SimulatorProcess s : sims) {
                s.close();
            }
            controller.stop().await(30, TimeUnit.SECONDS);
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    /** Until the fleet page's summary counts every device online; fails on a timeout or a simulator that ended. */
    private static void awaitOnline(HttpClient http, String base, int devices, List<SimulatorProcess> sims,
            int timeoutSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long online = 0;
        long lastPrint = System.nanoTime();
        while (online < devices) {
            requireAlive(sims);
            if (System.nanoTime() > deadline) {
                StringBuilder tails = new StringBuilder();
                for (SimulatorProcess s : sims) {
                    tails.append("\n--- ").append(s.logFile()).append(":\n").append(s.tail());
                }
                throw new IllegalStateException("only " + online + " of " + devices + " devices came online within "
                        + timeoutSeconds + " s (--online.timeout); the simulators' last output:" + tails);
            }
            Thread.sleep(1000);
            online = new JsonObject(RolloutBenchmark.get(http, base + "/api/v1/dashboard/fleet?limit=1")).getJsonObject("summary")
                    .getLong("online");
            if (System.nanoTime() - lastPrint > TimeUnit.SECONDS.toNanos(10)) {
                System.out.printf("  %d of %d devices online%n", online, devices);
                lastPrint = System.nanoTime();
            }
        }
    }

    private static void requireAlive(List<SimulatorProcess> sims) {
        for (SimulatorProcess s : sims) {
            if (!s.isAlive()) {
                throw new IllegalStateException("simulator " + s.logFile() + " ended: " + s.tail());
            }
        }
    }

    /**
     * SIGTERM to every simulator at once (their devices close and say goodbye), up to a minute for
     * them to end; one that does not is killed, and says so: a device killed mid-append may count
     * one record it never finished.
     */
    private static void stop(List<SimulatorProcess> sims) throws InterruptedException {
        for (SimulatorProcess s : sims) {
            ProcessHandle.of(s.pid()).ifPresent(ProcessHandle::destroy);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sims.stream().anyMatch(SimulatorProcess::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        for (SimulatorProcess s : sims) {
            if (s.isAlive()) {
                System.out.println("simulator " + s.logFile() + " did not end within 60 s of SIGTERM: killed");
                s.close();
            }
        }
    }

    /**
     * Pauses record creation on every simulator's devices, then waits until every simulator
     * answers 0 records spooled and neither that nor the stored count changed for QUIET_MS, at most
     * {@code seconds}: every record created has then been sent, and stored or counted lost.
     */
    private static void quiesce(List<SimulatorProcess> sims, Stored stored, int seconds) throws InterruptedException {
        long t0 = System.nanoTime();
        int paused = 0;
        for (SimulatorProcess s : sims) {
            s.command("telemetry pause all", COMMAND_TIMEOUT);
            paused += s.telemetryStatus(COMMAND_TIMEOUT).paused();
        }
        long deadline = t0 + TimeUnit.SECONDS.toNanos(seconds);
        long lastStored = -1;
        long lastSpooled = -1;
        long quietSince = System.nanoTime();
        while (true) {
            long spooled = 0;
            for (SimulatorProcess s : sims) {
                spooled += s.telemetryStatus(COMMAND_TIMEOUT).spooled();
            }
            long n = stored.count();
            if (n != lastStored || spooled != lastSpooled) {
                lastStored = n;
                lastSpooled = spooled;
                quietSince = System.nanoTime();
            }
            boolean quiet = System.nanoTime() - quietSince >= TimeUnit.MILLISECONDS.toNanos(QUIET_MS);
            if (spooled == 0 && quiet || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(200);
        }
        System.out.printf("clean end: record creation paused on %d devices; after %.1f s %d records spooled, %d stored "
                + "(ends at 0 spooled and %d ms without a new record, at most %d s: --drain)%n", paused,
                (System.nanoTime() - t0) / 1e9, lastSpooled, lastStored, QUIET_MS, seconds);
    }

    /**
     * Records created by the devices (each spool's next telemetry_seq - 1: every device started with
     * an empty state directory), those still in a spool (0 after a clean end), and the share stored.
     */
    private static void share(Stored stored, List<SimulatorProcess.Fleet> fleets, Path dir) throws IOException {
        long created = 0;
        long spooled = 0;
        for (int i = 0; i < fleets.size(); i++) {
            SimulatorProcess.Fleet fleet = fleets.get(i);
            Path state = SimulatorProcess.stateDir(dir.resolve("sim-" + i));
            for (int d = 0; d < fleet.devices(); d++) {
                Path spoolDir = state.resolve(fleet.deviceId(d)).resolve("telemetry");
                if (!Files.isDirectory(spoolDir)) {
                    throw new IllegalStateException("device " + fleet.deviceId(d) + " left no telemetry spool at "
                            + spoolDir + ": the simulator's state layout changed, so records created cannot be counted");
                }
                // a capacity no spool reaches: opening it must not drop anything
                TelemetrySpool spool = new TelemetrySpool(spoolDir, Integer.MAX_VALUE);
                created += spool.nextSeq() - 1;
                spooled += spool.size();
            }
        }
        long n = stored.count();
        System.out.printf("share stored: %d of %d records the devices created = %.3f %% (goal >= 99.9 %%); %d were "
                + "still in the devices' spools when they stopped; the controller counted %d as lost (spool drops, "
                + "seq gaps)%n", n, created, created == 0 ? 0 : 100.0 * n / created, spooled, stored.lost());
    }

    /**
     * Counts the records stored and keeps, for those the devices sent within the measured window,
     * the milliseconds from publish to commit and from receipt to commit. Called on the controller's
     * event loops, once per record: an append to an array, nothing more.
     */
    private static final class Stored extends NoopControllerMetrics {
        private final AtomicLong stored = new AtomicLong();
        private final AtomicLong lost = new AtomicLong();
        private volatile long windowStartMs = Long.MAX_VALUE;
        private volatile long windowEndMs = Long.MAX_VALUE;
        private int[] publishMs = new int[1 << 16];
        private int[] receiptMs = new int[1 << 16];
        private int samples;

        void openWindow(long startMs) {
            windowStartMs = startMs;
        }

        void closeWindow(long endMs) {
            windowEndMs = endMs;
        }

        long count() {
            return stored.get();
        }

        long lost() {
            return lost.get();
        }

        @Override
        public void reportTelemetryStored(String deviceId, long telemetrySeq, long sentAtMs, long receivedAtMs,
                long storedAtMs) {
            stored.incrementAndGet();
            if (sentAtMs >= windowStartMs && sentAtMs < windowEndMs) {
                sample((int) Math.min(Integer.MAX_VALUE, storedAtMs - sentAtMs),
                        (int) Math.min(Integer.MAX_VALUE, storedAtMs - receivedAtMs));
            }
        }

        @Override
        public void reportTelemetryLost(long records) {
            lost.addAndGet(records);
        }

        private synchronized void sample(int publish, int receipt) {
            if (samples == publishMs.length) {
                publishMs = Arrays.copyOf(publishMs, samples * 2);
                receiptMs = Arrays.copyOf(receiptMs, samples * 2);
            }
            publishMs[samples] = publish;
            receiptMs[samples] = receipt;
            samples++;
        }

        synchronized String publishToStored() {
            return quantiles(Arrays.copyOf(publishMs, samples));
        }

        synchronized String receiptToStored() {
            return quantiles(Arrays.copyOf(receiptMs, samples));
        }

        private static String quantiles(int[] ms) {
            if (ms.length == 0) {
                return "no records";
            }
            Arrays.sort(ms);
            return String.format("p50 %d ms, p99 %d ms, max %d ms (%d records)", ms[index(ms.length, 0.5)],
                    ms[index(ms.length, 0.99)], ms[ms.length - 1], ms.length);
        }

        private static int index(int n, double q) {
            return (int) Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
        }
    }
}
