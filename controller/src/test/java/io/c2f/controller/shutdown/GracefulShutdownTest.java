package io.c2f.controller.shutdown;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.catalog.CatalogRepository;
import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.metrics.MicrometerControllerMetrics;
import io.c2f.controller.metrics.NoopControllerMetrics;
import io.c2f.controller.model.ModelRecord;
import io.c2f.controller.model.ModelRegistry;
import io.c2f.controller.model.ModelRepository;
import io.c2f.controller.search.SearchJob;
import io.c2f.controller.search.SearchRepository;
import io.c2f.controller.search.SearchRequest;
import io.c2f.controller.search.SearchService;
import io.c2f.controller.store.Database;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.topic.Channel;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A controller stopped under load keeps what it accepted; a search stopped midway runs again after a restart. */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class GracefulShutdownTest {
    @TempDir
    Path dir;

    /** Counts the telemetry messages the MQTT ingress took (and acknowledged to the broker). */
    static final class Accepted extends NoopControllerMetrics {
        final AtomicLong telemetry = new AtomicLong();

        @Override
        public void reportMessageReceived(Channel channel) {
            if (channel == Channel.TELEMETRY) {
                telemetry.incrementAndGet();
            }
        }
    }

    /** A start on the shared, loaded build machine can take longer than Await's default. */
    private static Controller started(io.vertx.core.Future<Controller> start) throws Exception {
        return start.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    }

    /**
     * On Mosquitto every record the device published is stored after the restart: what arrived during
     * the drain was left unacknowledged and is redelivered to the resumed session. The embedded broker
     * keeps nothing on disk and stops with the controller, but it acknowledges a record to the device
     * only once the controller acknowledged it (end-to-end): every record the device was told had
     * arrived is stored, the rest is still the device's to send again.
     */
    @ParameterizedTest
    @ValueSource(strings = {"embedded", "mosquitto"})
    void telemetryAcceptedBeforeTheStopIsStored(String broker, Vertx vertx) throws Exception {
        Map<String, String> values = new HashMap<>();
        values.put("fleet", "lab");
        values.put("instance.id", "ctl-stop");
        values.put("http.host", "127.0.0.1");
        values.put("http.port", "0");
        try (AutoCloseable b = TestControllers.broker(broker, dir, values)) {
            stopUnderLoad(vertx, values, broker.equals("mosquitto"));
        }
    }

    private void stopUnderLoad(Vertx vertx, Map<String, String> values, boolean redelivers) throws Exception {
        values.put("data.dir", dir.resolve("data").toString());
        values.put("db.pool.size", "2"); // few connections: writes queue up, work is in flight at the stop
        values.put("shutdown.drain.ms", "30000");
        ControllerConfig config = ConfigLoader.fromMap(values);
        Accepted accepted = new Accepted();
        Controller controller = started(Controller.start(vertx, config, accepted));
        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicLong published = new AtomicLong();
        Thread publisher;
        try (FakeDevice dev = new FakeDevice(controller.mqttUrl(), "lab", "d-1")) {
            dev.connect(1);
            dev.birth();
            publisher = new Thread(() -> {
                try {
                    for (long seq = 0; publishing.get(); seq++) {
                        dev.telemetry(seq, 0);
                        published.incrementAndGet();
                    }
                } catch (Exception e) {
                    // the broker went away with the controller
                }
            }, "publisher");
            publisher.start();
            until(() -> vertx.executeBlocking(accepted.telemetry::get), n -> n >= 300, Duration.ofSeconds(30),
                    "300 records accepted");
            // stop while the device keeps publishing: records keep arriving during the drain
            result(controller.stop());
            publishing.set(false);
            publisher.join(10_000);
        }
        long stored;
        try (Connection c = DriverManager.getConnection(config.effectiveDbUrl(), config.dbUser(), config.dbPassword());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT telemetry_seq) FROM telemetry")) {
            rs.next();
            stored = rs.getLong(1);
            assertEquals(stored, rs.getLong(2));
        }
        System.out.println("published " + published.get() + ", accepted " + accepted.telemetry.get() + ", stored "
                + stored);
        assertTrue(accepted.telemetry.get() >= 300);
        assertEquals(accepted.telemetry.get(), stored, "every record the controller acknowledged is stored");

        if (!redelivers) {
            assertTrue(stored >= published.get(), "the device got a PUBACK for " + published.get()
                    + " records, only " + stored + " are stored");
            return;
        }
        // what the broker took after the intake stopped waits in the controller's persistent session
        Controller again = started(Controller.start(vertx, config, ControllerMetrics.NOOP));
        try {
            long all = published.get();
            until(() -> vertx.executeBlocking(() -> countStored(config)), n -> n >= all, Duration.ofSeconds(30),
                    "all " + all + " published records stored after the restart");
        } finally {
            result(again.stop());
        }
    }

    private static long countStored(ControllerConfig config) throws Exception {
        try (Connection c = DriverManager.getConnection(config.effectiveDbUrl(), config.dbUser(), config.dbPassword());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM telemetry")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aSearchInterruptedByTheStopRunsAgainAfterTheRestart(Vertx vertx) throws Exception {
        ControllerConfig config = ConfigLoader.fromMap(Map.of("data.dir", dir.toString(), "fleet", "lab"));
        Database db = result(vertx.executeBlocking(() -> Database.open(vertx, config)));
        try {
            ModelRepository models = new ModelRepository(db);
            CatalogRepository catalogs = new CatalogRepository(db);
            ModelRecord m = result(vertx.executeBlocking(() -> ModelRegistry.inspect("syn", "synthetic", 5)));
            result(models.save(m));
            SearchRepository jobs = new SearchRepository(db);
            MicrometerControllerMetrics metrics = new MicrometerControllerMetrics();
            // four TRD searches (k 4 and 6, full and c2f): long enough to be stopped midway
            SearchRequest request = new SearchRequest(List.of(4, 6), "both", 2, 20, 2, 2, 400, 120);
            SearchJob job;
            SearchService first = new SearchService(vertx, models, catalogs, jobs, metrics, Clock.systemUTC(), 1, "ctl-a");
            try {
                job = result(first.submit(m, request));
                until(() -> first.find(job.id()).map(o -> o.orElseThrow()), j -> j.state().equals("RUNNING"),
                        Duration.ofSeconds(30), "search running");
                assertEquals(0, result(first.drain(30_000)), "the running search stopped at its next evaluation");
            } finally {
                first.close();
            }
            SearchJob stopped = result(jobs.find(job.id())).orElseThrow();
            assertEquals("QUEUED", stopped.state(), stopped.message());
            assertTrue(stopped.message().startsWith("re-queued"), stopped.message());
            assertTrue(first.submit(m, request).failed(), "a stopping service takes no new searches");

            // another instance sharing the database leaves it alone; the instance that ran it takes it up again
            try (SearchService other = new SearchService(vertx, models, catalogs, jobs, metrics, Clock.systemUTC(), 1, "ctl-b")) {
                assertEquals(0, result(other.resumeInterrupted()));
            }
            try (SearchService restarted = new SearchService(vertx, models, catalogs, jobs, metrics, Clock.systemUTC(), 1,
                    "ctl-a")) {
                assertEquals(1, result(restarted.resumeInterrupted()));
                SearchJob done = until(() -> restarted.find(job.id()).map(o -> o.orElseThrow()), SearchJob::finished,
                        Duration.ofSeconds(100), "resumed search finished");
                assertEquals("SUCCEEDED", done.state(), done.message());
                assertEquals(4, done.results().size(), done.results().toString());
            }
        } finally {
            db.close();
        }
    }
}
