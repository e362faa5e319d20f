package io.c2f.controller.broker;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.config.ConfigException;
import io.c2f.controller.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The embedded broker's settings: bad values are configuration errors naming the key. */
@ExtendWith(VertxExtension.class)
class BrokerSettingsTest {
    @Test
    void theInFlightWindowMustBeBetween1And10000() {
        for (String bad : new String[] {"0", "10001", "-1"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfigLoader.fromMap(Map.of("broker.max.inflight", bad)));
            assertTrue(e.getMessage().contains("broker.max.inflight"), e.getMessage());
        }
    }

    @Test
    void aBrokerWithoutAnonymousAccessNeedsTheControllersOwnLogin(Vertx vertx) {
        ConfigException e = assertThrows(ConfigException.class, () -> result(EmbeddedBroker.start(vertx,
                ConfigLoader.fromMap(Map.of("broker.port", "0", "broker.allow.anonymous", "false")))));
        assertTrue(e.getMessage().contains("mqtt.username"), e.getMessage());
    }
}
