package io.c2f.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Direction;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.Birth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/mosquitto/c2f.acl on a real Mosquitto: a device cannot act as another device. */
class BrokerAclTest {

    @TempDir
    Path dir;

    private static MqttClient connect(String uri, String user, String password) throws MqttException {
        return connect(uri, user, user, password);
    }

    private static MqttClient connect(String uri, String clientId, String user, String password)
            throws MqttException {
        MqttClient c = new MqttClient(uri, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(user);
        o.setPassword(password.toCharArray());
        c.connect(o);
        return c;
    }

    @Test
    void theAclCoversEveryChannelInTheRightDirection() throws Exception {
        String acl = Files.readString(ShippedMosquitto.ACL);
        for (Channel c : Channel.values()) {
            String path = c.scope() == Channel.Scope.DEVICE ? "device/%u/" + c.suffix() : c.suffix();
            String verb = c.direction() == Direction.DEVICE_TO_CONTROLLER ? "write" : "read";
            // enrolment is the bootstrap login's: a device with a password never gets those topics
            assertEquals(!c.enrolment(), acl.contains("pattern " + verb + " c2f/v1/+/" + path + "\n"),
                    c + (c.enrolment() ? " must not be in the devices' ACL" : " missing from the ACL"));
        }
    }

    @Test
    void aDeviceCannotPublishOrReadUnderAnotherId() throws Exception {
        Topics topics = Topics.fleet("demo");
        try (MosquittoBroker broker = ShippedMosquitto.start(dir, "")) {
            MqttClient controller = connect(broker.uri(), "c2f-controller", "ctl-pw");
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            controller.subscribe("c2f/v1/demo/device/+/birth", 1, (t, m) -> seen.add(t));
            Birth birth = Birth.newBuilder().setHeader(new HeaderFactory("dev-1").next()).build();
            // the spoof: Mosquitto 2 drops the publish and may close the offender's connection
            MqttClient spoofer = connect(broker.uri(), "dev-1-spoof", "dev-1", "pw1");
            try {
                spoofer.publish(topics.device("dev-2", Channel.BIRTH), birth.toByteArray(), 1, false);
            } catch (MqttException refused) {
                // connection closed by the broker: refused as well
            } finally {
                if (spoofer.isConnected()) {
                    spoofer.disconnectForcibly(1000);
                }
                spoofer.close(true);
            }
            MqttClient dev1 = connect(broker.uri(), "dev-1", "pw1");
            dev1.publish(topics.device("dev-1", Channel.BIRTH), birth.toByteArray(), 1, false); // own
            assertEquals(topics.device("dev-1", Channel.BIRTH), seen.poll(5, TimeUnit.SECONDS),
                    "only the device's own birth gets through");
            assertEquals(null, seen.poll(500, TimeUnit.MILLISECONDS), "the spoofed birth was delivered");

            // reading another device's commands: mosquitto grants the subscription but never delivers
            BlockingQueue<String> stolen = new LinkedBlockingQueue<>();
            dev1.subscribe(topics.device("dev-2", Channel.GENERATE_REQUEST), 1, (t, m) -> stolen.add(t));
            controller.publish(topics.device("dev-2", Channel.GENERATE_REQUEST), new byte[] {1}, 1, false);
            assertEquals(null, stolen.poll(1, TimeUnit.SECONDS), "dev-1 read dev-2's command");

            MqttException wrong = assertThrows(MqttException.class, () -> connect(broker.uri(), "dev-2", "nope"));
            assertTrue(wrong.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
                    || wrong.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED, wrong.toString());
            dev1.disconnect();
            controller.disconnect();
        }
    }
}
