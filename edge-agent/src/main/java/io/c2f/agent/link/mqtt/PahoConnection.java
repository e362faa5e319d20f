package io.c2f.agent.link.mqtt;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.MqttPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * {@link MqttConnection} on Paho 1.2.5's {@link MqttAsyncClient} with in-memory persistence, what a
 * real device runs: its receiver, sender and callback loops (a thread each while connected), its
 * own reconnect off (the link reconnects with its backoff), messages auto-acknowledged after
 * {@link Handler#messageArrived} returns on Paho's callback thread, futures completed there too.
 */
public final class PahoConnection implements MqttConnection {
    private final MqttAsyncClient client;

    /** A client with Paho's own threads and ping timer. */
    public PahoConnection(String serverUri, String clientId) throws IOException {
        try {
            this.client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IOException("cannot create MQTT client for " + clientId + " at " + serverUri + ": "
                    + e.getMessage(), e);
        }
    }

    /** A client whose loops run on {@code executor} and whose keep-alive uses {@code pingSender}. */
    public PahoConnection(String serverUri, String clientId, MqttPingSender pingSender,
            ScheduledExecutorService executor)
            throws IOException {
        try {
            this.client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence(), pingSender, executor);
        } catch (MqttException e) {
            throw new IOException("cannot create MQTT client for " + clientId + " at " + serverUri + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void setHandler(Handler handler) {
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                handler.connectionLost(cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                handler.messageArrived(topic, message.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // completion is tracked per publish
            }
        });
    }

    /** Paho's options for {@code o}: MQTT 3.1.1, no automatic reconnect. */
    static MqttConnectOptions pahoOptions(Options o) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval((int) o.keepAlive().toSeconds());
        options.setConnectionTimeout((int) Math.max(1, o.connectTimeout().toSeconds()));
        if (o.socketFactory() != null) {
            options.setSocketFactory(o.socketFactory());
        }
        options.setCleanSession(o.cleanSession());
        options.setMaxInflight(o.maxInflight());
        if (o.will() != null) {
            options.setWill(o.will().topic(), o.will().payload(), o.will().qos(), o.will().retained());
        }
        if (o.username() != null) {
            options.setUserName(o.username());
        }
        if (o.password() != null) {
            options.setPassword(o.password());
        }
        return options;
    }

    @Override
    public CompletableFuture<Void> connect(Options options) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            client.connect(pahoOptions(options), null, listener(done, t -> null));
        } catch (MqttException e) {
            done.completeExceptionally(translate(e));
        }
        return done;
    }

    @Override
    public CompletableFuture<Integer> subscribe(String topic, int qos) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        try {
            client.subscribe(topic, qos, null, listener(done, t -> {
                int[] granted = t.getGrantedQos();
                return granted == null || granted.length == 0 ? 0x80 : granted[0];
            }));
        } catch (MqttException e) {
            done.completeExceptionally(translate(e));
        }
        return done;
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            client.publish(topic, payload, qos, retained, null, listener(done, t -> null));
        } catch (MqttException e) {
            done.completeExceptionally(translate(e));
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            client.disconnect(null, listener(done, t -> null));
        } catch (MqttException e) {
            done.completeExceptionally(translate(e));
        }
        return done;
    }

    @Override
    public void disconnectForcibly() {
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1000, false);
            }
        } catch (MqttException ignored) {
            // already down
        }
    }

    @Override
    public void close() {
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // closing anyway
        }
    }

    private interface Result<T> {
        T of(IMqttToken token);
    }

    private static <T> IMqttActionListener listener(CompletableFuture<T> done, Result<T> result) {
        return new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                done.complete(result.of(token));
            }

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
                done.completeExceptionally(cause instanceof MqttException e ? translate(e) : cause);
            }
        };
    }

    /** Paho's login refusals and "not connected" as this package's exceptions; others as they are. */
    static Throwable translate(MqttException e) {
        return switch (e.getReasonCode()) {
            case MqttException.REASON_CODE_FAILED_AUTHENTICATION, MqttException.REASON_CODE_NOT_AUTHORIZED ->
                    withCause(new LoginRefusedException(e.getReasonCode(), e.getMessage()), e);
            case MqttException.REASON_CODE_CLIENT_NOT_CONNECTED ->
                    withCause(new NotConnectedException(e.getMessage()), e);
            default -> e;
        };
    }

    private static Throwable withCause(Throwable t, Throwable cause) {
        t.initCause(cause);
        return t;
    }
}
