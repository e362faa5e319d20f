package io.c2f.controller.enrol;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.c2f.controller.api.ConflictException;
import io.c2f.controller.api.NotFoundException;
import io.c2f.controller.broker.DeviceCredentials;
import io.c2f.controller.log.EventLog;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.mqtt.DeviceCommands;
import io.c2f.controller.mqtt.Outbound;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.enrol.EnrolmentProof;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.EnrolmentAnswer;
import io.c2f.proto.v1.EnrolmentRequest;
import io.c2f.proto.v1.EnrolmentStatus;
import io.c2f.proto.v1.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device enrolment with admission: enrolment tokens, the requests devices send with them, and the
 * operator's decisions, each stored, applied at the broker ({@link BrokerAdmission}), answered on
 * the device's retained {@code enrol/answer} and written to the event log. A request that is
 * refused changes nothing stored. The credential a device sends is kept only as a PBKDF2 hash
 * (computed on a worker) and never logged.
 */
public final class EnrolmentService {
    private static final Logger LOG = LoggerFactory.getLogger(EnrolmentService.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Vertx vertx;
    private final String fleet;
    private final EnrolmentRepository repository;
    private final BrokerAdmission broker;
    private final DeviceCommands commands;
    private final ControllerMetrics metrics;
    private final Clock clock;

    public EnrolmentService(Vertx vertx, String fleet, EnrolmentRepository repository, BrokerAdmission broker,
            ControllerMetrics metrics, Clock clock) {
        this.vertx = vertx;
        this.fleet = fleet;
        this.repository = repository;
        this.broker = broker;
        this.commands = new DeviceCommands(vertx);
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The controller's clock (the API shows whether a token is usable now by it). */
    public long now() {
        return clock.millis();
    }

    /** Tells the broker the usable tokens and accepted devices (at start, before it admits devices). */
    public Future<Void> restore() {
        long now = clock.millis();
        return repository.tokens().compose(tokens -> {
            List<Future<Void>> done = new ArrayList<>();
            for (TokenRecord t : tokens) {
                if (t.unusableReason(now) == null) {
                    done.add(broker.tokenUsable(t, null));
                    expireLater(t);
                } else {
                    done.add(broker.tokenUnusable(t.id())); // a broker with its own logins may still hold it
                }
            }
            return Future.all(done).map(tokens.size());
        }).compose(n -> repository.enrolments(EnrolmentState.ACCEPTED).compose(accepted -> {
            List<Future<Void>> done = new ArrayList<>();
            accepted.forEach(e -> done.add(broker.deviceAccepted(e.deviceId(), e.credentialHash())));
            return Future.all(done).onSuccess(v -> EventLog.info(LOG, "enrolment.restored", "broker", broker.kind(),
                    "tokens", n, "enrolled", accepted.size()));
        })).mapEmpty();
    }

    // ---- tokens

    public Future<CreatedToken> createToken(TokenSpec spec) {
        String id = spec.id() != null ? spec.id() : "t-" + HexFormat.of().formatHex(randomBytes(6));
        EnrolmentToken token = EnrolmentToken.generate(id, RANDOM);
        TokenRecord record = new TokenRecord(id, token.secretSha256(), spec.labels(), spec.expiresMs(), spec.maxUses(),
                0, spec.autoAccept(), clock.millis(), null);
        boolean usable = record.unusableReason(record.createdMs()) == null; // expiresAt may be in the past
        return repository.insertToken(record)
                .compose(v -> usable ? broker.tokenUsable(record, token.secret()) : Future.succeededFuture())
                .map(v -> {
                    expireLater(record);
                    EventLog.info(LOG, "enrolment.token.created", "token", id, "labels", labelList(record.labels()),
                            "autoAccept", record.autoAccept(), "maxUses", record.maxUses(), "expiresMs", record.expiresMs());
                    return new CreatedToken(record, token.text());
                });
    }

    /**
     * Withdraws the token from the broker when it expires: the embedded broker checks expiry at each
     * login anyway, but a broker with its own logins (dynsec) knows nothing of it.
     */
    private void expireLater(TokenRecord t) {
        if (t.expiresMs() == null) {
            return;
        }
        long delay = Math.max(1, t.expiresMs() - clock.millis());
        vertx.setTimer(delay, id -> broker.tokenUnusable(t.id())
                .onSuccess(v -> EventLog.info(LOG, "enrolment.token.expired", "token", t.id()))
                .onFailure(e -> LOG.warn("could not withdraw expired enrolment token '{}' from the broker: {}", t.id(),
                        e.getMessage())));
    }

    public Future<List<TokenRecord>> tokens() {
        return repository.tokens();
    }

    /** Revokes a token: refused at the broker from now on, its bootstrap sessions closed. */
    public Future<TokenRecord> revokeToken(String id) {
        return repository.revokeToken(id, clock.millis()).compose(t -> {
            if (t.isEmpty()) {
                return Future.failedFuture(new NotFoundException("no enrolment token '" + id + "'"));
            }
            return broker.tokenUnusable(id).map(v -> {
                EventLog.info(LOG, "enrolment.token.revoked", "token", id);
                return t.get();
            });
        });
    }

    // ---- requests

    /** Handles an enrolment request a device published; completes when it was answered. */
    public Future<Void> handle(Inbound inbound) {
        EnrolmentRequest request = inbound.as(EnrolmentRequest.class);
        String deviceId = inbound.address().deviceId();
        return admissible(deviceId, request).compose(token -> {
            if (token == null) {
                return Future.succeededFuture(); // refused and answered
            }
            return existing(deviceId, request).compose(prior -> switch (prior) {
                case NONE -> storePending(deviceId, request, token);
                case SAME -> answer(deviceId, request.getRequestId(), EnrolmentStatus.ENROLMENT_STATUS_PENDING,
                        "waiting for an operator", null, List.of());
                case REFUSED -> Future.<Void>succeededFuture();
            });
        });
    }

    /** The token the request may use, or null when it was refused (and answered). */
    private Future<TokenRecord> admissible(String deviceId, EnrolmentRequest request) {
        if (EnrolmentToken.isBootstrapUsername(deviceId)) {
            return refuse(deviceId, request, new EnrolmentRefusal(ErrorCode.ERROR_CODE_INVALID_ARGUMENT, "device_id",
                    "a device id must not start with '" + EnrolmentToken.USERNAME_PREFIX + "'"));
        }
        return repository.token(request.getTokenId()).compose(found -> {
            if (found.isEmpty()) {
                return refuse(deviceId, request, new EnrolmentRefusal(ErrorCode.ERROR_CODE_NOT_FOUND, "token_id",
                        "unknown enrolment token '" + request.getTokenId() + "'"));
            }
            TokenRecord token = found.get();
            String unusable = token.unusableReason(clock.millis());
            if (unusable != null) {
                return refuse(deviceId, request, new EnrolmentRefusal(ErrorCode.ERROR_CODE_UNAUTHORIZED, "token_id",
                        unusable));
            }
            if (!EnrolmentProof.verify(fleet, request, token.secretSha256())) {
                return refuse(deviceId, request, new EnrolmentRefusal(ErrorCode.ERROR_CODE_VERIFICATION_FAILED,
                        "token_proof", "token_proof does not verify with enrolment token '" + token.id() + "'"));
            }
            if (broker.deviceIdTaken(deviceId)) {
                return refuse(deviceId, request, taken(deviceId, "a device of the broker's credentials"));
            }
            return repository.deviceKnown(deviceId).compose(known -> known
                    ? refuse(deviceId, request, taken(deviceId, "a device known to the controller"))
                    : Future.succeededFuture(token));
        });
    }

    /** What is stored for an id a request asks for. */
    private enum Prior {
        /** Nothing, or a rejected request: store this one. */
        NONE,
        /** A pending request with this very credential (the device asking again after a restart): answer again. */
        SAME,
        /** Enrolled, or pending with another credential: refused and answered. */
        REFUSED
    }

    private Future<Prior> existing(String deviceId, EnrolmentRequest request) {
        return repository.enrolment(deviceId).compose(old -> {
            if (old.isEmpty() || old.get().state() == EnrolmentState.REJECTED) {
                return Future.succeededFuture(Prior.NONE);
            }
            EnrolmentRecord e = old.get();
            if (e.state() != EnrolmentState.PENDING) {
                return refuse(deviceId, request, taken(deviceId, "enrolled (" + e.state().label() + ")"))
                        .map(x -> Prior.REFUSED);
            }
            return vertx.executeBlocking(() -> DeviceCredentials.verify(e.credentialHash(),
                    request.getCredential().getBytes(StandardCharsets.UTF_8)), false).compose(same -> same
                    ? Future.succeededFuture(Prior.SAME)
                    : refuse(deviceId, request, taken(deviceId, "pending under another request"))
                            .map(x -> Prior.REFUSED));
        });
    }

    private Future<Void> storePending(String deviceId, EnrolmentRequest request, TokenRecord token) {
        // the broker first: one that keeps its own logins refuses an id it has (then nothing is stored)
        Future<Boolean> atBroker = broker.devicePending(deviceId, request.getCredential()).map(true)
                .recover(e -> {
                    String why = String.valueOf(e.getMessage());
                    if (!why.toLowerCase(java.util.Locale.ROOT).contains("already exists")) {
                        // the broker's store was unreachable or busy: nothing is stored and no answer is sent,
                        // so the device asks again (it repeats an unanswered request) instead of being rejected
                        LOG.warn("could not create a broker login for '{}' (request {}), left unanswered: {}",
                                deviceId, request.getRequestId(), why);
                        return Future.succeededFuture(false);
                    }
                    LOG.warn("broker refused a login for '{}': {}", deviceId, why);
                    return refuse(deviceId, request, taken(deviceId, "the broker has a login of that name"))
                            .map(false);
                });
        return atBroker.compose(ok -> !ok ? Future.<Void>succeededFuture()
                : vertx.executeBlocking(() -> DeviceCredentials.hash(request.getCredential().toCharArray()), false)
                        .compose(hash -> repository.savePending(new EnrolmentRecord(deviceId, token.id(),
                                request.getRequestId(), EnrolmentState.PENDING, hash, request.getAgentVersion(),
                                hardwareJson(request), request.getLabelsList(), null, clock.millis(), null),
                                List.of(EnrolmentState.REJECTED)))
                        .compose(saved -> saved ? pendingStored(deviceId, request, token)
                                : refuse(deviceId, request, taken(deviceId, "taken by a request that came first"))));
    }

    private Future<Void> pendingStored(String deviceId, EnrolmentRequest request, TokenRecord token) {
        EventLog.info(LOG, "enrolment.requested", "device", deviceId, "token", token.id(), "request",
                request.getRequestId(), "agent", request.getAgentVersion());
        metrics.reportEnrolment("requested");
        return token.autoAccept()
                ? accept(deviceId, "auto-accept token '" + token.id() + "'").mapEmpty()
                : answer(deviceId, request.getRequestId(), EnrolmentStatus.ENROLMENT_STATUS_PENDING,
                        "waiting for an operator", null, List.of());
    }

    private static EnrolmentRefusal taken(String deviceId, String why) {
        return new EnrolmentRefusal(ErrorCode.ERROR_CODE_INVALID_ARGUMENT, "device_id",
                "device id '" + deviceId + "' is taken: " + why);
    }

    /** Answers REJECTED with the typed error; completes with null (nothing to go on with). */
    private <T> Future<T> refuse(String deviceId, EnrolmentRequest request, EnrolmentRefusal refusal) {
        EventLog.warn(LOG, "enrolment.refused", "device", deviceId, "token", request.getTokenId(), "request",
                request.getRequestId(), "code", refusal.code().name(), "field", refusal.field(), "reason",
                refusal.message());
        metrics.reportEnrolment("refused");
        return answer(deviceId, request.getRequestId(), EnrolmentStatus.ENROLMENT_STATUS_REJECTED, refusal.message(),
                refusal, List.of()).map(v -> null);
    }

    // ---- decisions

    public Future<List<EnrolmentRecord>> enrolments(EnrolmentState state) {
        return repository.enrolments(state);
    }

    /**
     * Accepts a pending device: stored with its labels plus the token's, one use of the token
     * counted, its credential valid at the broker at once, ACCEPTED answered.
     *
     * @param by who decided ("operator" or the auto-accept token), for the event log
     */
    public Future<EnrolmentRecord> accept(String deviceId, String by) {
        return pending(deviceId).compose(e -> repository.token(e.tokenId()).compose(t -> {
            if (t.isEmpty() || t.get().revokedMs() != null) {
                return Future.failedFuture(new ConflictException("enrolment token '" + e.tokenId() + "' of device '"
                        + deviceId + "' is revoked: reject the device, or enrol it with another token"));
            }
            return repository.accept(deviceId, mergeLabels(e.labels(), t.get().labels()), clock.millis())
                    .compose(accepted -> accepted.isEmpty()
                            ? Future.failedFuture(new ConflictException("enrolment of '" + deviceId
                                    + "' was decided meanwhile"))
                            : applyAcceptance(accepted.get(), t.get(), by));
        }));
    }

    private Future<EnrolmentRecord> applyAcceptance(EnrolmentRecord e, TokenRecord token, String by) {
        TokenRecord counted = token.withUses(token.uses() + 1);
        // a token used up now is refused at CONNECT before anyone hears of the acceptance (open sessions stay)
        boolean usedUp = counted.unusableReason(clock.millis()) != null;
        return broker.deviceAccepted(e.deviceId(), e.credentialHash()).compose(v -> !usedUp ? Future.<Void>succeededFuture()
                : broker.tokenUsedUp(token.id()).onSuccess(u -> EventLog.info(LOG, "enrolment.token.used_up",
                        "token", token.id(), "uses", counted.uses()))).compose(v -> {
            EventLog.info(LOG, "enrolment.accepted", "device", e.deviceId(), "token", e.tokenId(), "by", by,
                    "labels", String.join(",", e.labels()));
            metrics.reportEnrolment("accepted");
            return answer(e.deviceId(), e.requestId(), EnrolmentStatus.ENROLMENT_STATUS_ACCEPTED,
                    "accepted: reconnect with your own credential", null, e.labels())
                    .recover(unsent -> Future.succeededFuture()); // stored and valid; the device learns it on its next login
        }).map(e);
    }

    /** Rejects a pending device: its bootstrap session is closed, REJECTED answered with the reason. */
    public Future<EnrolmentRecord> reject(String deviceId, String reason) {
        return pending(deviceId).compose(p -> repository.decide(deviceId, EnrolmentState.PENDING,
                EnrolmentState.REJECTED, reason, clock.millis())).compose(r -> {
                    if (r.isEmpty()) {
                        return Future.failedFuture(new ConflictException("enrolment of '" + deviceId
                                + "' was decided meanwhile"));
                    }
                    EventLog.info(LOG, "enrolment.rejected", "device", deviceId, "reason", reason);
                    metrics.reportEnrolment("rejected");
                    return answer(deviceId, r.get().requestId(), EnrolmentStatus.ENROLMENT_STATUS_REJECTED,
                            "rejected by an operator: " + reason, null, List.of())
                            .recover(unsent -> Future.succeededFuture())
                            .compose(v -> broker.deviceRevoked(deviceId)).map(r.get());
                });
    }

    /**
     * Takes an enrolled device out of the fleet: its credential stops working at the broker and its
     * open session is closed at once. Its id is not enrolled again (the controller knows it).
     */
    public Future<EnrolmentRecord> decommission(String deviceId, String reason) {
        return repository.decide(deviceId, EnrolmentState.ACCEPTED, EnrolmentState.DECOMMISSIONED, reason,
                clock.millis()).compose(r -> {
                    if (r.isEmpty()) {
                        return repository.enrolment(deviceId).compose(e -> Future.failedFuture(e.isEmpty()
                                ? new NotFoundException("no enrolled device '" + deviceId + "' (devices of "
                                        + "broker.credentials.file are removed from that file)")
                                : new ConflictException("device '" + deviceId + "' is " + e.get().state().label()
                                        + ", not accepted")));
                    }
                    return broker.deviceRevoked(deviceId).compose(v -> {
                        EventLog.info(LOG, "enrolment.decommissioned", "device", deviceId, "reason", reason);
                        metrics.reportEnrolment("decommissioned");
                        return answer(deviceId, "", EnrolmentStatus.ENROLMENT_STATUS_REJECTED,
                                "decommissioned: " + reason, null, List.of()).recover(unsent -> Future.succeededFuture());
                    }).map(r.get());
                });
    }

    private Future<EnrolmentRecord> pending(String deviceId) {
        return repository.enrolment(deviceId).compose(e -> {
            if (e.isEmpty()) {
                return Future.failedFuture(new NotFoundException("no enrolment of device '" + deviceId + "'"));
            }
            if (e.get().state() != EnrolmentState.PENDING) {
                return Future.failedFuture(new ConflictException("enrolment of '" + deviceId + "' is "
                        + e.get().state().label() + ", not pending"));
            }
            return Future.succeededFuture(e.get());
        });
    }

    private Future<Void> answer(String deviceId, String requestId, EnrolmentStatus status, String reason,
            EnrolmentRefusal refusal, List<String> labels) {
        EnrolmentAnswer.Builder a = EnrolmentAnswer.newBuilder().setDeviceId(deviceId).setRequestId(requestId)
                .setStatus(status).setReason(reason).addAllLabels(labels);
        if (refusal != null) {
            a.setError(refusal.detail());
        }
        return commands.send(new Outbound(deviceId, Channel.ENROL_ANSWER, a.build()))
                .onFailure(e -> LOG.warn("could not answer the enrolment of '{}' ({}): it reads the answer when it "
                        + "asks again", deviceId, e.getMessage()));
    }

    /** The device's labels with the token's added; for the same key the token's value wins (the operator granted it). */
    static List<String> mergeLabels(List<String> device, Map<String, String> token) {
        Map<String, String> byKey = new LinkedHashMap<>();
        for (String label : device) {
            int eq = label.indexOf('=');
            byKey.put(eq < 0 ? label : label.substring(0, eq), label);
        }
        token.forEach((k, v) -> byKey.put(k, k + "=" + v));
        return List.copyOf(byKey.values());
    }

    static String labelList(Map<String, String> labels) {
        List<String> out = new ArrayList<>();
        labels.forEach((k, v) -> out.add(k + "=" + v));
        return String.join(",", out);
    }

    private static String hardwareJson(EnrolmentRequest request) {
        if (!request.hasHardware()) {
            return null;
        }
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(request.getHardware());
        } catch (InvalidProtocolBufferException e) {
            return null; // facts only: a request is not refused for them
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
