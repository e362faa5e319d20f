package io.c2f.agent.enrol;

import io.c2f.agent.link.LinkSettings;
import io.c2f.agent.link.mqtt.LoginRefusedException;
import io.c2f.agent.link.mqtt.MqttConnection;
import io.c2f.agent.threads.AgentThreads;
import io.c2f.agent.threads.Lane;
import io.c2f.proto.WireException;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.EnrolmentAnswer;
import io.c2f.proto.v1.EnrolmentRequest;
import io.c2f.proto.v1.EnrolmentStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enrolment handshake under the bootstrap login (username {@code enrol.{tokenId}}, password the
 * token's secret, client id the device id): subscribe to the device's own {@code enrol/answer}
 * (retained, so a reconnect reads the current status at once), publish the request, wait. PENDING
 * keeps it waiting, across lost connections (it reconnects with backoff and sends the same request
 * again); ACCEPTED completes the future; REJECTED fails it with the controller's reason. Answers
 * naming another request (a second claimant of the same id is answered on the same retained topic)
 * are ignored. Nothing here logs the secret or the credential.
 */
final class EnrolmentClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EnrolmentClient.class);

    private final LinkSettings link;
    private final EnrolmentToken token;
    private final EnrolmentRequest request;
    private final Duration resendAfter;
    private final int maxLoginRefusals;
    private final Topics topics;
    private final HeaderFactory headers;
    private final Lane scheduler;
    private volatile boolean released;
    private final MqttConnection client;
    private final RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
    private final CompletableFuture<EnrolmentAnswer> result = new CompletableFuture<>();
    private int attempt;
    private int loginRefusals;
    private EnrolmentStatus lastStatus = EnrolmentStatus.ENROLMENT_STATUS_UNSPECIFIED;
    /** Whether this connection has read an answer to our request (the retained one comes at once). */
    private boolean answeredThisSession;
    private ScheduledFuture<?> resend;

    /**
     * @param link broker, device id (the client id), TLS and timings; its credentials are not used
     * @param request the request with its token_proof, without header
     * @param resendAfter how long to wait for a first answer before sending the request again (the
     *     controller may have been away when it was sent)
     * @param maxLoginRefusals bootstrap logins refused in a row before giving up
     */
    EnrolmentClient(LinkSettings link, EnrolmentToken token, EnrolmentRequest request, Duration resendAfter,
            int maxLoginRefusals) throws IOException {
        this(link, token, request, resendAfter, maxLoginRefusals, AgentThreads.dedicated());
    }

    /** As the other constructor, on a lane and MQTT client of {@code threads}. */
    EnrolmentClient(LinkSettings link, EnrolmentToken token, EnrolmentRequest request, Duration resendAfter,
            int maxLoginRefusals, AgentThreads threads) throws IOException {
        this.link = Objects.requireNonNull(link);
        this.token = Objects.requireNonNull(token);
        this.request = Objects.requireNonNull(request);
        this.resendAfter = resendAfter;
        this.maxLoginRefusals = maxLoginRefusals;
        this.topics = Topics.fleet(link.fleet());
        this.headers = new HeaderFactory(link.deviceId());
        this.scheduler = threads.lane(AgentThreads.Work.LINK, "c2f-enrol-" + link.deviceId());
        try {
            this.client = threads.mqttClient(link.brokerUri(), link.deviceId());
        } catch (IOException e) {
            scheduler.close();
            throw new IOException("cannot create the enrolment MQTT client for " + link + ": " + e.getMessage(), e);
        }
        client.setHandler(new Callback());
    }

    /**
     * Starts the handshake in the background. The future completes with the ACCEPTED answer, or fails
     * with {@link EnrolmentRefusedException} (or {@link CancellationException} after {@link #close}).
     */
    CompletableFuture<EnrolmentAnswer> start() {
        scheduler.execute(this::connectOnce);
        return result;
    }

    private void connectOnce() {
        if (result.isDone()) {
            return;
        }
        // the answer we need is retained: nothing to keep between bootstrap sessions
        // no Last Will: the bootstrap login may publish nothing but its enrolment request
        MqttConnection.Options options = link.connectOptions().withCleanSession(true)
                .withLogin(token.bootstrapUsername(), token.secret().toCharArray());
        try {
            client.connect(options).get(link.connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            loginRefusals = 0;
            int granted = client.subscribe(topics.enrolmentAnswer(link.deviceId()), 1)
                    .get(link.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (granted == 0x80) {
                throw new IOException("the broker refused the subscription to " + topics.enrolmentAnswer(link.deviceId()));
            }
            attempt = 0;
            answeredThisSession = false;
            headers.newSession(0);
            send();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            disconnectQuietly();
        } catch (ExecutionException | java.util.concurrent.TimeoutException | IOException e) {
            disconnectQuietly();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof LoginRefusedException) {
                if (ownLoginWorks()) {
                    // accepted while this device was away: a broker may refuse the bootstrap login of an enrolled
                    // id (the embedded one does), so the retained ACCEPTED cannot be read; its own login proves it
                    LOG.info("{}: the bootstrap login is refused but the device's own login works: it was accepted",
                            link.deviceId());
                    release();
                    result.complete(EnrolmentAnswer.newBuilder().setDeviceId(link.deviceId())
                            .setRequestId(request.getRequestId()).setStatus(EnrolmentStatus.ENROLMENT_STATUS_ACCEPTED)
                            .build());
                    return;
                }
                loginRefusals++;
                LOG.warn("{}: the broker refused the bootstrap login of enrolment token '{}' ({}), {} of {} times",
                        link.deviceId(), token.tokenId(), cause.getMessage(), loginRefusals, maxLoginRefusals);
                if (loginRefusals >= maxLoginRefusals) {
                    refuse(new EnrolmentRefusedException(EnrolmentRefusedException.By.BROKER, cause.getMessage(),
                            "the broker at " + link.brokerUri() + " refused the bootstrap login of enrolment token '"
                                    + token.tokenId() + "' " + loginRefusals + " times in a row (" + cause.getMessage()
                                    + "): the token is unknown, revoked, expired or used up"));
                    return;
                }
            } else {
                LOG.warn("{} cannot reach the broker to enrol at {}: {}", link.deviceId(), link.brokerUri(),
                        cause.toString());
            }
            scheduleReconnect();
        }
    }

    /** Whether the broker takes the device's own login (user name = client id = device id, its credential). */
    private boolean ownLoginWorks() {
        MqttConnection.Options options = link.connectOptions()
                .withCleanSession(false) // never discards a session the device's own link keeps
                .withLogin(link.deviceId(), request.getCredential().toCharArray());
        try {
            client.connect(options).get(link.connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            disconnectQuietly();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            disconnectQuietly();
            return false;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            disconnectQuietly();
            return false;
        }
    }

    private void send() {
        if (result.isDone() || !client.isConnected()) {
            return;
        }
        EnrolmentRequest stamped = request.toBuilder().setHeader(headers.next()).build();
        client.publish(topics.enrolmentRequest(link.deviceId()), WireCodec.encode(Channel.ENROL_REQUEST, stamped),
                Channel.ENROL_REQUEST.qos(), false).whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.warn("{}: enrolment request not sent: {}", link.deviceId(), e.toString());
                    }
                });
        LOG.info("{} asked to enrol with token '{}' (request {})", link.deviceId(), token.tokenId(),
                request.getRequestId());
        // until this connection reads an answer: a broker restart may have lost both request and answer
        if (!answeredThisSession && resendAfter != null) {
            cancelResend();
            resend = scheduler.schedule(this::send, resendAfter.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void answered(String topic, byte[] payload) {
        if (result.isDone()) {
            return;
        }
        EnrolmentAnswer answer;
        try {
            answer = WireCodec.decode(topic, payload).as(EnrolmentAnswer.class);
        } catch (WireException | ClassCastException e) {
            LOG.warn("{} ignored a malformed enrolment answer on {}: {}", link.deviceId(), topic, e.getMessage());
            return;
        }
        if (!answer.getRequestId().isEmpty() && !answer.getRequestId().equals(request.getRequestId())) {
            // another claimant's answer (or an old round's) on the same retained topic
            LOG.debug("{} ignored an enrolment answer for request {}", link.deviceId(), answer.getRequestId());
            return;
        }
        EnrolmentStatus previous = lastStatus;
        lastStatus = answer.getStatus();
        answeredThisSession = true;
        cancelResend();
        switch (answer.getStatus()) {
            case ENROLMENT_STATUS_PENDING -> {
                if (previous != EnrolmentStatus.ENROLMENT_STATUS_PENDING) {
                    LOG.info("{}: enrolment pending, waiting for an operator to accept it{}", link.deviceId(),
                            answer.getReason().isEmpty() ? "" : " (" + answer.getReason() + ")");
                }
            }
            case ENROLMENT_STATUS_ACCEPTED -> {
                LOG.info("{}: enrolment accepted{}", link.deviceId(),
                        answer.getLabelsCount() == 0 ? "" : ", labels " + answer.getLabelsList());
                release(); // the device's own login uses the same client id: this session must be gone first
                result.complete(answer);
            }
            case ENROLMENT_STATUS_REJECTED -> refuse(new EnrolmentRefusedException(
                    EnrolmentRefusedException.By.CONTROLLER, answer.getReason(), "enrolment of " + link.deviceId()
                            + " was rejected by the controller: " + describe(answer)));
            default -> LOG.warn("{} ignored an enrolment answer with status {}", link.deviceId(), answer.getStatus());
        }
    }

    private static String describe(EnrolmentAnswer a) {
        String reason = a.getReason().isEmpty() ? "no reason given" : a.getReason();
        if (a.hasError()) {
            reason += " (" + a.getError().getCode()
                    + (a.getError().getField().isEmpty() ? "" : ", field " + a.getError().getField()) + ")";
        }
        return reason;
    }

    private void refuse(EnrolmentRefusedException e) {
        LOG.warn("{}", e.getMessage()); // names the reason, never the secret
        release();
        result.completeExceptionally(e);
    }

    /** Ends the handshake for good: disconnects, frees the MQTT client and this client's thread. */
    private void release() {
        cancelResend();
        disconnectQuietly();
        client.close();
        released = true;
        scheduler.close(); // called on the lane: returns at once, drops what is left (all moot now)
    }

    private void scheduleReconnect() {
        if (result.isDone() || released) {
            return;
        }
        Duration delay = link.backoff().delay(attempt++, random);
        scheduler.schedule(this::connectOnce, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelResend() {
        if (resend != null) {
            resend.cancel(false);
            resend = null;
        }
    }

    private void disconnectQuietly() {
        try {
            if (client.isConnected()) {
                client.disconnect().get(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.disconnectForcibly();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            client.disconnectForcibly();
        }
    }

    @Override
    public void close() {
        if (!result.completeExceptionally(new CancellationException("enrolment of " + link.deviceId() + " stopped"))) {
            return; // accepted or refused: already released
        }
        try {
            CompletableFuture.runAsync(this::release, scheduler).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("closing the enrolment of {}: {}", link.deviceId(), e.toString());
        }
        scheduler.close();
    }

    private final class Callback implements MqttConnection.Handler {
        @Override
        public void connectionLost(Throwable cause) {
            if (result.isDone()) {
                return;
            }
            LOG.warn("{} lost its enrolment connection: {}", link.deviceId(), cause.toString());
            scheduler.execute(() -> {
                cancelResend();
                scheduleReconnect();
            });
        }

        @Override
        public void messageArrived(String topic, byte[] payload) {
            scheduler.execute(() -> answered(topic, payload));
        }
    }
}
