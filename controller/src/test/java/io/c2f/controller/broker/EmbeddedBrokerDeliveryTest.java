package io.c2f.controller.broker;

import static io.c2f.controller.broker.BrokerUnderTest.LAB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.proto.testing.RawMqttClient;
import io.c2f.proto.testing.RawMqttClient.Connect;
import io.c2f.proto.testing.RawMqttClient.Publish;
import io.c2f.proto.testing.RawMqttClient.Will;
import io.c2f.proto.topic.Channel;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the embedded broker delivers, seen from a client of the test's own: end-to-end QoS 1
 * acknowledgement, persistent and clean sessions, retained controller state, wills, take-over and
 * keep-alive.
 */
@ExtendWith(VertxExtension.class)
@Timeout(90)
class EmbeddedBrokerDeliveryTest {
    private static final Duration QUIET = Duration.ofMillis(700);
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String TELEMETRY = LAB.device("dev-a", Channel.TELEMETRY);

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

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Publish p) {
        return new String(p.payload(), StandardCharsets.UTF_8);
    }

    private RawMqttClient controller(boolean cleanSession) throws Exception {
        return broker.accepted(Connect.as("ctl", BrokerUnderTest.ADMIN, BrokerUnderTest.ADMIN_PASSWORD)
                .withCleanSession(cleanSession));
    }

    private void awaitConnected(int clients) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (broker.broker.connectedClients() != clients && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(clients, broker.broker.connectedClients());
    }

    @Test
    void aQos1PublishIsAcknowledgedOnlyOnceItsSubscriberAcknowledgedIt() throws Exception {
        RawMqttClient ctl = controller(true).autoAck(false);
        assertEquals(1, ctl.subscribe(LAB.allDevices(Channel.TELEMETRY), 1));
        RawMqttClient device = broker.device("dev-a");
        int id = device.publish(TELEMETRY, bytes("r1"), 1, false);
        Publish got = ctl.awaitPublish(WAIT).orElseThrow();
        assertEquals("r1", text(got));
        assertFalse(device.awaitPubAck(id, QUIET), "acknowledged before the controller took it");
        ctl.pubAck(got.packetId());
        assertTrue(device.awaitPubAck(id, WAIT), "never acknowledged after the controller took it");
    }

    @Test
    void aSubscriberWhoseConnectionEndsNoLongerHoldsThePublisherBack() throws Exception {
        RawMqttClient ctl = controller(true).autoAck(false);
        ctl.subscribe(LAB.allDevices(Channel.TELEMETRY), 1);
        RawMqttClient device = broker.device("dev-a");
        int id = device.publish(TELEMETRY, bytes("r1"), 1, false);
        assertTrue(ctl.awaitPublish(WAIT).isPresent());
        assertFalse(device.awaitPubAck(id, QUIET));
        ctl.dropConnection();
        assertTrue(device.awaitPubAck(id, WAIT));
    }

    @Test
    void theControllersPersistentSessionKeepsWhatWasInFlightAndQueuedResendsItAndHoldsThePublisher()
            throws Exception {
        RawMqttClient ctl = controller(false).autoAck(false);
        ctl.subscribe(LAB.allDevices(Channel.TELEMETRY), 1);
        RawMqttClient device = broker.device("dev-a");
        int first = device.publish(TELEMETRY, bytes("r1"), 1, false);
        Publish inFlight = ctl.awaitPublish(WAIT).orElseThrow();
        ctl.dropConnection(); // before its PUBACK: r1 stays in the session, in flight
        awaitConnected(1); // the broker saw the drop: r2 is queued, not sent on the dead connection
        int second = device.publish(TELEMETRY, bytes("r2"), 1, false);
        assertFalse(device.awaitPubAck(first, QUIET), "r1 acknowledged though the controller never took it");
        assertFalse(device.awaitPubAck(second, QUIET), "r2 acknowledged though the controller is away");

        RawMqttClient back = controller(false);
        List<Publish> got = back.publishesWithin(QUIET);
        assertEquals(List.of("r1", "r2"), got.stream().map(EmbeddedBrokerDeliveryTest::text).toList());
        assertTrue(got.get(0).dup(), "a re-sent message carries DUP");
        assertEquals(inFlight.packetId(), got.get(0).packetId(), "re-sent under its packet id");
        assertFalse(got.get(1).dup());
        assertTrue(device.awaitPubAck(first, WAIT), "r1 once the controller took it");
        assertTrue(device.awaitPubAck(second, WAIT), "r2 once the controller took it");
        device.publish(TELEMETRY, bytes("r3"), 1, false);
        assertEquals("r3", text(back.awaitPublish(WAIT).orElseThrow()), "the subscription was kept");
    }

    @Test
    void aCommandForADeviceThatIsAwayIsQueuedAndAcknowledgedAtOnce() throws Exception {
        RawMqttClient device = broker.accepted(Connect.as("dev-a", "dev-a", "pw-a").withCleanSession(false));
        device.subscribe(LAB.device("dev-a", Channel.JOB_NOTIFY), 1);
        device.dropConnection();
        RawMqttClient ctl = broker.admin("ctl");
        int id = ctl.publish(LAB.device("dev-a", Channel.JOB_NOTIFY), bytes("install"), 1, false);
        assertTrue(ctl.awaitPubAck(id, WAIT), "the controller waits for a device that is away");
        RawMqttClient back = broker.accepted(Connect.as("dev-a", "dev-a", "pw-a").withCleanSession(false));
        assertEquals("install", text(back.awaitPublish(WAIT).orElseThrow()));
    }

    @Test
    void aCleanSessionIsForgottenWhenItsConnectionEnds() throws Exception {
        RawMqttClient ctl = controller(true);
        ctl.subscribe(LAB.allDevices(Channel.TELEMETRY), 1);
        ctl.disconnect();
        RawMqttClient device = broker.device("dev-a");
        int id = device.publish(TELEMETRY, bytes("r1"), 1, false);
        assertTrue(device.awaitPubAck(id, WAIT), "no subscriber left: acknowledged at once");
        RawMqttClient again = controller(false);
        assertEquals(List.of(), again.publishesWithin(QUIET));
    }

    @Test
    void theControllersRetainedStateGreetsEveryLaterSubscriber() throws Exception {
        RawMqttClient ctl = broker.admin("ctl");
        String state = LAB.fleetWide(Channel.CONTROLLER_STATE);
        assertTrue(ctl.awaitPubAck(ctl.publish(state, bytes("online"), 1, true), WAIT));
        // the admin too retains only where the contract says so
        assertTrue(ctl.awaitPubAck(ctl.publish(LAB.device("dev-a", Channel.JOB_NOTIFY), bytes("job"), 1, true), WAIT));
        RawMqttClient device = broker.device("dev-a");
        assertEquals(1, device.subscribe(state, 1));
        assertEquals(1, device.subscribe(LAB.device("dev-a", Channel.JOB_NOTIFY), 1));
        List<Publish> got = device.publishesWithin(QUIET);
        assertEquals(1, got.size(), got.toString());
        assertEquals(state, got.get(0).topic());
        assertEquals("online", text(got.get(0)));
        assertTrue(got.get(0).retain(), "sent for a new subscription: retain flag set");

        assertTrue(ctl.awaitPubAck(ctl.publish(state, new byte[0], 1, true), WAIT), "an empty retained clears it");
        RawMqttClient other = broker.device("dev-b");
        other.subscribe(state, 1);
        assertEquals(List.of(), other.publishesWithin(QUIET));
    }

    @Test
    void aDevicesWillOnItsOwnDeathTopicIsDeliveredWhenItsConnectionIsLostOnly() throws Exception {
        RawMqttClient ctl = broker.admin("ctl");
        ctl.subscribe(LAB.allDevices(Channel.DEATH), 1);
        RawMqttClient a = broker.accepted(Connect.as("dev-a", "dev-a", "pw-a")
                .withWill(new Will(LAB.device("dev-a", Channel.DEATH), bytes("a lost"), 1, false)));
        RawMqttClient b = broker.accepted(Connect.as("dev-b", "dev-b", "pw-b")
                .withWill(new Will(LAB.device("dev-b", Channel.DEATH), bytes("b lost"), 1, false)));
        b.disconnect(); // a clean goodbye discards the will
        a.dropConnection();
        Publish will = ctl.awaitPublish(WAIT).orElseThrow();
        assertEquals(LAB.device("dev-a", Channel.DEATH), will.topic());
        assertArrayEquals(bytes("a lost"), will.payload());
        assertEquals(List.of(), ctl.publishesWithin(QUIET), "dev-b's will after its DISCONNECT");
    }

    @Test
    void aNewConnectionWithTheSameClientIdTakesOverAndTheOlderOnesWillFires() throws Exception {
        RawMqttClient ctl = broker.admin("ctl");
        ctl.subscribe(LAB.allDevices(Channel.DEATH), 1);
        ctl.subscribe(LAB.allDevices(Channel.BIRTH), 1);
        RawMqttClient older = broker.accepted(Connect.as("dev-a", "dev-a", "pw-a")
                .withWill(new Will(LAB.device("dev-a", Channel.DEATH), bytes("old session"), 1, false)));
        RawMqttClient newer = broker.device("dev-a");
        assertTrue(older.awaitClosed(WAIT), "the older connection was left open");
        assertEquals("old session", text(ctl.awaitPublish(WAIT).orElseThrow()));
        newer.publish(LAB.device("dev-a", Channel.BIRTH), bytes("born again"), 1, false);
        assertEquals("born again", text(ctl.awaitPublish(WAIT).orElseThrow()));
        assertEquals(2, broker.broker.connectedClients());
    }

    @Test
    void aKeepAliveTimeoutClosesTheConnectionAndFiresTheWill() throws Exception {
        RawMqttClient ctl = broker.admin("ctl");
        ctl.subscribe(LAB.allDevices(Channel.DEATH), 1);
        RawMqttClient silent = broker.accepted(Connect.as("dev-a", "dev-a", "pw-a").withKeepAlive(1)
                .withWill(new Will(LAB.device("dev-a", Channel.DEATH), bytes("timed out"), 1, false)));
        assertTrue(silent.awaitClosed(Duration.ofSeconds(10)), "1.5 x keep-alive passed without a packet");
        assertEquals("timed out", text(ctl.awaitPublish(WAIT).orElseThrow()));
    }

    @Test
    void theControllersCommandIsAcknowledgedOnceTheDeviceHasIt() throws Exception {
        RawMqttClient device = broker.device("dev-a").autoAck(false);
        device.subscribe(LAB.device("dev-a", Channel.JOB_NOTIFY), 1);
        RawMqttClient ctl = broker.admin("ctl");
        int id = ctl.publish(LAB.device("dev-a", Channel.JOB_NOTIFY), bytes("install"), 1, false);
        Publish got = device.awaitPublish(WAIT).orElseThrow();
        assertFalse(ctl.awaitPubAck(id, QUIET));
        device.pubAck(got.packetId());
        assertTrue(ctl.awaitPubAck(id, WAIT));
    }

    @Test
    void theControllerCanDisconnectAClientAndEndItsSession() throws Exception {
        RawMqttClient ctl = broker.admin("ctl");
        ctl.subscribe(LAB.allDevices(Channel.DEATH), 1);
        RawMqttClient device = broker.accepted(Connect.as("dev-a", "dev-a", "pw-a").withCleanSession(false)
                .withWill(new Will(LAB.device("dev-a", Channel.DEATH), bytes("revoked"), 1, false)));
        device.subscribe(LAB.device("dev-a", Channel.JOB_NOTIFY), 1);
        assertTrue(io.c2f.controller.testing.Await.result(broker.broker.disconnect("dev-a")));
        assertTrue(device.awaitClosed(WAIT));
        assertEquals("revoked", text(ctl.awaitPublish(WAIT).orElseThrow()), "its will fires");
        ctl.publish(LAB.device("dev-a", Channel.JOB_NOTIFY), bytes("queued?"), 1, false);
        RawMqttClient back = broker.accepted(Connect.as("dev-a", "dev-a", "pw-a").withCleanSession(false));
        assertEquals(List.of(), back.publishesWithin(QUIET), "its session was kept");
        assertFalse(io.c2f.controller.testing.Await.result(broker.broker.disconnect("nobody")));
    }
}
