package io.c2f.controller.api;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.mqtt.EventAddresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The checks behind {@code /healthz}: bounded in time, each component named, a hung database pinged once. */
@ExtendWith(VertxExtension.class)
class HealthCheckTest {

    @Test
    void aHungDatabaseIsReportedDownWithinTheLimitAndPingedOnlyOnce(Vertx vertx) throws Exception {
        AtomicInteger pings = new AtomicInteger();
        Promise<Void> never = Promise.promise();
        result(vertx.eventBus().<Object>consumer(EventAddresses.MQTT_HEALTH, m -> m.reply(true)).completion());
        HealthCheck check = new HealthCheck(vertx, () -> {
            pings.incrementAndGet();
            return never.future();
        }, "embedded");

        for (int i = 0; i < 2; i++) {
            long t0 = System.nanoTime();
            HealthCheck.Report r = result(onContext(vertx, check));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 1000, "answered after " + ms + " ms");
            assertFalse(r.up());
            JsonObject db = r.json().getJsonObject("checks").getJsonObject("database");
            assertEquals("DOWN", db.getString("status"), r.json().encode());
            assertTrue(db.getString("detail").contains("no answer within"), db.encode());
            assertTrue(db.getLong("ms") >= HealthCheck.LIMIT_MS - 50, db.encode());
            assertEquals("UP", r.json().getJsonObject("checks").getJsonObject("broker").getString("status"));
        }
        assertEquals(1, pings.get(), "a ping still running is not started again");
    }

    @Test
    void bothUpIsUpAndABrokerConnectionDownIsNamedWithoutTheDatabaseError(Vertx vertx) throws Exception {
        boolean[] connected = {true};
        result(vertx.eventBus().<Object>consumer(EventAddresses.MQTT_HEALTH, m -> m.reply(connected[0])).completion());
        HealthCheck check = new HealthCheck(vertx, () -> Future.succeededFuture(), "external");
        HealthCheck.Report up = result(onContext(vertx, check));
        assertTrue(up.up(), up.json().encode());
        assertEquals("external", up.json().getJsonObject("checks").getJsonObject("broker").getString("kind"));

        connected[0] = false;
        HealthCheck.Report down = result(onContext(vertx, check));
        assertFalse(down.up());
        assertEquals("DOWN", down.json().getString("status"));
        assertEquals("UP", down.json().getJsonObject("checks").getJsonObject("database").getString("status"));
        assertEquals("DOWN", down.json().getJsonObject("checks").getJsonObject("broker").getString("status"));

        HealthCheck notListening = new HealthCheck(vertx, () -> Future.succeededFuture(), "embedded", () -> false);
        JsonObject broker = result(onContext(vertx, notListening)).json().getJsonObject("checks").getJsonObject("broker");
        assertEquals("DOWN", broker.getString("status"));
        assertEquals("the embedded broker is not listening", broker.getString("detail"));

        HealthCheck failing = new HealthCheck(vertx, () -> Future.failedFuture(
                new IllegalStateException("database error on jdbc:postgresql://db.internal/c2f?password=***")), "x");
        HealthCheck.Report dbDown = result(onContext(vertx, failing));
        String detail = dbDown.json().getJsonObject("checks").getJsonObject("database").getString("detail");
        assertFalse(detail.contains("jdbc:"), "no unauthenticated caller learns the database URL: " + detail);
    }

    private io.vertx.core.Context context;

    /** Always on one event loop, as the API verticle calls it. */
    private Future<HealthCheck.Report> onContext(Vertx vertx, HealthCheck check) {
        if (context == null) {
            context = vertx.getOrCreateContext();
        }
        Promise<HealthCheck.Report> p = Promise.promise();
        context.runOnContext(v -> check.check().onComplete(p));
        return p.future();
    }
}
