package io.c2f.controller.api;

import io.c2f.controller.mqtt.EventAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer of {@code GET /healthz}: the database (a {@code SELECT 1} on a database worker) and the
 * broker (the embedded broker's listener, and the controller's own MQTT connection through it or
 * through the external broker), each
 * checked with a time limit, so the answer comes within {@link #LIMIT_MS} even when the database or
 * the broker hangs. A check still running when the next request comes is not started twice: a hung
 * database must not fill its workers' queue with pings.
 */
public final class HealthCheck {
    private static final Logger LOG = LoggerFactory.getLogger(HealthCheck.class);
    /** Each check gets this long (they run at once); the answer comes a little after, well within 1 s. */
    public static final long LIMIT_MS = 500;

    private final Vertx vertx;
    private final Supplier<Future<Void>> databasePing;
    private final String brokerKind;
    private final BooleanSupplier brokerListening;
    private Future<Void> pingInFlight;

    /**
     * @param databasePing a {@code SELECT 1} that runs off the event loop
     * @param brokerKind {@code embedded} or {@code external}, for the report
     */
    public HealthCheck(Vertx vertx, Supplier<Future<Void>> databasePing, String brokerKind) {
        this(vertx, databasePing, brokerKind, () -> true);
    }

    /**
     * @param brokerListening whether the embedded broker's listener is up (always true for an external one)
     */
    public HealthCheck(Vertx vertx, Supplier<Future<Void>> databasePing, String brokerKind,
            BooleanSupplier brokerListening) {
        this.vertx = vertx;
        this.databasePing = databasePing;
        this.brokerKind = brokerKind;
        this.brokerListening = brokerListening;
    }

    /** One report; call on the event loop. */
    public record Report(boolean up, JsonObject json) {
    }

    public Future<Report> check() {
        Future<JsonObject> db = timed(database(), "database");
        Future<JsonObject> broker = timed(brokerListening.getAsBoolean()
                ? vertx.eventBus().<Boolean>request(EventAddresses.MQTT_HEALTH, null,
                        new DeliveryOptions().setSendTimeout(LIMIT_MS))
                .compose(m -> Boolean.TRUE.equals(m.body()) ? Future.succeededFuture()
                        : Future.failedFuture("the controller is not connected to it"))
                : Future.failedFuture("the embedded broker is not listening"), "broker");
        return Future.join(db, broker).transform(ar -> {
            JsonObject b = broker.result().put("kind", brokerKind);
            boolean up = "UP".equals(db.result().getString("status")) && "UP".equals(b.getString("status"));
            return Future.succeededFuture(new Report(up, new JsonObject().put("status", up ? "UP" : "DOWN")
                    .put("checks", new JsonObject().put("database", db.result()).put("broker", b))));
        });
    }

    private Future<Void> database() {
        if (pingInFlight != null) {
            return pingInFlight;
        }
        Future<Void> ping = start(databasePing);
        pingInFlight = ping;
        ping.onComplete(ar -> {
            if (pingInFlight == ping) {
                pingInFlight = null;
            }
        });
        return ping;
    }

    private static String brokerDetail(Throwable e) {
        String m = e.getMessage();
        return m != null && m.startsWith("the embedded broker") ? m : "the controller is not connected to it";
    }

    private static Future<Void> start(Supplier<Future<Void>> check) {
        try {
            return check.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** The check's state and duration; never fails, and completes within the limit. */
    private Future<JsonObject> timed(Future<?> check, String what) {
        long t0 = System.nanoTime();
        return check.timeout(LIMIT_MS, TimeUnit.MILLISECONDS).transform(ar -> {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            JsonObject o = new JsonObject().put("status", ar.succeeded() ? "UP" : "DOWN").put("ms", ms);
            if (ar.failed()) {
                boolean late = ar.cause() instanceof TimeoutException
                        || (ar.cause() instanceof ReplyException r
                                && r.failureType() == ReplyFailure.TIMEOUT);
                // the cause goes to the log only: /healthz needs no token, and database errors name the URL
                LOG.warn("health check of the {} failed after {} ms: {}", what, ms, ar.cause().getMessage());
                o.put("detail", late ? "no answer within " + LIMIT_MS + " ms" : what.equals("broker")
                        ? brokerDetail(ar.cause()) : "SELECT 1 failed (the controller's log says why)");
            }
            return Future.succeededFuture(o);
        });
    }
}
