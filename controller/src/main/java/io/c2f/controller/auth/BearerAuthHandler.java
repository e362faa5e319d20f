package io.c2f.controller.auth;

import io.c2f.controller.api.Responses;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Guards {@code /api/v1/*}: {@code Authorization: Bearer <token>}; GET and HEAD need a read-only
 * or admin token, anything else admin. 401 (with {@code WWW-Authenticate}) when the token is
 * missing, malformed or unknown; 403 when it is known but its role does not allow the method.
 * With no tokens configured every request passes (development mode).
 */
public final class BearerAuthHandler implements Handler<RoutingContext> {
    private final ApiTokens tokens;

    public BearerAuthHandler(ApiTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public void handle(RoutingContext rc) {
        if (!tokens.enabled()) {
            rc.next();
            return;
        }
        HttpMethod m = rc.request().method();
        Role needed = m == HttpMethod.GET || m == HttpMethod.HEAD ? Role.READ_ONLY : Role.ADMIN;
        String header = rc.request().getHeader("Authorization");
        if (header == null) {
            unauthorized(rc, null, "missing bearer token: send 'Authorization: Bearer <token>'");
            return;
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            unauthorized(rc, "invalid_request", "Authorization header must be 'Bearer <token>'");
            return;
        }
        Optional<ApiTokens.Principal> p = tokens.authenticate(header.substring(7).trim());
        if (p.isEmpty()) {
            unauthorized(rc, "invalid_token", "unknown or revoked token");
            return;
        }
        if (!p.get().role().allows(needed)) {
            Responses.error(rc, 403, "token '" + p.get().name() + "' has role " + p.get().role().label() + "; " + m.name()
                    + " " + rc.request().path() + " needs " + needed.label());
            return;
        }
        rc.put("principal", p.get());
        rc.next();
    }

    private static void unauthorized(RoutingContext rc, String error, String message) {
        rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"c2f\"" + (error == null ? ""
                : ", error=\"" + error + "\""));
        Responses.error(rc, 401, message);
    }
}
