package io.c2f.agent.link;

import io.c2f.agent.threads.AgentThreads;
import io.c2f.agent.threads.SharedThreads;
import io.c2f.agent.link.mqtt.MqttTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Every {@link DeviceLinkTest} on the simulator's shared pools and Netty MQTT transport: the same wire behaviour. */
class NettyDeviceLinkTest extends DeviceLinkTest {
    private SharedThreads shared;

    @BeforeEach
    void sharedPools() {
        shared = new SharedThreads(4, 2, 2, MqttTransport.NETTY);
    }

    @AfterEach
    void closePools() {
        shared.close();
    }

    @Override
    AgentThreads threads() {
        return shared;
    }
}
