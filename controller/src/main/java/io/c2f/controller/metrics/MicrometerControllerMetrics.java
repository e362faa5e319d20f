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
import java.util.Locale;
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
 *     (summary of records per written batch)
 * <li>{@code c2f_retune_decisions_total{direction}}
 * <li>{@code c2f_schedule_search_seconds{outcome}}: timer of search jobs
 * </ul>
 * Meters are created on first use; Micrometer's registry is thread-safe and lock-free on the hot path.
 */
public final class MicrometerControllerMetrics implements ControllerMetrics {
    private final PrometheusMeterRegistry registry;
    private final AtomicLong online = new AtomicLong();
    private final AtomicLong mqttConnected = new AtomicLong();
    private final AtomicLong telemetryQueue = new AtomicLong();

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
        Counter.builder("c2f_retune_decisions").tag("direction", direction)
                .description("schedule changes sent by the retuner").register(registry).increment();
    }

    @Override
    public void reportSearchFinished(boolean succeeded, double seconds) {
        Timer.builder("c2f_schedule_search").tag("outcome", succeeded ? "succeeded" : "failed")
                .description("schedule search jobs").register(registry)
                .record(Duration.ofNanos((long) (seconds * 1e9)));
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
