package io.c2f.controller.mqtt;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.NoopControllerMetrics;
import io.c2f.controller.testing.PostgresDatabase;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.IntervalAggregate;
import io.c2f.proto.v1.Telemetry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Telemetry from many devices at a rate that keeps Mosquitto's in-flight window to the controller
 * full, stored by two writers side by side (their batches commit out of arrival order): every record
 * is stored once and no device shows a gap or a loss, on H2 and PostgreSQL. Before the ingress sent
 * its PUBACKs in arrival order, Mosquitto delivered some devices' records out of order here and the
 * store counted gaps that were not losses.
 */
@ExtendWith(VertxExtension.class)
@Timeout(180)
class TelemetryOrderEndToEndTest {
    private static final int DEVICES = 200;
    private static final int RECORDS_PER_DEVICE = 60;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void recordsFromAFullInFlightWindowAreStoredWithoutGaps(String engine, Vertx vertx) throws Exception {
        Map<String, String> values = new HashMap<>();
        values.put("fleet", "lab");
        values.put("instance.id", "ctl-order");
        values.put("http.host", "127.0.0.1");
        values.put("http.port", "0");
        values.put("data.dir", dir.resolve("data").toString());
        values.put("telemetry.writers", "2");
        values.put("telemetry.ack", "stored");
        PostgresDatabase pg = null;
        if (engine.equals("postgres")) {
            Assumptions.assumeTrue(PostgresDatabase.available(), "no PostgreSQL on 127.0.0.1:5432 for the test role");
            pg = PostgresDatabase.create();
            values.put("db.url", pg.url());
            values.put("db.user", PostgresDatabase.USER);
            values.put("db.password", PostgresDatabase.PASSWORD);
        }
        Counting metrics = new Counting();
        try (AutoCloseable broker = TestControllers.broker("mosquitto", dir, values)) {
            ControllerConfig config = ConfigLoader.fromMap(values);
            Controller controller = result(Controller.start(vertx, config, metrics));
            try {
                publish(controller.mqttUrl(), metrics);
                until(() -> vertx.executeBlocking(metrics.stored::get), n -> n >= DEVICES * RECORDS_PER_DEVICE,
                        Duration.ofSeconds(90), DEVICES * RECORDS_PER_DEVICE + " records stored");
            } finally {
                result(controller.stop());
            }
            try (Connection c = DriverManager.getConnection(config.effectiveDbUrl(), config.dbUser(),
                    config.dbPassword());
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(telemetry_gap), SUM(telemetry_received) FROM devices")) {
                rs.next();
                assertEquals(DEVICES, rs.getLong(1));
                assertEquals(0, rs.getLong(2), "telemetry gaps counted");
                assertEquals(DEVICES * RECORDS_PER_DEVICE, rs.getLong(3));
            }
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
        System.out.printf("%s: %d stored, %d duplicates, %d reported lost%n", engine, metrics.stored.get(),
                metrics.duplicates.get(), metrics.lost.get());
        assertEquals(DEVICES * RECORDS_PER_DEVICE, metrics.stored.get());
        assertEquals(0, metrics.lost.get(), "records reported lost");
    }

    /** Births, then every device's records in order, round-robin over the devices, over 4 connections. */
    private static void publish(String url, Counting metrics) throws Exception {
        Topics topics = Topics.fleet("lab");
        List<MqttAsyncClient> clients = new ArrayList<>();
        Semaphore window = new Semaphore(2_000);
        AtomicLong failed = new AtomicLong();
        IMqttActionListener done = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                window.release();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                failed.incrementAndGet();
                window.release();
            }
        };
        try {
            for (int i = 0; i < 4; i++) {
                MqttAsyncClient c = new MqttAsyncClient(url, "order-pub-" + i, new MemoryPersistence());
                MqttConnectOptions o = new MqttConnectOptions();
                o.setCleanSession(true);
                o.setMaxInflight(1_000);
                c.connect(o).waitForCompletion(10_000);
                clients.add(c);
            }
            List<HeaderFactory> headers = new ArrayList<>();
            for (int d = 0; d < DEVICES; d++) {
                String id = String.format("ord-%03d", d);
                HeaderFactory h = new HeaderFactory(id);
                h.newSession(1);
                headers.add(h);
                Birth b = Birth.newBuilder().setHeader(h.next()).setDeviceId(id).setAgentVersion("0.1.0").build();
                window.acquire();
                clients.get(d % 4).publish(topics.device(id, Channel.BIRTH), WireCodec.encode(Channel.BIRTH, b), 1, false,
                        null, done);
            }
            until(() -> io.vertx.core.Future.succeededFuture(metrics.online.get()), n -> n >= DEVICES,
                    Duration.ofSeconds(30), DEVICES + " births");
            Thread.sleep(1_000); // the birth rows: otherwise the first records wait for them, which is another path
            for (int seq = 1; seq <= RECORDS_PER_DEVICE; seq++) {
                for (int d = 0; d < DEVICES; d++) {
                    String id = String.format("ord-%03d", d);
                    Telemetry t = Telemetry.newBuilder().setHeader(headers.get(d).next()).setDeviceId(id)
                            .setTelemetrySeq(seq).setAggregate(IntervalAggregate.newBuilder().setCount(1)).build();
                    window.acquire();
                    clients.get(d % 4).publish(topics.device(id, Channel.TELEMETRY),
                            WireCodec.encode(Channel.TELEMETRY, t), 1, false, null, done);
                }
            }
            window.acquire(2_000);
            assertEquals(0, failed.get(), "publishes failed");
        } finally {
            for (MqttAsyncClient c : clients) {
                c.disconnect().waitForCompletion(5_000);
                c.close();
            }
        }
    }

    private static final class Counting extends NoopControllerMetrics {
        final AtomicLong online = new AtomicLong();
        final AtomicLong stored = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong lost = new AtomicLong();

        @Override
        public void reportDeviceOnline() {
            online.incrementAndGet();
        }

        @Override
        public void reportTelemetry(boolean duplicate) {
            (duplicate ? duplicates : stored).incrementAndGet();
        }

        @Override
        public void reportTelemetryLost(long records) {
            lost.addAndGet(records);
        }
    }
}
