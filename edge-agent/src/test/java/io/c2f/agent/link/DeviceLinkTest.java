package io.c2f.agent.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.agent.testing.MqttObserver;
import io.c2f.agent.testing.TcpProxy;
import io.c2f.agent.threads.AgentThreads;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.codec.InboundDispatcher;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.Death;
import io.c2f.proto.v1.DeathReason;
import io.c2f.proto.v1.DeviceState;
import io.c2f.proto.v1.DeviceStatus;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.RebirthRequest;
import io.c2f.agent.link.mqtt.NotConnectedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DeviceLink against a real Mosquitto broker started by the test, on a real device's threads and
 * Paho client; {@link NettyDeviceLinkTest} runs the same on the simulator's Netty transport.
 */
class DeviceLinkTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String FLEET = "t";
    private static final String DEVICE = "dev-1";

    @TempDir
    Path tmp;
    private MosquittoBroker broker;
    private MqttObserver observer;
    private final Topics topics = Topics.fleet(FLEET);

    @BeforeEach
    void startBroker() throws Exception {
        assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        broker = MosquittoBroker.start(tmp.resolve("broker"));
        observer = new MqttObserver(broker.uri(), "observer", "c2f/v1/" + FLEET + "/device/+/#");
    }

    @AfterEach
    void stopBroker() throws Exception {
        if (observer != null) {
            observer.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Where the links get their lanes and MQTT client. */
    AgentThreads threads() {
        return AgentThreads.dedicated();
    }

    private LinkSettings settings(String uri) {
        return LinkSettings.of(uri, FLEET, DEVICE, tmp.resolve("state"))
                .withTimings(Duration.ofSeconds(2), new Backoff(Duration.ofMillis(100), Duration.ofMillis(800)));
    }

    private static Birth birth() {
        return Birth.newBuilder().setAgentVersion("test").addLabels("site=lab").build();
    }

    private static boolean isBirth(Inbound in, long bdSeq) {
        return in.address().channel() == Channel.BIRTH && in.header().getBdSeq() == bdSeq;
    }

    @Test
    void birthIsMessageZeroAndBdSeqGrowsAcrossRestarts() throws Exception {
        try (DeviceLink link = new DeviceLink(settings(broker.uri()), DeviceLinkTest::birth, new InboundDispatcher(),
                new DeviceLink.Listener() { }, new LinkState(), threads())) {
            link.start();
            Inbound b = observer.await(in -> isBirth(in, 0), WAIT);
            assertEquals(0, b.header().getSeq());
            assertEquals(DEVICE, b.as(Birth.class).getDeviceId());
            assertEquals("site=lab", b.as(Birth.class).getLabels(0));

            link.publish(Channel.STATE, DeviceState.newBuilder().setDeviceId(DEVICE)
                    .setStatus(DeviceStatus.DEVICE_STATUS_IDLE).build()).get(5, TimeUnit.SECONDS);
            Inbound state = observer.await(in -> in.address().channel() == Channel.STATE, WAIT);
            assertEquals(1, state.header().getSeq());
        }
        Inbound death = observer.await(in -> in.address().channel() == Channel.DEATH, WAIT);
        assertEquals(DeathReason.DEATH_REASON_GRACEFUL_SHUTDOWN, death.as(Death.class).getReason());

        try (DeviceLink again = new DeviceLink(settings(broker.uri()), DeviceLinkTest::birth, new InboundDispatcher(),
                new DeviceLink.Listener() { }, new LinkState(), threads())) {
            again.start();
            observer.await(in -> isBirth(in, 1), WAIT);
        }
    }

    @Test
    void theLinkStateFollowsTheSessionSoWorkCanWaitOutAnOutage() throws Exception {
        LinkState state = new LinkState();
        try (TcpProxy proxy = new TcpProxy(broker.port());
             DeviceLink link = new DeviceLink(settings(proxy.uri()), DeviceLinkTest::birth, new InboundDispatcher(),
                     new DeviceLink.Listener() { }, state, threads())) {
            assertFalse(state.isOnline());
            link.start();
            assertTrue(state.awaitOnline(WAIT), "up once the session is established");
            observer.await(in -> isBirth(in, 0), WAIT); // up means the birth was acknowledged
            long first = state.sessions();

            proxy.refuse(true);
            proxy.cutAll();
            long until = System.nanoTime() + WAIT.toNanos();
            while (state.isOnline() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertFalse(state.isOnline(), "down when the connection is lost");
            assertFalse(state.awaitOnline(Duration.ofMillis(300)), "stays down while the broker is unreachable");
            proxy.refuse(false);
            assertTrue(state.awaitOnline(WAIT), "up again after the reconnect");
            assertEquals(first + 1, state.sessions(), "a new session");
        }
        assertFalse(state.isOnline(), "down once the link is closed");
    }

    @Test
    void anAbruptDisconnectFiresTheLastWillAndTheLinkComesBackWithANewSession() throws Exception {
        try (TcpProxy proxy = new TcpProxy(broker.port());
             DeviceLink link = new DeviceLink(settings(proxy.uri()), DeviceLinkTest::birth, new InboundDispatcher(),
                     new DeviceLink.Listener() { }, new LinkState(), threads())) {
            link.start();
            observer.await(in -> isBirth(in, 0), WAIT);

            proxy.cutAll();
            Inbound will = observer.await(in -> in.address().channel() == Channel.DEATH, WAIT);
            assertEquals(DeathReason.DEATH_REASON_CONNECTION_LOST, will.as(Death.class).getReason());
            assertEquals(0, will.header().getBdSeq(), "the will names the session that died");

            observer.await(in -> isBirth(in, 1), WAIT);
        }
    }

    @Test
    void theLinkSurvivesABrokerRestart() throws Exception {
        try (DeviceLink link = new DeviceLink(settings(broker.uri()), DeviceLinkTest::birth, new InboundDispatcher(),
                new DeviceLink.Listener() { }, new LinkState(), threads())) {
            link.start();
            observer.await(in -> isBirth(in, 0), WAIT);
            observer.close();
            broker.stop();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (link.isOnline() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            ExecutionException offline = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> link.publish(Channel.STATE, DeviceState.newBuilder().setDeviceId(DEVICE).build())
                            .get(5, TimeUnit.SECONDS));
            assertInstanceOf(NotConnectedException.class, offline.getCause());

            broker.restart();
            // like a restarted controller: the device may have reconnected before we subscribed
            observer = new MqttObserver(broker.uri(), "observer", "c2f/v1/" + FLEET + "/device/+/#");
            observer.publish(topics.fleetWide(Channel.FLEET_REBIRTH), RebirthRequest.newBuilder()
                    .setHeader(new HeaderFactory("controller-1").next()).build().toByteArray());
            Inbound b = observer.await(in -> in.address().channel() == Channel.BIRTH, WAIT);
            assertTrue(b.header().getBdSeq() >= 1, "a new session after the restart");
        }
    }

    @Test
    void garbageOnACommandTopicDoesNotStopLaterCommands() throws Exception {
        BlockingQueue<GenerateRequest> requests = new LinkedBlockingQueue<>();
        InboundDispatcher dispatcher = new InboundDispatcher()
                .on(Channel.GENERATE_REQUEST, GenerateRequest.class, (from, r) -> requests.add(r));
        try (DeviceLink link = new DeviceLink(settings(broker.uri()), DeviceLinkTest::birth, dispatcher,
                new DeviceLink.Listener() { }, new LinkState(), threads())) {
            link.start();
            observer.await(in -> isBirth(in, 0), WAIT);
            String topic = topics.device(DEVICE, Channel.GENERATE_REQUEST);
            observer.publish(topic, new byte[] {1, 2, 3, (byte) 0xff});
            observer.publish(topic, new byte[0]);
            HeaderFactory controller = new HeaderFactory("controller-1");
            observer.publish(topic, GenerateRequest.newBuilder().setHeader(controller.next()).setRequestId("r1")
                    .setSeed(7).setCount(1).build().toByteArray());
            GenerateRequest got = requests.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals("r1", got == null ? null : got.getRequestId());
            assertTrue(link.isOnline());
        }
    }

    @Test
    void aRebirthRequestRepublishesTheBirthInTheSameSession() throws Exception {
        try (DeviceLink link = new DeviceLink(settings(broker.uri()), DeviceLinkTest::birth, new InboundDispatcher(),
                new DeviceLink.Listener() { }, new LinkState(), threads())) {
            link.start();
            observer.await(in -> isBirth(in, 0), WAIT);
            HeaderFactory controller = new HeaderFactory("controller-1");
            observer.publish(topics.fleetWide(Channel.FLEET_REBIRTH), RebirthRequest.newBuilder()
                    .setHeader(controller.next()).setReason("controller restarted").build().toByteArray());
            Inbound again = observer.await(in -> isBirth(in, 0), WAIT);
            assertEquals(0, again.header().getSeq());
        }
    }

    @Test
    void aCorruptSessionCounterIsReportedAtConstruction() throws Exception {
        Path state = tmp.resolve("state");
        Files.createDirectories(state);
        Files.writeString(state.resolve("bdseq"), "not-a-number");
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> new DeviceLink(settings(broker.uri()), DeviceLinkTest::birth, new InboundDispatcher(),
                        new DeviceLink.Listener() { }, new LinkState(), threads()));
        assertTrue(e.getMessage().contains("is corrupt: 'not-a-number'"), e.getMessage());
    }
}
