package io.c2f.proto.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.proto.testing.RawMqttClient.Connect;
import io.c2f.proto.testing.RawMqttClient.Publish;
import io.c2f.proto.testing.RawMqttClient.Will;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attack tests' hand-written client, checked against a real Mosquitto so its bytes are right. */
class RawMqttClientTest {
    @TempDir
    static Path dir;
    static MosquittoBroker broker;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(MosquittoBroker.available(), "mosquitto binary not installed");
        broker = MosquittoBroker.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static RawMqttClient connected(Connect c) throws Exception {
        RawMqttClient client = RawMqttClient.open("127.0.0.1", broker.port());
        assertEquals(0, client.connect(c), "CONNACK return code");
        return client;
    }

    @Test
    void publishesAndReceivesQos1WithRetainedMessagesAndAcks() throws Exception {
        try (RawMqttClient sub = connected(Connect.as("raw-sub", null, null));
             RawMqttClient pub = connected(Connect.as("raw-pub", null, null))) {
            int retainedId = pub.publish("raw/retained", bytes("kept"), 1, true);
            assertTrue(pub.awaitPubAck(retainedId, Duration.ofSeconds(5)));
            assertEquals(1, sub.subscribe("raw/#", 1));
            Publish retained = sub.awaitPublish(Duration.ofSeconds(5)).orElseThrow();
            assertEquals("raw/retained", retained.topic());
            assertTrue(retained.retain());
            int id = pub.publish("raw/live", bytes("hello"), 1, false);
            assertTrue(pub.awaitPubAck(id, Duration.ofSeconds(5)));
            Publish live = sub.awaitPublish(Duration.ofSeconds(5)).orElseThrow();
            assertEquals("raw/live", live.topic());
            assertArrayEquals(bytes("hello"), live.payload());
            assertEquals(1, live.qos());
            assertFalse(live.retain());
            assertTrue(sub.ping(Duration.ofSeconds(5)));
        }
    }

    @Test
    void willFiresOnADroppedConnectionButNotAfterDisconnect() throws Exception {
        try (RawMqttClient watcher = connected(Connect.as("raw-watch", null, null))) {
            assertEquals(0, watcher.subscribe("will/+", 0));
            RawMqttClient dropped = connected(Connect.as("raw-dropped", null, null)
                    .withWill(new Will("will/dropped", bytes("gone"), 0, false)));
            RawMqttClient polite = connected(Connect.as("raw-polite", null, null)
                    .withWill(new Will("will/polite", bytes("gone"), 0, false)));
            polite.disconnect();
            dropped.dropConnection();
            Publish will = watcher.awaitPublish(Duration.ofSeconds(5)).orElseThrow();
            assertEquals("will/dropped", will.topic());
            assertTrue(watcher.publishesWithin(Duration.ofMillis(500)).isEmpty(), "no will after DISCONNECT");
        }
    }

    @Test
    void reportsARefusedLoginAndTheBrokerClosingTheConnection() throws Exception {
        try (MosquittoBroker closed = MosquittoBroker.start(dir.resolve("closed"), "allow_anonymous false");
             RawMqttClient client = RawMqttClient.open("127.0.0.1", closed.port())) {
            int code = client.connect(Connect.as("raw-anon", null, null));
            assertEquals(RawMqttClient.NOT_AUTHORIZED, code);
            assertTrue(client.awaitClosed(Duration.ofSeconds(5)));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
