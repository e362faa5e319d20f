package io.c2f.controller.broker;

import static io.c2f.controller.testing.Await.result;

import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.proto.testing.RawMqttClient;
import io.c2f.proto.testing.RawMqttClient.Connect;
import io.c2f.proto.topic.Topics;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded broker alone, as a fleet "lab" runs it on a network: anonymous access off, the
 * controller's admin login {@value #ADMIN}, devices dev-a and dev-b with their passwords; tests
 * talk to it with {@link RawMqttClient}, a client of their own. Closes the clients it opened.
 */
final class BrokerUnderTest implements AutoCloseable {
    static final String ADMIN = "c2f-admin";
    static final String ADMIN_PASSWORD = "admin-secret";
    static final Topics LAB = Topics.fleet("lab");

    final EmbeddedBroker broker;
    private final List<RawMqttClient> clients = new ArrayList<>();

    private BrokerUnderTest(EmbeddedBroker broker) {
        this.broker = broker;
    }

    static BrokerUnderTest start(Vertx vertx, Path dir) throws Exception {
        return start(vertx, dir, Map.of());
    }

    static BrokerUnderTest start(Vertx vertx, Path dir, Map<String, String> overrides) throws Exception {
        Map<String, String> values = new HashMap<>(Map.of("fleet", "lab", "data.dir", dir.toString(),
                "broker.port", "0", "broker.allow.anonymous", "false", "mqtt.username", ADMIN,
                "mqtt.password", ADMIN_PASSWORD));
        values.putAll(overrides);
        ControllerConfig config = ConfigLoader.fromMap(values);
        DeviceCredentials devices = DeviceCredentials.of(Map.of("dev-a", "pw-a", "dev-b", "pw-b"));
        return new BrokerUnderTest(result(EmbeddedBroker.start(vertx, config, devices)));
    }

    /** Connects a device with its own credentials; fails unless accepted. */
    RawMqttClient device(String id) throws IOException {
        return accepted(Connect.as(id, id, "pw-" + id.substring(id.length() - 1)));
    }

    /** Connects the admin (the controller's login) with a clean session. */
    RawMqttClient admin(String clientId) throws IOException {
        return accepted(Connect.as(clientId, ADMIN, ADMIN_PASSWORD));
    }

    RawMqttClient accepted(Connect connect) throws IOException {
        int[] code = new int[1];
        RawMqttClient c = connect(connect, code);
        if (code[0] != 0) {
            throw new AssertionError("CONNECT of " + connect.clientId() + " refused with " + code[0]);
        }
        return c;
    }

    /** Sends CONNECT; {@code code[0]} gets the CONNACK return code. */
    RawMqttClient connect(Connect connect, int[] code) throws IOException {
        RawMqttClient c = RawMqttClient.connect("127.0.0.1", broker.port(), connect, code);
        clients.add(c);
        return c;
    }

    /** The CONNACK return code of a CONNECT (the connection is closed afterwards). */
    int connackOf(Connect connect) throws IOException {
        int[] code = new int[1];
        connect(connect, code).close();
        return code[0];
    }

    @Override
    public void close() throws Exception {
        clients.forEach(RawMqttClient::close);
        result(broker.close());
    }
}
