package io.c2f.controller.metrics;

import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link ControllerMetrics} as Micrometer meters in a Prometheus registry (scraped at {@code GET
 * /metrics}). Series, all prefixed {@code c2f_}:
 * <ul>
 * <li>{@code c2f_devices_online} gauge: births minus offline transitions seen by this process
 * <li>{@code c2f_messages_received_total{channel}}, {@code c2f_messages_rejected_total{code}}
 * <li>{@code c2f_mqtt_connected} gauge (1/0)
 * <li>{@code c2f_device_offline_total{reason}}, {@code c2f_stale_messages_total{channel}}
 * <li>{@code c2f_telemetry_records_total{duplicate}}, {@code c2f_telemetry_lost_total}
 * <li>{@code c2f_generations_total{label}} and {@code c2f_generation_latency_ms{label}}: a
 *     histogram (buckets, count, sum) of per-image latency by device label
 * <li>{@code c2f_telemetry_queue_depth} gauge, {@code c2f_telemetry_queue_full_total} (records that
 *     waited for room, their MQTT acknowledgement held back), {@code c2f_telemetry_batch_records}
 *     (summary of records per written batch), {@code c2f_telemetry_store_seconds}: histogram of
 *     records from receipt to stored (queue wait and batch write)
 * <li>{@code c2f_retune_decisions_total{direction}}
 * <li>{@code c2f_schedule_search_seconds{outcome}}: timer of search jobs
 * <li>{@code c2f_rollouts{state}} gauge: rollouts per state, read from the store
 * <li>{@code c2f_generate_request_seconds{outcome}}: histogram of API generate requests (send to answer)
 * </ul>
 * Series whose label values are known up front (offline reasons, rejection codes, stale channels,
 * rollout states, retune directions, search and generate outcomes) exist from the start at 0, so dashboards and alerts see them before the first
 * event; the others appear on first use. Micrometer's registry is thread-safe and lock-free on the
 * hot path. deploy/README.md lists the same series for operators, and a test keeps them exposed.
 */
public final class MicrometerControllerMetrics implements ControllerMetrics {
    private final PrometheusMeterRegistry registry;
    private final AtomicLong online = new AtomicLong();
    private final AtomicLong mqttConnected = new AtomicLong();
    private final AtomicLong telemetryQueue = new AtomicLong();
    private final Timer storeTimer;
    private final Map<String, AtomicLong> rollouts = new ConcurrentHashMap<>();
    static final List<String> GENERATE_OUTCOMES = List.of("ok", "timeout", "device_error",
            "rejected", "unavailable");

    public MicrometerControllerMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public MicrometerControllerMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("c2f_devices_online", online, AtomicLong::get).description("devices online").register(registry);
        Gauge.builder("c2f_mqtt_connected", mqttConnected, AtomicLong::get)
                .description("1 when the controller's MQTT connection is up").register(registry);
        Gauge.builder("c2f_telemetry_queue_depth", telemetryQueue, AtomicLong::get)
                .description("telemetry records waiting to be written").register(registry);
        for (String state : List.of("RUNNING", "PAUSED", "ABORTING", "ABORTED", "SUCCEEDED")) {
            rolloutGauge(state);
        }
        for (String d : List.of("DOWNGRADE", "UPGRADE", "INITIAL")) {
            retuneCounter(d);
        }
        for (boolean ok : new boolean[] {true, false}) {
            searchTimer(ok);
        }
        GENERATE_OUTCOMES.forEach(this::generateTimer);
        for (String reason : List.of("GRACEFUL_SHUTDOWN", "CONNECTION_LOST", "DEATH", "HEARTBEAT_TIMEOUT")) {
            registry.counter("c2f_device_offline", "reason", reason);
        }
        for (ErrorCode code : ErrorCode.values()) {
            if (code != ErrorCode.UNRECOGNIZED && code != ErrorCode.ERROR_CODE_UNSPECIFIED) {
                registry.counter("c2f_messages_rejected", "code", code.name());
            }
        }
        for (Channel ch : List.of(Channel.DEATH, Channel.STATE)) {
            registry.counter("c2f_stale_messages", "channel", lower(ch.name()));
        }
        registry.counter("c2f_telemetry_lost");
        this.storeTimer = Timer.builder("c2f_telemetry_store")
                .description("telemetry records, from receipt to their batch committed (queue wait + write)")
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
                        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofSeconds(5), Duration.ofSeconds(30))
                .register(registry);
        for (String outcome : List.of("requested", "refused", "accepted", "rejected", "decommissioned")) {
            enrolmentCounter(outcome);
        }
    }

    private Counter enrolmentCounter(String outcome) {
        return Counter.builder("c2f_enrolments").tag("outcome", outcome)
                .description("device enrolment steps (requests stored, refused, decisions)").register(registry);
    }

    @Override
    public void reportEnrolment(String outcome) {
        enrolmentCounter(outcome).increment();
    }

    private AtomicLong rolloutGauge(String state) {
        return rollouts.computeIfAbsent(state, s -> {
            AtomicLong n = new AtomicLong();
            Gauge.builder("c2f_rollouts", n, AtomicLong::get).tag("state", s)
                    .description("rollouts per state (from the store)").register(registry);
            return n;
        });
    }

    private Counter retuneCounter(String direction) {
        return Counter.builder("c2f_retune_decisions").tag("direction", direction)
                .description("schedule changes sent by the retuner").register(registry);
    }

    private Timer searchTimer(boolean succeeded) {
        return Timer.builder("c2f_schedule_search").tag("outcome", succeeded ? "succeeded" : "failed")
                .description("schedule search jobs").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofSeconds(1)).maximumExpectedValue(Duration.ofHours(2))
                .register(registry);
    }

    private Timer generateTimer(String outcome) {
        return Timer.builder("c2f_generate_request").tag("outcome", outcome)
                .description("API generate requests, from sending to the device's answer")
                .serviceLevelObjectives(Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
                        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
                        Duration.ofSeconds(30), Duration.ofSeconds(60))
                .register(registry);
    }

    @Override
    public void reportTelemetryQueue(int depth, boolean full) {
        telemetryQueue.set(depth);
        if (full) {
            registry.counter("c2f_telemetry_queue_full").increment();
        }
    }

    @Override
    public void reportTelemetryBatch(int records) {
        telemetryQueue.updateAndGet(n -> Math.max(0, n - records));
        registry.summary("c2f_telemetry_batch_records").record(records);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void reportMessageReceived(Channel channel) {
        registry.counter("c2f_messages_received", "channel", lower(channel.name())).increment();
    }

    @Override
    public void reportMessageRejected(ErrorCode code) {
        registry.counter("c2f_messages_rejected", "code", code.name()).increment();
    }

    @Override
    public void reportMqttConnected(boolean connected) {
        mqttConnected.set(connected ? 1 : 0);
    }

    @Override
    public void reportDeviceOnline() {
        online.incrementAndGet();
    }

    @Override
    public void reportDeviceOffline(String reason) {
        online.updateAndGet(n -> Math.max(0, n - 1));
        registry.counter("c2f_device_offline", "reason", reason).increment();
    }

    @Override
    public void reportStaleMessage(Channel channel) {
        registry.counter("c2f_stale_messages", "channel", lower(channel.name())).increment();
    }

    @Override
    public void reportTelemetry(boolean duplicate) {
        registry.counter("c2f_telemetry_records", "duplicate", Boolean.toString(duplicate)).increment();
    }

    /**
     * Receipt to commit only, on the controller's own clock: the device's sent time is not used,
     * since a device's clock can be off by more than the whole wait.
     */
    @Override
    public void reportTelemetryStored(String deviceId, long telemetrySeq, long sentAtMs, long receivedAtMs,
            long storedAtMs) {
        storeTimer.record(Math.max(0, storedAtMs - receivedAtMs), TimeUnit.MILLISECONDS);
    }

    @Override
    public void reportTelemetryLost(long records) {
        registry.counter("c2f_telemetry_lost").increment(records);
    }

    @Override
    public void reportGeneration(String deviceLabel, double totalMillis) {
        registry.counter("c2f_generations", "label", deviceLabel).increment();
        DistributionSummary.builder("c2f_generation_latency_ms").tag("label", deviceLabel).baseUnit("ms")
                .description("per-image generation latency by device label")
                .serviceLevelObjectives(50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000)
                .register(registry).record(totalMillis);
    }

    @Override
    public void reportRetuneDecision(String direction) {
        retuneCounter(direction).increment();
    }

    @Override
    public void reportSearchFinished(boolean succeeded, double seconds) {
        searchTimer(succeeded).record(Duration.ofNanos((long) (seconds * 1e9)));
    }

    @Override
    public void reportRolloutStates(Map<String, Long> countsByState) {
        countsByState.forEach((state, n) -> rolloutGauge(state).set(n));
    }

    @Override
    public void reportGenerateRequest(String outcome, double seconds) {
        generateTimer(outcome).record(Duration.ofNanos((long) (seconds * 1e9)));
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
