package io.c2f.agent.testing;

import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.proto.testing.TestBroker;
import java.nio.file.Path;

/** The brokers the agent is tested against. */
public enum BrokerKind {
    MOSQUITTO, MOQUETTE;

    public boolean available() {
        return this == MOQUETTE || MosquittoBroker.available();
    }

    public TestBroker start(Path dir) throws Exception {
        return this == MOSQUITTO ? MosquittoBroker.start(dir) : MoquetteBroker.start(dir);
    }
}
