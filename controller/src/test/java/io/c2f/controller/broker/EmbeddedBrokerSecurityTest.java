package io.c2f.controller.broker;

import static io.c2f.controller.broker.BrokerUnderTest.LAB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.proto.testing.RawMqttClient;
import io.c2f.proto.testing.RawMqttClient.Connect;
import io.c2f.proto.testing.RawMqttClient.Will;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Direction;
import io.c2f.proto.topic.Topics;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the embedded broker from outside, by a client written for the test
 * ({@link RawMqttClient}), as a device with valid credentials (dev-a) or as nobody: wills, retained
 * messages and publishes on every topic a device may not write never reach anyone.
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
class EmbeddedBrokerSecurityTest {
    /** How long "nothing arrives" is watched for. */
    private static final Duration QUIET = Duration.ofMillis(700);
    private static final byte[] PAYLOAD = "forged".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private BrokerUnderTest broker;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        broker = BrokerUnderTest.start(vertx, dir);
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    /**
     * Every topic dev-a may not publish on: each of dev-b's channels (both directions), dev-a's own
     * controller-to-device channels, the fleet-wide ones (controller/state, fleet/rebirth), dev-a's
     * channels in another fleet, an unknown channel, and a topic outside the namespace.
     */
    private static List<String> forbiddenForDevA() {
        List<String> topics = new ArrayList<>();
        for (Channel c : Channel.values()) {
            if (c.scope() == Channel.Scope.FLEET) {
                topics.add(LAB.fleetWide(c));
                continue;
            }
            topics.add(LAB.device("dev-b", c));
            if (c.direction() == Direction.CONTROLLER_TO_DEVICE) {
                topics.add(LAB.device("dev-a", c));
            }
        }
        topics.add(Topics.fleet("other").device("dev-a", Channel.DEATH));
        topics.add("c2f/v1/lab/device/dev-a/unknown");
        topics.add("elsewhere/topic");
        return topics;
    }

    /** dev-a's own device-to-controller channels: it may publish there, never retain. */
    private static List<String> ownUpstream() {
        List<String> topics = new ArrayList<>();
        for (Channel c : Channel.values()) {
            if (c.scope() == Channel.Scope.DEVICE && c.direction() == Direction.DEVICE_TO_CONTROLLER) {
                topics.add(LAB.device("dev-a", c));
            }
        }
        return topics;
    }

    /** The controller's view: an admin subscribed to everything. */
    private RawMqttClient observer() throws Exception {
        RawMqttClient o = broker.admin("observer");
        assertEquals(1, o.subscribe("#", 1));
        return o;
    }

    private static Connect devA() {
        return Connect.as("dev-a", "dev-a", "pw-a");
    }

    @Test
    void aWillOnAnyTopicTheDeviceMayNotPublishRefusesItsConnection() throws Exception {
        List<String> topics = forbiddenForDevA();
        topics.add(LAB.device("dev-b", Channel.JOB_NOTIFY).replace("job/notify", "#"));
        for (String topic : topics) {
            assertEquals(RawMqttClient.NOT_AUTHORIZED, broker.connackOf(devA().withWill(new Will(topic, PAYLOAD, 1, false))),
                    "will on " + topic);
        }
        assertTrue(broker.broker.refusedConnections() >= topics.size());
    }

    @Test
    void aRefusedWillNeverReachesItsTargetWhenTheAttackerDropsTcp() throws Exception {
        RawMqttClient observer = observer();
        RawMqttClient victim = broker.device("dev-b");
        for (String topic : LAB.deviceSubscriptions("dev-b")) {
            assertEquals(1, victim.subscribe(topic, 1), topic);
        }
        for (String topic : List.of(LAB.device("dev-b", Channel.JOB_NOTIFY), LAB.device("dev-b", Channel.DEATH),
                LAB.device("dev-b", Channel.BIRTH), LAB.fleetWide(Channel.CONTROLLER_STATE))) {
            int[] code = new int[1];
            RawMqttClient attacker = broker.connect(devA().withWill(new Will(topic, PAYLOAD, 1, false)), code);
            assertEquals(RawMqttClient.NOT_AUTHORIZED, code[0], topic);
            attacker.dropConnection();
        }
        assertEquals(List.of(), victim.publishesWithin(QUIET), "the victim got a will");
        assertEquals(List.of(), observer.publishesWithin(QUIET), "the controller got a will");
    }

    @Test
    void aRetainedOrQos2WillIsRefusedEvenOnTheDevicesOwnDeathTopic() throws Exception {
        String death = LAB.device("dev-a", Channel.DEATH);
        assertEquals(RawMqttClient.NOT_AUTHORIZED, broker.connackOf(devA().withWill(new Will(death, PAYLOAD, 1, true))),
                "retained will");
        assertEquals(RawMqttClient.NOT_AUTHORIZED, broker.connackOf(devA().withWill(new Will(death, PAYLOAD, 2, false))),
                "QoS 2 will");
        assertEquals(0, broker.connackOf(devA().withWill(new Will(death, PAYLOAD, 1, false))), "its own death");
    }

    @Test
    void retainedPublishesADeviceMayNotMakeAreNeitherStoredNorDelivered() throws Exception {
        RawMqttClient observer = observer();
        RawMqttClient attacker = broker.device("dev-a");
        List<String> topics = new ArrayList<>(ownUpstream());
        topics.addAll(forbiddenForDevA());
        for (String topic : topics) {
            int id = attacker.publish(topic, PAYLOAD, 1, true);
            assertTrue(attacker.awaitPubAck(id, Duration.ofSeconds(5)), "dropped, yet acknowledged: " + topic);
        }
        assertEquals(List.of(), observer.publishesWithin(QUIET), "a retained publish was delivered");
        RawMqttClient later = broker.admin("later");
        assertEquals(1, later.subscribe("#", 1));
        assertEquals(List.of(), later.publishesWithin(QUIET), "a retained publish was stored");
        assertFalse(attacker.isClosed(), "the device keeps its connection for its good traffic");
    }

    @Test
    void publishesOnOtherDevicesAndControllerTopicsAreDroppedButAcknowledged() throws Exception {
        RawMqttClient observer = observer();
        RawMqttClient victim = broker.device("dev-b");
        for (String topic : LAB.deviceSubscriptions("dev-b")) {
            victim.subscribe(topic, 1);
        }
        RawMqttClient attacker = broker.device("dev-a");
        List<String> forbidden = forbiddenForDevA();
        for (String topic : forbidden) {
            int id = attacker.publish(topic, PAYLOAD, 1, false);
            assertTrue(attacker.awaitPubAck(id, Duration.ofSeconds(5)), topic);
            attacker.publish(topic, PAYLOAD, 0, false);
        }
        // the same connection's own birth still goes through: the observer would have seen the others
        int own = attacker.publish(LAB.device("dev-a", Channel.BIRTH), PAYLOAD, 1, false);
        assertTrue(attacker.awaitPubAck(own, Duration.ofSeconds(5)));
        List<RawMqttClient.Publish> seen = observer.publishesWithin(QUIET);
        assertEquals(List.of(LAB.device("dev-a", Channel.BIRTH)), seen.stream().map(RawMqttClient.Publish::topic).toList());
        assertEquals(List.of(), victim.publishesWithin(QUIET));
        assertTrue(broker.broker.deniedPublishes() >= 2L * forbidden.size());
    }

    @Test
    void anonymousWrongOrBorrowedCredentialsAreRefused() throws Exception {
        assertEquals(RawMqttClient.NOT_AUTHORIZED, broker.connackOf(Connect.as("dev-a", null, null)), "anonymous");
        assertEquals(RawMqttClient.BAD_CREDENTIALS, broker.connackOf(Connect.as("dev-a", "dev-a", "pw-b")),
                "wrong password");
        assertEquals(RawMqttClient.BAD_CREDENTIALS, broker.connackOf(Connect.as("dev-b", "dev-a", "pw-a")),
                "dev-a's login under dev-b's client id (would take over dev-b's session)");
        assertEquals(RawMqttClient.BAD_CREDENTIALS, broker.connackOf(Connect.as("ctl", BrokerUnderTest.ADMIN, "guess")),
                "admin with a wrong password");
        assertEquals(2, broker.connackOf(Connect.as("", "dev-a", "pw-a")), "empty client id");
        assertEquals(1, broker.connackOf(devA().withProtocolLevel(2)), "unknown protocol level");
    }

    @Test
    void mqtt5IsRefusedAsAnUnacceptableProtocolVersion() throws Exception {
        try (RawMqttClient c = RawMqttClient.open("127.0.0.1", broker.broker.port())) {
            ByteArrayOutputStream v = new ByteArrayOutputStream();
            v.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 5, 0x02 | (byte) 0xC0, 0, 30, 0}); // level 5, no properties
            for (String s : List.of("dev-a", "dev-a", "pw-a")) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                v.write(0);
                v.write(b.length);
                v.writeBytes(b);
            }
            c.send(RawMqttClient.CONNECT << 4, v.toByteArray());
            assertTrue(c.awaitClosed(Duration.ofSeconds(5)), "the connection stays open");
        }
        assertTrue(broker.broker.refusedConnections() >= 1, "not refused at CONNECT");
    }

    @Test
    void aQos2PublishClosesTheConnectionAndGoesNowhere() throws Exception {
        RawMqttClient observer = observer();
        RawMqttClient device = broker.device("dev-a");
        device.publish(LAB.device("dev-a", Channel.BIRTH), PAYLOAD, 2, false);
        assertTrue(device.awaitClosed(Duration.ofSeconds(5)));
        assertEquals(List.of(), observer.publishesWithin(QUIET));
    }

    @Test
    void aWildcardTopicNameInAPublishClosesTheConnection() throws Exception {
        RawMqttClient observer = observer();
        RawMqttClient device = broker.device("dev-a");
        device.publish("c2f/v1/lab/device/+/job/notify", PAYLOAD, 1, false);
        assertTrue(device.awaitClosed(Duration.ofSeconds(5)));
        assertEquals(List.of(), observer.publishesWithin(QUIET));
    }

    @Test
    void anOversizeMessageClosesTheConnectionBeforeItIsRead() throws Exception {
        RawMqttClient device = broker.device("dev-a");
        // a PUBLISH header announcing one byte more than the limit, and only the first bytes of it
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x32);
        int len = EmbeddedBroker.MAX_MESSAGE_BYTES + 1;
        do {
            int b = len % 128;
            len /= 128;
            p.write(len > 0 ? b | 0x80 : b);
        } while (len > 0);
        byte[] topic = LAB.device("dev-a", Channel.TELEMETRY).getBytes(StandardCharsets.UTF_8);
        p.write(0);
        p.write(topic.length);
        p.writeBytes(topic);
        p.writeBytes(new byte[] {0, 1, 1, 2, 3});
        device.sendRaw(p.toByteArray());
        assertTrue(device.awaitClosed(Duration.ofSeconds(5)));
        assertEquals(0, broker.connackOf(devA()), "the broker still serves");
    }

    @Test
    void aDeviceSubscribesToNothingButItsOwnCommandsAndTheFleetWideChannels() throws Exception {
        RawMqttClient device = broker.device("dev-a");
        for (String filter : List.of("#", "c2f/v1/#", "c2f/v1/lab/device/+/job/notify", "c2f/v1/lab/device/dev-a/#",
                LAB.device("dev-b", Channel.JOB_NOTIFY), LAB.device("dev-b", Channel.BUNDLE_DATA),
                LAB.device("dev-a", Channel.TELEMETRY), "c2f/v1/lab/device/dev-a/+bad")) {
            assertEquals(0x80, device.subscribe(filter, 1), filter);
        }
        assertEquals(1, device.subscribe(LAB.device("dev-a", Channel.JOB_NOTIFY), 2), "QoS 2 asked, 1 granted");
        RawMqttClient controller = broker.admin("ctl");
        controller.publish(LAB.device("dev-b", Channel.JOB_NOTIFY), PAYLOAD, 1, false);
        controller.publish(LAB.device("dev-a", Channel.TELEMETRY), PAYLOAD, 1, false);
        int own = controller.publish(LAB.device("dev-a", Channel.JOB_NOTIFY), PAYLOAD, 1, false);
        assertTrue(controller.awaitPubAck(own, Duration.ofSeconds(5)));
        assertEquals(List.of(LAB.device("dev-a", Channel.JOB_NOTIFY)),
                device.publishesWithin(QUIET).stream().map(RawMqttClient.Publish::topic).toList());
    }
}
