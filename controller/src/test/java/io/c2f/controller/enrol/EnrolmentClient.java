package io.c2f.controller.enrol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.enrol.EnrolmentProof;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.testing.RawMqttClient;
import io.c2f.proto.testing.RawMqttClient.Connect;
import io.c2f.proto.testing.RawMqttClient.Publish;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.EnrolmentAnswer;
import io.c2f.proto.v1.EnrolmentRequest;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.function.UnaryOperator;

/** A device that holds only an enrolment token, as a raw MQTT client: the test's own, not the agent's. */
final class EnrolmentClient {
    static final String FLEET = "lab";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Topics TOPICS = Topics.fleet(FLEET);
    private static final HeaderFactory HEADERS = new HeaderFactory("test-device");

    private EnrolmentClient() {
    }

    /** A fresh credential of the contract's form (32 random bytes, base64url). */
    static String credential() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Connects with the bootstrap login; returns the CONNACK code and the client (closed when refused). */
    static RawMqttClient bootstrap(URI broker, String deviceId, EnrolmentToken token, int[] code) throws IOException {
        return RawMqttClient.connect(broker.getHost(), broker.getPort(),
                Connect.as(deviceId, token.bootstrapUsername(), token.secret()), code);
    }

    /** A request with a right proof for {@code token}, changed by {@code edit} after the proof was made. */
    static EnrolmentRequest request(String deviceId, EnrolmentToken token, String credential,
            UnaryOperator<EnrolmentRequest.Builder> edit) {
        EnrolmentRequest r = EnrolmentRequest.newBuilder().setHeader(HEADERS.next()).setDeviceId(deviceId)
                .setRequestId("req-" + RANDOM.nextInt(1_000_000)).setTokenId(token.tokenId())
                .setCredential(credential).setAgentVersion("0.9.0").addLabels("camera=usb").build();
        r = r.toBuilder().setTokenProof(ByteString.copyFrom(EnrolmentProof.compute(FLEET, r, token.secretSha256())))
                .build();
        return edit.apply(r.toBuilder()).build();
    }

    /** Subscribes to the device's answer, publishes the request (PUBACK awaited) and returns the answer. */
    static EnrolmentAnswer ask(RawMqttClient client, String deviceId, EnrolmentRequest request) throws IOException {
        assertEquals(1, client.subscribe(TOPICS.enrolmentAnswer(deviceId), 1), "may read its own answer");
        drain(client);
        int id = client.publish(TOPICS.enrolmentRequest(deviceId), WireCodec.encode(Channel.ENROL_REQUEST, request), 1,
                false);
        assertTrue(client.awaitPubAck(id, Duration.ofSeconds(10)), "PUBACK of the request");
        return answer(client, deviceId);
    }

    /** The next enrolment answer for the device. */
    static EnrolmentAnswer answer(RawMqttClient client, String deviceId) {
        Publish p = client.awaitPublish(Duration.ofSeconds(15))
                .orElseThrow(() -> new AssertionError("no enrolment answer for " + deviceId));
        assertEquals(TOPICS.enrolmentAnswer(deviceId), p.topic());
        try {
            return (EnrolmentAnswer) WireCodec.decode(p.topic(), p.payload()).message();
        } catch (Exception e) {
            throw new AssertionError("answer does not decode: " + e, e);
        }
    }

    /** Drops a retained answer of an earlier request that the subscription delivered. */
    private static void drain(RawMqttClient client) {
        client.publishesWithin(Duration.ofMillis(300));
    }

    static Topics topics() {
        return TOPICS;
    }
}
