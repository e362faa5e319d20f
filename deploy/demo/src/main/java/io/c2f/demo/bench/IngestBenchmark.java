package io.c2f.demo.bench;

import io.c2f.controller.Controller;
import io.c2f.controller.broker.EmbeddedBroker;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.NoopControllerMetrics;
import io.c2f.controller.rollout.RolloutSettings;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.IntervalAggregate;
import io.c2f.proto.v1.Telemetry;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Telemetry ingest throughput of one controller, beside the broker's own ceiling measured in the
 * same run. Not a test: run it by hand.
 *
 * <pre>
 * java -cp deploy/demo/target/c2f-demo.jar io.c2f.demo.bench.IngestBenchmark [--records=200000] [--warmup=400000] [--devices=1000]
 *     [--clients=4] [--window=500] [--mqtt.url=tcp://127.0.0.1:1883] [--db.url=jdbc:postgresql://...
 *     --db.user=... --db.password=...] [--agent.jar=edge-agent/target/c2f-agent.jar --agents=200 --bundle.mb=4
 *     --canary=1 --growth=2.0 --sim.jvm="-Xmx2g" --chunks.in.flight=32 --delta=true] [--instances=2 (with --mqtt.url and --db.url)] [--telemetry.batch.size=500 --telemetry.writers=2
 *     --telemetry.batch.delay.ms=20 --telemetry.queue.capacity=20000 --telemetry.ack=queued|stored]
 * </pre>
 *
 * <p>With {@code --agent.jar} it first times a rollout (see {@link RolloutBenchmark}), then (unless
 * {@code --delta=false}) rolls out a schedule-only bundle to the same agents and prints the bytes
 * sent per device for both; {@code --records=0} runs only that.
 *
 * <p>Publishers: {@code devices} device ids multiplexed over {@code clients} Vert.x MQTT clients
 * (device i publishes through client i mod clients, with its own header sequence), each client
 * keeping {@code window} QoS 1 publishes unacknowledged; records go round-robin over the devices.
 * <ol>
 *   <li>Ceiling: the same publishers to the broker, one plain QoS 1 subscriber, no controller;
 *       the rate is records received by the subscriber per second.</li>
 *   <li>Controller: births for every device, then the records; the rate is records stored
 *       (first insert of each (device, seq)) per second, timed from the first publish to the
 *       last store.</li>
 * </ol>
 * Without {@code --mqtt.url} both phases use the embedded broker, the ceiling phase a
 * stand-alone instance of it. Each phase first sends {@code warmup} untimed records: the JIT
 * compiles the broker's, controller's and database's paths meanwhile (in a 400,000-record run
 * without it, compiling took as much CPU as the database), as in a controller that has run a while.
 * Each phase prints its CPU per record by process and thread group, and the ingest phase what 90 %
 * of the ceiling would leave the controller and database when the ceiling phase was CPU-bound.
 */
public final class IngestBenchmark {
    private static final String FLEET = "bench";

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = BenchArgs.parse(args);
        long records = Long.parseLong(opts.getOrDefault("records", "200000"));
        int devices = Integer.parseInt(opts.getOrDefault("devices", "1000"));
        int clients = Integer.parseInt(opts.getOrDefault("clients", "4"));
        int window = Integer.parseInt(opts.getOrDefault("window", "500"));
        long warmup = Long.parseLong(opts.getOrDefault("warmup", "400000"));
        String mqttUrl = opts.getOrDefault("mqtt.url", "");
        // several instances need a broker with shared subscriptions (mqtt.url) and one database (db.url)
        int instances = Integer.parseInt(opts.getOrDefault("instances", "1"));
        Path data = Files.createTempDirectory("c2f-bench");

        Map<String, String> values = new HashMap<>();
        values.put("fleet", FLEET);
        values.put("instance.id", "bench");
        values.put("http.port", "0");
        values.put("data.dir", data.toString());
        values.put("broker.port", Integer.toString(freePort()));
        // its load clients and simulated agents connect without credentials: loopback only
        values.put("broker.allow.anonymous", "true");
        for (String k : List.of("mqtt.url", "db.url", "db.user", "db.password", "db.pool.size", "telemetry.batch.size",
                "telemetry.batch.delay.ms", "telemetry.queue.capacity", "telemetry.writers", "telemetry.ack")) {
            if (opts.containsKey(k)) {
                values.put(k, opts.get(k));
            }
        }
        ControllerConfig config = ConfigLoader.fromMap(values);
        System.out.printf("ingest benchmark: %d records from %d devices over %d clients (window %d each)%s, broker %s, "
                + "database %s%n", records, devices, clients, window,
                records == 0 ? "" : ", each phase timed after " + warmup + " untimed records",
                mqttUrl.isEmpty() ? "embedded broker" : mqttUrl, config.dbUrl().isEmpty() ? "embedded H2" : config.dbUrl());

        String agentJar = opts.getOrDefault("agent.jar", "");
        if (!agentJar.isEmpty()) {
            // first, while the machine is quiet; in a fleet of its own and a data dir of its own
            int agents = Integer.parseInt(opts.getOrDefault("agents", "200"));
            int bundleBytes = (int) (Double.parseDouble(opts.getOrDefault("bundle.mb", "4")) * (1 << 20));
            Path rolloutDir = Files.createTempDirectory("c2f-bench-rollout");
            ControllerConfig rolloutConfig = config.with(Map.of("fleet", "bench-rollout", "data.dir",
                    rolloutDir.toString(), "broker.port", Integer.toString(freePort())));
            RolloutBenchmark.run(rolloutConfig, Path.of(agentJar), agents, bundleBytes, new JsonObject()
                    .put("canary", Integer.parseInt(opts.getOrDefault("canary", "1")))
                    .put("growth", Double.parseDouble(opts.getOrDefault("growth", "2.0"))), rolloutDir,
                    List.of(opts.getOrDefault("sim.jvm", "-Xmx2g").trim().split("\\s+")),
                    Integer.parseInt(opts.getOrDefault("chunks.in.flight",
                            Integer.toString(RolloutSettings.defaults().chunksInFlight()))),
                    Boolean.parseBoolean(opts.getOrDefault("delta", "true")));
        }
        if (records == 0) {
            return;
        }
        Vertx vertx = Vertx.vertx();
        try {
            Phase ceiling = ceiling(vertx, config, records, devices, clients, window, warmup);
            System.out.printf("broker ceiling: %.0f records/s (plain subscriber, no controller)%n", ceiling.rate());
            String broker = mqttUrl.isEmpty() ? "broker, " : "";
            System.out.println("  " + ceiling.cpuLine(records, "publishers, " + broker + "subscriber"));
            Phase ingest = ingest(config, records, devices, clients, window, instances, warmup);
            System.out.printf("controller ingest (%d instance%s): %.0f records/s stored (%.0f%% of the broker "
                    + "ceiling)%n", instances, instances == 1 ? "" : "s, shared group", ingest.rate(),
                    100 * ingest.rate() / ceiling.rate());
            System.out.println("  " + ingest.cpuLine(records, "publishers, " + broker + "controller"));
            System.out.println("  " + budget(ceiling, ingest, records));
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    private static Phase ceiling(Vertx vertx, ControllerConfig config, long records, int devices, int clients,
            int window, long warmup) throws Exception {
        EmbeddedBroker broker = config.embeddedBroker()
                ? EmbeddedBroker.start(vertx, config).await(30, TimeUnit.SECONDS) : null;
        try {
            String url = broker != null ? broker.url() : config.effectiveMqttUrl();
            AtomicLong received = new AtomicLong();
            MqttClient sub = MqttClient.create(vertx, new MqttClientOptions().setClientId("bench-subscriber")
                    .setCleanSession(true).setMaxMessageSize(1 << 20).setMaxInflightQueue(window));
            sub.publishHandler(m -> received.incrementAndGet());
            URI u = URI.create(url);
            // an earlier run's controller left its persistent session on an external broker: it would queue
            // this phase's records and the controller phase would ingest them too. A clean session ends it.
            MqttClient wipe = MqttClient.create(vertx, new MqttClientOptions()
                    .setClientId("c2f-controller-" + config.instanceId()).setCleanSession(true));
            wipe.connect(u.getPort(), u.getHost()).await(10, TimeUnit.SECONDS);
            wipe.disconnect().await(10, TimeUnit.SECONDS);
            sub.connect(u.getPort(), u.getHost()).await(10, TimeUnit.SECONDS);
            sub.subscribe(Topics.fleet(FLEET).allDevices(Channel.TELEMETRY), 1).await(10, TimeUnit.SECONDS);
            Publishers pubs = Publishers.connect(vertx, url, "ceil", devices, clients, window);
            if (warmup > 0) {
                pubs.telemetry(pubs.prepare(warmup));
                awaitProgress(received, warmup, url);
            }
            Publishers.Prepared prepared = pubs.prepare(records);
            ThreadCpu cpu = ThreadCpu.start(IngestBenchmark::threadGroup);
            long t0 = System.nanoTime();
            pubs.telemetry(prepared);
            awaitProgress(received, warmup + records, url);
            double seconds = (System.nanoTime() - t0) / 1e9;
            ThreadCpu.Usage used = cpu.finish();
            pubs.close();
            sub.disconnect().await(10, TimeUnit.SECONDS);
            return new Phase(records / seconds, used);
        } finally {
            if (broker != null) {
                broker.close().await(30, TimeUnit.SECONDS);
            }
        }
    }

    /** instances > 1: that many controllers (each its own Vert.x, ids bench-0..) in one shared group. */
    private static Phase ingest(ControllerConfig config, long records, int devices, int clients, int window,
            int instances, long warmup) throws Exception {
        Vertx publisherVertx = Vertx.vertx();
        List<Vertx> controllerVertx = new ArrayList<>();
        List<Controller> controllers = new ArrayList<>();
        List<Counting> metrics = new ArrayList<>();
        try {
            for (int i = 0; i < instances; i++) {
                Vertx v = Vertx.vertx();
                controllerVertx.add(v);
                Counting m = new Counting();
                metrics.add(m);
                ControllerConfig c = instances == 1 ? config : config.with(Map.of("instance.id", "bench-" + i,
                        "mqtt.shared.group", "bench", "http.port", "0"));
                controllers.add(Controller.start(v, c, m).await(60, TimeUnit.SECONDS));
            }
            Publishers pubs = Publishers.connect(publisherVertx, controllers.get(0).mqttUrl(), "dev", devices, clients,
                    window);
            pubs.births();
            // every instance hears every birth
            waitFor(() -> metrics.stream().allMatch(m -> m.online.get() >= devices), "births of " + devices + " devices");
            Thread.sleep(1000); // their rows are written after the in-memory session: let them land
            long before = metrics.stream().mapToLong(m -> m.stored.get()).sum();
            if (warmup > 0) {
                // the JIT compiles the controller's and the database's paths here, as in a controller that has run a while
                pubs.telemetry(pubs.prepare(warmup));
                waitFor(() -> metrics.stream().mapToLong(m -> m.stored.get()).sum() - before >= warmup,
                        warmup + " warm-up records stored");
            }
            long base = metrics.stream().mapToLong(m -> m.stored.get()).sum();
            Publishers.Prepared prepared = pubs.prepare(records);
            ThreadCpu cpu = ThreadCpu.start(IngestBenchmark::threadGroup);
            long t0 = System.nanoTime();
            pubs.telemetry(prepared);
            waitFor(() -> metrics.stream().mapToLong(m -> m.stored.get()).sum() - base >= records,
                    records + " records stored");
            double seconds = (System.nanoTime() - t0) / 1e9;
            ThreadCpu.Usage used = cpu.finish();
            pubs.close();
            if (instances > 1) {
                System.out.printf("records stored per instance: %s%n", metrics.stream().map(m -> m.stored.get())
                        .toList());
            }
            return new Phase(records / seconds, used);
        } finally {
            for (Controller c : controllers) {
                c.stop().await(30, TimeUnit.SECONDS);
            }
            publisherVertx.close().await(30, TimeUnit.SECONDS);
            for (Vertx v : controllerVertx) {
                v.close().await(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A thread's group: the controller's database workers ("c2f-db-...": JDBC, and H2 itself, which
     * runs in its caller's thread), Vert.x event loops and workers (publishers, subscriber, controller
     * and embedded broker alike: they share the names), the rest by name without its numbers.
     */
    private static String threadGroup(String name) {
        if (name.startsWith("c2f-db")) {
            return "database workers";
        }
        if (name.startsWith("vert.x-eventloop")) {
            return "event loops";
        }
        if (name.startsWith("vert.x-")) {
            return "vert.x workers";
        }
        return name.replaceAll("[0-9]+", "N");
    }

    /** A phase's rate and the CPU it used. */
    private record Phase(double rate, ThreadCpu.Usage cpu) {
        /** CPU per record by part, and how busy the machine's cores were. */
        String cpuLine(long records, String jvmParts) {
            ThreadCpu.Usage u = cpu;
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "CPU per record: this JVM %.1f us (%s:",
                    u.processSeconds() * 1e6 / records, jvmParts));
            int shown = 0;
            double rest = 0;
            for (Map.Entry<String, Double> g : u.groups().entrySet()) {
                double us = g.getValue() * 1e6 / records;
                if (shown < 4 && us >= 0.5) {
                    b.append(shown == 0 ? " " : ", ").append(String.format(Locale.ROOT, "%s %.1f", g.getKey(), us));
                    shown++;
                } else {
                    rest += us;
                }
            }
            if (rest >= 0.5) {
                b.append(String.format(Locale.ROOT, ", other threads %.1f", rest));
            }
            b.append(String.format(Locale.ROOT, "; JIT compiling %.1f s, collections %.1f s)", u.jitSeconds(),
                    u.gcSeconds()));
            if (u.mosquittoSeconds() * 1e6 / records >= 0.5) { // not an idle broker beside an embedded one
                b.append(String.format(Locale.ROOT, ", mosquitto %.1f us", u.mosquittoSeconds() * 1e6 / records));
            }
            if (u.postgresSeconds() > 0) {
                b.append(String.format(Locale.ROOT, ", postgres %.1f us", u.postgresSeconds() * 1e6 / records));
            }
            b.append(String.format(Locale.ROOT, "; %.2f of %d cores busy", u.totalSeconds() / u.wallSeconds(), CORES));
            return b.toString();
        }
    }

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    /**
     * When the ceiling phase kept the cores busy, storing at 90 % of its rate on the same cores leaves
     * the controller and database (CPU per record of the ingest phase beyond the ceiling phase's) at
     * most cores / (0.9 ceiling) - the ceiling phase's CPU per record.
     */
    private static String budget(Phase ceiling, Phase ingest, long records) {
        double ceilingPer = ceiling.cpu().totalSeconds() * 1e6 / records;
        double ingestPer = ingest.cpu().totalSeconds() * 1e6 / records;
        double busy = ceiling.cpu().totalSeconds() / ceiling.cpu().wallSeconds();
        if (busy < 0.9 * CORES) {
            return String.format(Locale.ROOT, "the ceiling phase kept %.2f of %d cores busy: it was not CPU-bound, so "
                    + "the cores alone do not bound the share", busy, CORES);
        }
        double budget = CORES * 1e6 / (0.9 * ceiling.rate()) - ceilingPer;
        return String.format(Locale.ROOT, "the ceiling phase kept the %d cores busy at %.1f us per record: storing at "
                + "90 %% of it on them leaves the controller and database %.1f us per record beyond that; they used "
                + "%.1f", CORES, ceilingPer, budget, ingestPer - ceilingPer);
    }

    /**
     * Waits for the subscriber to have every record; stops with the reason when nothing more arrives
     * for 20 s: a broker with a limit on queued messages (Mosquitto's default max_queued_messages
     * 1000) drops what a slow subscriber has not taken, and the count never completes.
     */
    private static void awaitProgress(AtomicLong received, long records, String url) throws InterruptedException {
        long last = -1;
        long lastChange = System.nanoTime();
        while (received.get() < records) {
            long now = received.get();
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(20)) {
                throw new IllegalStateException("the ceiling subscriber got " + now + " of " + records + " records and "
                        + "nothing more for 20 s: the broker at " + url + " dropped messages (Mosquitto: set "
                        + "max_queued_messages 0 and max_inflight_messages 100, see deploy/demo/README.md)");
            }
            Thread.sleep(5);
        }
    }

    private static void waitFor(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Counts devices born and records stored (not duplicates). */
    private static final class Counting extends NoopControllerMetrics {
        final AtomicLong online = new AtomicLong();
        final AtomicLong stored = new AtomicLong();

        @Override
        public void reportDeviceOnline() {
            online.incrementAndGet();
        }

        @Override
        public void reportTelemetry(boolean duplicate) {
            if (!duplicate) {
                stored.incrementAndGet();
            }
        }
    }

    /** Many device ids over a few MQTT clients, each with a window of unacknowledged QoS 1 publishes. */
    private static final class Publishers {
        private final Vertx vertx;
        private final List<MqttClient> clients;
        private final List<Context> contexts;
        private final int devices;
        private final int window;
        private final Topics topics = Topics.fleet(FLEET);
        private final List<HeaderFactory> headers = new ArrayList<>();
        private final long[] seq;
        private final String[] ids;
        private final String[] telemetryTopics;

        private Publishers(Vertx vertx, List<MqttClient> clients, List<Context> contexts, String prefix, int devices,
                int window) {
            this.vertx = vertx;
            this.contexts = contexts;
            this.clients = clients;
            this.devices = devices;
            this.window = window;
            this.seq = new long[devices];
            this.ids = new String[devices];
            this.telemetryTopics = new String[devices];
            for (int d = 0; d < devices; d++) {
                ids[d] = String.format("%s-%05d", prefix, d);
                telemetryTopics[d] = topics.device(ids[d], Channel.TELEMETRY);
                HeaderFactory h = new HeaderFactory(id(d));
                h.newSession(1);
                headers.add(h);
            }
        }

        static Publishers connect(Vertx vertx, String url, String prefix, int devices, int n, int window)
                throws TimeoutException {
            URI u = URI.create(url);
            List<MqttClient> clients = new ArrayList<>();
            List<Context> contexts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // each client lives on its own event loop: created, driven and acknowledged there
                Context ctx = vertx.getOrCreateContext();
                Promise<MqttClient> up = Promise.promise();
                String clientId = prefix + "-pub-" + i;
                ctx.runOnContext(v -> {
                    MqttClient c = MqttClient.create(vertx, new MqttClientOptions().setClientId(clientId)
                            .setCleanSession(true).setMaxInflightQueue(window).setAutoKeepAlive(true));
                    c.connect(u.getPort(), u.getHost()).map(ack -> c).onComplete(up);
                });
                clients.add(up.future().await(10, TimeUnit.SECONDS));
                contexts.add(ctx);
            }
            return new Publishers(vertx, clients, contexts, prefix, devices, window);
        }

        String id(int device) {
            return ids[device];
        }

        /**
         * Every client's records, encoded before the clock starts: the publishers must not be what
         * limits the rate (issue 18 found 28 % of the run in building them). Their headers' sent
         * times are therefore a little early; nothing here measures latency.
         */
        record Prepared(List<int[]> devices, List<Buffer[]> payloads) {
        }

        Prepared prepare(long records) {
            int n = clients.size();
            List<int[]> order = new ArrayList<>();
            List<Buffer[]> payloads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int quota = Math.toIntExact(records / n + (i < records % n ? 1 : 0));
                int mine = (devices - i + n - 1) / n;
                int[] device = new int[quota];
                Buffer[] payload = new Buffer[quota];
                for (int k = 0; k < quota; k++) {
                    int d = i + (k % mine) * n;
                    Telemetry t = Telemetry.newBuilder().setHeader(headers.get(d).next()).setDeviceId(id(d))
                            .setTelemetrySeq(++seq[d])
                            .setAggregate(IntervalAggregate.newBuilder().setCount(3).setP50Millis(120)).build();
                    device[k] = d;
                    payload[k] = Buffer.buffer(WireCodec.encode(Channel.TELEMETRY, t));
                }
                order.add(device);
                payloads.add(payload);
            }
            return new Prepared(order, payloads);
        }

        void births() {
            for (int d = 0; d < devices; d++) {
                Birth b = Birth.newBuilder().setHeader(headers.get(d).next()).setDeviceId(id(d)).setAgentVersion("0.1.0")
                        .addLabels("bench").build();
                int device = d;
                MqttClient c = clients.get(d % clients.size());
                contexts.get(d % clients.size()).runOnContext(v -> c.publish(topics.device(id(device), Channel.BIRTH),
                        Buffer.buffer(WireCodec.encode(Channel.BIRTH, b)), MqttQoS.AT_LEAST_ONCE, false, false));
            }
        }

        /** Publishes the prepared records (round-robin over the devices); returns once all were acknowledged. */
        void telemetry(Prepared prepared) throws TimeoutException {
            List<Future<Void>> done = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                done.add(pump(i, prepared.devices().get(i), prepared.payloads().get(i)));
            }
            Future.all(done).await(600, TimeUnit.SECONDS);
        }

        /** Client i publishes its prepared records for its devices (i, i + n, ...), window at a time. */
        private Future<Void> pump(int i, int[] device, Buffer[] payload) {
            Promise<Void> finished = Promise.promise();
            MqttClient c = clients.get(i);
            long quota = device.length;
            int[] sent = {0};
            long[] acked = {0};
            int[] inFlight = {0};
            Runnable[] fill = new Runnable[1];
            fill[0] = () -> {
                while (inFlight[0] < window && sent[0] < quota) {
                    int k = sent[0]++;
                    inFlight[0]++;
                    c.publish(telemetryTopics[device[k]], payload[k], MqttQoS.AT_LEAST_ONCE, false, false)
                            .onFailure(finished::tryFail);
                    payload[k] = null; // sent: let it go
                }
            };
            c.publishCompletionHandler(id -> {
                inFlight[0]--;
                if (++acked[0] == quota) {
                    finished.tryComplete();
                } else {
                    fill[0].run();
                }
            });
            if (quota == 0) {
                finished.complete();
            } else {
                contexts.get(i).runOnContext(v -> fill[0].run());
            }
            return finished.future();
        }

        void close() throws TimeoutException {
            for (int i = 0; i < clients.size(); i++) {
                MqttClient c = clients.get(i);
                Promise<Void> gone = Promise.promise();
                contexts.get(i).runOnContext(v -> c.disconnect().onComplete(gone));
                gone.future().await(10, TimeUnit.SECONDS);
            }
        }
    }
}
