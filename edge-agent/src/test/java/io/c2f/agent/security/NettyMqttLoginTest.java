package io.c2f.agent.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.agent.link.mqtt.LoginRefusedException;
import io.c2f.agent.link.mqtt.MqttConnection;
import io.c2f.agent.link.mqtt.MqttTransport;
import io.c2f.agent.threads.SharedThreads;
import io.c2f.proto.testing.MosquittoBroker;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator's Netty MQTT client under the shipped Mosquitto's logins: refusals are clear and leak nothing. */
class NettyMqttLoginTest {
    @TempDir
    Path dir;

    private static MqttConnection.Options login(String user, String password) {
        return new MqttConnection.Options(true, user, password.toCharArray(), null, Duration.ofSeconds(10),
                Duration.ofSeconds(5), null, 10);
    }

    @Test
    void aRefusedLoginIsAClearErrorWithoutThePasswordAndLeavesNoThreadOrConnectionBehind() throws Exception {
        try (MosquittoBroker broker = ShippedMosquitto.start(dir, "");
             SharedThreads threads = new SharedThreads(2, 1, 1, MqttTransport.NETTY)) {
            MqttConnection c = threads.mqttClient(broker.uri(), "dev-1");
            c.setHandler(new MqttConnection.Handler() {
                @Override
                public void messageArrived(String topic, byte[] payload) {
                }

                @Override
                public void connectionLost(Throwable cause) {
                    throw new AssertionError("never connected, never lost: " + cause);
                }
            });
            int start = ManagementFactory.getThreadMXBean().getThreadCount();
            // the first refusals fill the bounded pools (2 event loop, 8 callback threads); then count
            for (int i = 0; i < 20; i++) {
                assertRefused(c, "wrong-password-" + i);
            }
            int before = ManagementFactory.getThreadMXBean().getThreadCount();
            assertTrue(before - start <= 2 + 8, "threads went from " + start + " to " + before + " in 20 refusals");
            for (int i = 20; i < 50; i++) {
                assertRefused(c, "wrong-password-" + i);
            }
            int after = ManagementFactory.getThreadMXBean().getThreadCount();
            assertTrue(after <= before, "threads went from " + before + " to " + after + " over 30 more refused logins");
            // the same client, the right password: the refusals left nothing in the way
            c.connect(login("dev-1", "pw1")).get(5, TimeUnit.SECONDS);
            assertTrue(c.isConnected());
            c.disconnect().get(5, TimeUnit.SECONDS);
            assertFalse(c.isConnected());
            c.close();
        }
    }

    private static void assertRefused(MqttConnection c, String password) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> c.connect(login("dev-1", password)).get(5, TimeUnit.SECONDS));
        LoginRefusedException refused = assertInstanceOf(LoginRefusedException.class, e.getCause());
        assertTrue(refused.returnCode() == 4 || refused.returnCode() == 5, refused.getMessage());
        assertTrue(refused.getMessage().contains("refused the login of dev-1"), refused.getMessage());
        assertFalse(refused.getMessage().contains(password), "the password is in the error: " + refused.getMessage());
        // and the next connect may start at once (the refused channel is gone before the future fails)
        assertFalse(c.isConnected());
    }
}
