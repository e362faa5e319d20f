package io.c2f.agent.testing;

import io.c2f.proto.codec.Inbound;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.WireException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** A test-side MQTT client that records decoded c2f messages and can publish raw bytes. */
public final class MqttObserver implements AutoCloseable {
    private final MqttClient client;
    private final BlockingQueue<Inbound> received = new LinkedBlockingQueue<>();
    private final List<String> undecodable = new ArrayList<>();

    public MqttObserver(String uri, String clientId, String... filters) throws MqttException {
        client = new MqttClient(uri, clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        client.connect(options);
        try {
            for (String filter : filters) {
                client.subscribe(filter, 1, this::arrived);
            }
        } catch (MqttException e) {
            try {
                client.close(true);
            } catch (MqttException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * Connects and subscribes, trying again for up to {@code within} when the connection drops on the
     * way: a broker restarted a moment ago has once closed a fresh connection under CI load
     * (TelemetryDeliveryTest, "Connection lost (32109)" during the observer's subscribe).
     */
    public static MqttObserver connectWithin(java.time.Duration within, String uri, String clientId, String... filters)
            throws MqttException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                return new MqttObserver(uri, clientId, filters);
            } catch (MqttException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private void arrived(String topic, MqttMessage message) {
        try {
            received.add(WireCodec.decode(topic, message.getPayload()));
        } catch (WireException e) {
            synchronized (undecodable) {
                undecodable.add(topic + ": " + e.getMessage());
            }
        }
    }

    /** Waits for the next message matching the predicate, skipping others. */
    public Inbound await(Predicate<Inbound> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching message within " + timeout);
            }
            Inbound next = received.poll(left, TimeUnit.NANOSECONDS);
            if (next != null && match.test(next)) {
                return next;
            }
        }
    }

    public void publish(String topic, byte[] payload) throws MqttException {
        client.publish(topic, payload, 1, false);
    }

    public List<String> undecodable() {
        synchronized (undecodable) {
            return List.copyOf(undecodable);
        }
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }
}
