package io.c2f.controller.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** JSON responses of the API: a body, or {@code {"error": "..."}} with a status that says whose fault it is. */
public final class Responses {
    private static final Logger LOG = LoggerFactory.getLogger(Responses.class);

    private Responses() {
    }

    public static void json(RoutingContext rc, int status, Object body) {
        if (rc.response().ended()) {
            return;
        }
        String text = body instanceof JsonObject o ? o.encode() : body instanceof JsonArray a ? a.encode()
                : String.valueOf(body);
        rc.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8").end(text);
    }

    public static void error(RoutingContext rc, int status, String message) {
        json(rc, status, new JsonObject().put("error", message));
    }

    /**
     * The one mapping of failures to responses: an {@link ApiException} answers with its status and
     * message; anything else is a store or other dependency that failed ({@link #unavailable}).
     */
    public static void fail(RoutingContext rc, Throwable e) {
        if (e instanceof ApiException a) {
            error(rc, a.status(), a.getMessage());
        } else {
            unavailable(rc, e);
        }
    }

    /** A store or other dependency failed: 503, logged. */
    public static void unavailable(RoutingContext rc, Throwable e) {
        LOG.error("{} {} failed: {}", rc.request().method(), rc.request().path(), e.getMessage());
        error(rc, 503, "unavailable: " + e.getMessage());
    }

    /** The request body as a JSON object, or a 400 sent and null returned. */
    public static JsonObject body(RoutingContext rc) {
        try {
            JsonObject o = rc.body().asJsonObject();
            if (o == null) {
                error(rc, 400, "request body must be a JSON object");
            }
            return o;
        } catch (RuntimeException e) {
            error(rc, 400, "request body is not a JSON object: " + e.getMessage());
            return null;
        }
    }
}
