package io.c2f.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.proto.testing.RawMqttClient;
import io.c2f.proto.testing.RawMqttClient.Connect;
import io.c2f.proto.testing.RawMqttClient.Will;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/mosquitto on a real Mosquitto, attacked by a device with valid credentials through a raw
 * MQTT client of the test's own: a will aimed at another device's topics is never delivered
 * (Mosquitto 2 accepts the CONNECT but checks the ACL when the will fires), and with the shipped
 * {@code use_username_as_clientid} a device cannot take another device's session over by claiming
 * its client id.
 */
class MosquittoDeployConfigTest {
    private static final Path CONF = Path.of("../deploy/mosquitto/mosquitto.conf");
    private static final Topics DEMO = Topics.fleet("demo");
    private static final Duration QUIET = Duration.ofMillis(800);

    @TempDir
    Path dir;
    private MosquittoBroker broker;
    private final List<RawMqttClient> clients = new ArrayList<>();

    /** The option line as the shipped config has it for the devices' listener. */
    private static String clientIdOption() throws Exception {
        List<String> lines = Files.readAllLines(CONF);
        int listener = lines.indexOf("listener 8883");
        assertTrue(listener >= 0, "the devices' listener 8883 is gone from " + CONF);
        for (int i = listener + 1; i < lines.size() && !lines.get(i).startsWith("listener "); i++) {
            if (lines.get(i).trim().equals("use_username_as_clientid true")) {
                return lines.get(i).trim();
            }
        }
        throw new AssertionError("the devices' listener in " + CONF + " does not set use_username_as_clientid true");
    }

    @BeforeEach
    void start() throws Exception {
        String option = clientIdOption();
        broker = ShippedMosquitto.start(dir, option + "\n");
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(RawMqttClient::close);
        if (broker != null) {
            broker.close();
        }
    }

    private RawMqttClient connect(Connect connect) throws Exception {
        int[] code = new int[1];
        RawMqttClient c = RawMqttClient.connect("127.0.0.1", broker.port(), connect, code);
        clients.add(c);
        assertEquals(0, code[0], "CONNECT of " + connect.clientId());
        return c;
    }

    @Test
    void aWillAimedAtAnotherDevicesTopicsIsNeverDelivered() throws Exception {
        RawMqttClient controller = connect(Connect.as("ctl", "c2f-controller", "ctl-pw"));
        assertEquals(1, controller.subscribe("c2f/v1/#", 1));
        RawMqttClient victim = connect(Connect.as("dev-2", "dev-2", "pw2"));
        for (String t : DEMO.deviceSubscriptions("dev-2")) {
            victim.subscribe(t, 1);
        }
        for (String topic : List.of(DEMO.device("dev-2", Channel.JOB_NOTIFY), DEMO.device("dev-2", Channel.BIRTH),
                DEMO.device("dev-2", Channel.DEATH), DEMO.fleetWide(Channel.CONTROLLER_STATE))) {
            connect(Connect.as("dev-1", "dev-1", "pw1")
                    .withWill(new Will(topic, "forged".getBytes(StandardCharsets.UTF_8), 1, false))).dropConnection();
        }
        assertEquals(List.of(), victim.publishesWithin(QUIET), "a forged will reached dev-2");
        assertEquals(List.of(), controller.publishesWithin(QUIET), "a forged will reached the controller");
        // its own death topic: delivered (the observer would have seen the others)
        connect(Connect.as("dev-1", "dev-1", "pw1").withWill(new Will(DEMO.device("dev-1", Channel.DEATH),
                "lost".getBytes(StandardCharsets.UTF_8), 1, false))).dropConnection();
        assertEquals(DEMO.device("dev-1", Channel.DEATH),
                controller.awaitPublish(Duration.ofSeconds(5)).orElseThrow().topic());
    }

    @Test
    void aDeviceClaimingAnotherDevicesClientIdDoesNotTakeItsSessionOver() throws Exception {
        RawMqttClient victim = connect(Connect.as("dev-2", "dev-2", "pw2").withCleanSession(false));
        assertEquals(1, victim.subscribe(DEMO.device("dev-2", Channel.JOB_NOTIFY), 1));
        RawMqttClient attacker = connect(Connect.as("dev-2", "dev-1", "pw1"));
        assertFalse(victim.awaitClosed(QUIET), "dev-2 was disconnected by a device using its client id");
        assertTrue(victim.ping(Duration.ofSeconds(5)));
        RawMqttClient controller = connect(Connect.as("ctl", "c2f-controller", "ctl-pw"));
        controller.publish(DEMO.device("dev-2", Channel.JOB_NOTIFY), new byte[] {1}, 1, false);
        assertEquals(DEMO.device("dev-2", Channel.JOB_NOTIFY), victim.awaitPublish(Duration.ofSeconds(5)).orElseThrow()
                .topic());
        assertEquals(List.of(), attacker.publishesWithin(QUIET));
    }
}
