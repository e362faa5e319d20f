package io.c2f.agent.testing;

import io.c2f.proto.WireException;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.enrol.EnrolmentProof;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.EnrolmentAnswer;
import io.c2f.proto.v1.EnrolmentRequest;
import io.c2f.proto.v1.EnrolmentStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The controller's side of enrolment, just enough for agent tests: a raw MQTT client that records
 * every enrolment request (and births, to see a device log in as itself), checks each request's
 * token_proof, and answers on the device's retained {@code enrol/answer} as its {@link #policy} says.
 * Answers go out from a thread of their own (never from Paho's callback thread).
 */
public final class FakeEnrolmentController implements AutoCloseable {
    /** What a request gets: PENDING, ACCEPTED, REJECTED (with a reason), or null for no answer. */
    public record Decision(EnrolmentStatus status, String reason) {
        public static Decision pending() {
            return new Decision(EnrolmentStatus.ENROLMENT_STATUS_PENDING, "");
        }

        public static Decision accepted() {
            return new Decision(EnrolmentStatus.ENROLMENT_STATUS_ACCEPTED, "");
        }

        public static Decision rejected(String reason) {
            return new Decision(EnrolmentStatus.ENROLMENT_STATUS_REJECTED, reason);
        }
    }

    private final MqttClient client;
    private final Topics topics;
    private final String fleet;
    private final EnrolmentToken token;
    private final HeaderFactory headers = new HeaderFactory("fake-controller");
    private final ExecutorService answering = Executors.newSingleThreadExecutor();
    private final List<EnrolmentRequest> requests = new CopyOnWriteArrayList<>();
    private final List<String> badProofs = new CopyOnWriteArrayList<>();
    private final List<String> births = new CopyOnWriteArrayList<>();
    private volatile Function<EnrolmentRequest, Decision> policy = r -> Decision.pending();

    public FakeEnrolmentController(String uri, String user, String password, String fleet, EnrolmentToken token)
            throws MqttException {
        this.fleet = fleet;
        this.token = token;
        this.topics = Topics.fleet(fleet);
        client = new MqttClient(uri, "fake-controller", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setUserName(user);
        o.setPassword(password.toCharArray());
        client.connect(o);
        client.subscribe("c2f/v1/" + fleet + "/device/+/#", 1, (topic, msg) -> {
            Inbound in;
            try {
                in = WireCodec.decode(topic, msg.getPayload());
            } catch (WireException e) {
                return;
            }
            if (in.address().channel() == Channel.BIRTH) {
                births.add(in.address().deviceId());
            } else if (in.address().channel() == Channel.ENROL_REQUEST) {
                EnrolmentRequest r = in.as(EnrolmentRequest.class);
                requests.add(r);
                if (!EnrolmentProof.verify(fleet, r, token.secretSha256())) {
                    badProofs.add(r.getRequestId());
                }
                answering.execute(() -> answer(r, policy.apply(r)));
            }
        });
    }

    public void policy(Function<EnrolmentRequest, Decision> decide) {
        this.policy = decide;
    }

    /** Answers a request now (as an operator deciding later). */
    public void answer(EnrolmentRequest r, Decision d) {
        if (d == null) {
            return;
        }
        EnrolmentAnswer a = EnrolmentAnswer.newBuilder().setHeader(headers.next()).setDeviceId(r.getDeviceId())
                .setRequestId(r.getRequestId()).setStatus(d.status()).setReason(d.reason()).build();
        try {
            client.publish(topics.enrolmentAnswer(r.getDeviceId()), WireCodec.encode(Channel.ENROL_ANSWER, a), 1, true);
        } catch (MqttException e) {
            throw new IllegalStateException("fake controller could not answer " + r.getDeviceId(), e);
        }
    }

    /** Every request received so far, in order. */
    public List<EnrolmentRequest> requests() {
        return List.copyOf(requests);
    }

    /** Request ids whose token_proof did not verify. */
    public List<String> badProofs() {
        return List.copyOf(badProofs);
    }

    /** Waits until at least {@code n} requests arrived; returns the n-th. */
    public EnrolmentRequest awaitRequest(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (requests.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + n + " enrolment requests within " + timeout + ": " + requests.size());
            }
            Thread.sleep(20);
        }
        return requests.get(n - 1);
    }

    /** Waits until the device has sent a birth (it logged in as itself) since the last {@link #forgetBirths}. */
    public void awaitBirth(String deviceId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!births.contains(deviceId)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no birth of " + deviceId + " within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    public void forgetBirths() {
        births.clear();
    }

    public boolean bornSince(String deviceId) {
        return births.contains(deviceId);
    }

    @Override
    public void close() throws MqttException {
        answering.shutdownNow();
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }
}
