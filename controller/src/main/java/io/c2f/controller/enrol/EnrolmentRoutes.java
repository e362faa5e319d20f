package io.c2f.controller.enrol;

import static io.c2f.controller.api.Responses.body;
import static io.c2f.controller.api.Responses.fail;
import static io.c2f.controller.api.Responses.json;

import io.c2f.controller.api.ApiRoutes;
import io.c2f.controller.api.BadRequestException;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.topic.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Enrolment tokens and device admission:
 * {@code GET|POST /api/v1/enrolment-tokens}, {@code DELETE /api/v1/enrolment-tokens/{id}},
 * {@code GET /api/v1/enrolments?status=}, {@code POST /api/v1/enrolments/{deviceId}/accept|reject},
 * {@code POST /api/v1/devices/{id}/decommission}. Reads need a read-only token, changes an admin one
 * (by HTTP method, {@code BearerAuthHandler}). No answer but the creation's carries a token secret.
 */
public final class EnrolmentRoutes implements ApiRoutes {
    /** Label keys and values: what a birth label's "key=value" can carry without ambiguity. */
    private static final Pattern LABEL_PART = Pattern.compile("[A-Za-z0-9_.:/-]{1,64}");
    private static final int MAX_LABELS = 32;
    private static final int MAX_REASON = 500;

    private final EnrolmentService enrolments;

    public EnrolmentRoutes(EnrolmentService enrolments) {
        this.enrolments = enrolments;
    }

    @Override
    public void mount(Vertx vertx, Router router) {
        router.get("/api/v1/enrolment-tokens").handler(this::listTokens);
        router.post("/api/v1/enrolment-tokens").handler(this::createToken);
        router.delete("/api/v1/enrolment-tokens/:id").handler(this::revokeToken);
        router.get("/api/v1/enrolments").handler(this::listEnrolments);
        router.post("/api/v1/enrolments/:deviceId/accept").handler(this::accept);
        router.post("/api/v1/enrolments/:deviceId/reject").handler(this::reject);
        router.post("/api/v1/devices/:id/decommission").handler(this::decommission);
    }

    private void listTokens(RoutingContext rc) {
        enrolments.tokens().onSuccess(tokens -> {
            JsonArray a = new JsonArray();
            long now = enrolments.now();
            tokens.forEach(t -> a.add(toJson(t, now)));
            json(rc, 200, new JsonObject().put("tokens", a));
        }).onFailure(e -> fail(rc, e));
    }

    private void createToken(RoutingContext rc) {
        JsonObject b = body(rc);
        if (b == null) {
            return;
        }
        TokenSpec spec;
        try {
            spec = tokenSpec(b);
        } catch (BadRequestException e) {
            fail(rc, e);
            return;
        }
        enrolments.createToken(spec).onSuccess(created -> json(rc, 201,
                toJson(created.token(), enrolments.now()).put("token", created.text())))
                .onFailure(e -> fail(rc, e));
    }

    /** The creation body, every field checked; the message names the field that is wrong. */
    static TokenSpec tokenSpec(JsonObject b) {
        for (String key : b.fieldNames()) {
            if (!Set.of("id", "labels", "expiresAt", "maxUses", "autoAccept").contains(key)) {
                throw new BadRequestException("unknown field '" + key + "' (known: id, labels, expiresAt, maxUses, "
                        + "autoAccept)");
            }
        }
        String id = null;
        Object rawId = b.getValue("id");
        if (rawId != null) {
            if (!(rawId instanceof String s) || !Topics.isValidId(s) || s.indexOf('.') >= 0) {
                throw new BadRequestException("id must be 1-64 characters of [A-Za-z0-9_-]");
            }
            id = s;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        Object rawLabels = b.getValue("labels");
        if (rawLabels != null) {
            if (!(rawLabels instanceof JsonObject l)) {
                throw new BadRequestException("labels must be an object of key: value strings");
            }
            if (l.size() > MAX_LABELS) {
                throw new BadRequestException("labels: at most " + MAX_LABELS + " labels");
            }
            for (String k : l.fieldNames()) {
                Object v = l.getValue(k);
                if (!LABEL_PART.matcher(k).matches() || !(v instanceof String s) || !LABEL_PART.matcher(s).matches()) {
                    throw new BadRequestException("labels." + k + ": keys and values must be 1-64 characters of "
                            + "[A-Za-z0-9_.:/-]");
                }
                labels.put(k, s);
            }
        }
        Long expiresMs = null;
        Object rawExpiry = b.getValue("expiresAt");
        if (rawExpiry != null) {
            try {
                expiresMs = Instant.parse((String) rawExpiry).toEpochMilli();
            } catch (ClassCastException | DateTimeParseException e) {
                throw new BadRequestException("expiresAt must be an ISO-8601 instant, e.g. 2026-12-31T23:59:59Z");
            }
        }
        Integer maxUses = null;
        Object rawMax = b.getValue("maxUses");
        if (rawMax != null) {
            if (!(rawMax instanceof Integer n) || n < 1) {
                throw new BadRequestException("maxUses must be a whole number of at least 1");
            }
            maxUses = n;
        }
        Object rawAuto = b.getValue("autoAccept");
        if (rawAuto != null && !(rawAuto instanceof Boolean)) {
            throw new BadRequestException("autoAccept must be true or false");
        }
        return new TokenSpec(id, labels, expiresMs, maxUses, Boolean.TRUE.equals(rawAuto));
    }

    private void revokeToken(RoutingContext rc) {
        enrolments.revokeToken(rc.pathParam("id"))
                .onSuccess(t -> json(rc, 200, toJson(t, enrolments.now())))
                .onFailure(e -> fail(rc, e));
    }

    private void listEnrolments(RoutingContext rc) {
        String raw = rc.request().getParam("status");
        EnrolmentState state = null;
        if (raw != null && !raw.isEmpty()) {
            state = EnrolmentState.parse(raw);
            if (state == null) {
                fail(rc, new BadRequestException("status must be pending, accepted, rejected or decommissioned"));
                return;
            }
        }
        enrolments.enrolments(state).onSuccess(list -> {
            JsonArray a = new JsonArray();
            list.forEach(e -> a.add(toJson(e)));
            json(rc, 200, new JsonObject().put("enrolments", a));
        }).onFailure(e -> fail(rc, e));
    }

    private void accept(RoutingContext rc) {
        enrolments.accept(rc.pathParam("deviceId"), "operator").onSuccess(e -> json(rc, 200, toJson(e)))
                .onFailure(e -> fail(rc, e));
    }

    private void reject(RoutingContext rc) {
        String reason = reason(rc);
        if (reason != null) {
            enrolments.reject(rc.pathParam("deviceId"), reason).onSuccess(e -> json(rc, 200, toJson(e)))
                    .onFailure(e -> fail(rc, e));
        }
    }

    private void decommission(RoutingContext rc) {
        String reason = reason(rc);
        if (reason != null) {
            enrolments.decommission(rc.pathParam("id"), reason).onSuccess(e -> json(rc, 200, toJson(e)))
                    .onFailure(e -> fail(rc, e));
        }
    }

    /** {"reason": "..."} (required, 1-500 characters), or null with a 400 sent. */
    private static String reason(RoutingContext rc) {
        JsonObject b = body(rc);
        if (b == null) {
            return null;
        }
        Object r = b.getValue("reason");
        if (!(r instanceof String s) || s.isBlank() || s.length() > MAX_REASON) {
            fail(rc, new BadRequestException("reason must be a string of 1-" + MAX_REASON + " characters"));
            return null;
        }
        return s.strip();
    }

    /** A token as the API shows it: never the secret or its hash. */
    static JsonObject toJson(TokenRecord t, long nowMs) {
        String unusable = t.unusableReason(nowMs);
        return new JsonObject().put("id", t.id())
                .put("username", EnrolmentToken.USERNAME_PREFIX + t.id())
                .put("labels", new JsonObject(new LinkedHashMap<>(t.labels())))
                .put("expiresAt", t.expiresMs() == null ? null : Instant.ofEpochMilli(t.expiresMs()).toString())
                .put("maxUses", t.maxUses()).put("uses", t.uses()).put("autoAccept", t.autoAccept())
                .put("createdAt", Instant.ofEpochMilli(t.createdMs()).toString())
                .put("revokedAt", t.revokedMs() == null ? null : Instant.ofEpochMilli(t.revokedMs()).toString())
                .put("usable", unusable == null).put("unusableReason", unusable);
    }

    /** An enrolment as the API shows it: never the credential or its hash. */
    static JsonObject toJson(EnrolmentRecord e) {
        return new JsonObject().put("deviceId", e.deviceId()).put("tokenId", e.tokenId())
                .put("requestId", e.requestId()).put("status", e.state().label())
                .put("agentVersion", e.agentVersion())
                .put("hardware", e.hardwareJson() == null ? null : new JsonObject(e.hardwareJson()))
                .put("labels", new JsonArray(new ArrayList<>(e.labels()))).put("reason", e.reason())
                .put("requestedAt", Instant.ofEpochMilli(e.requestedMs()).toString())
                .put("decidedAt", e.decidedMs() == null ? null : Instant.ofEpochMilli(e.decidedMs()).toString());
    }
}
