package io.c2f.agent.link;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.InboundDispatcher;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.WireException;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.Death;
import io.c2f.proto.v1.DeathReason;
import io.c2f.agent.threads.AgentThreads;
import io.c2f.agent.threads.Lane;
import io.c2f.agent.link.mqtt.MqttConnection;
import io.c2f.agent.link.mqtt.NotConnectedException;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's MQTT session with the fleet, Sparkplug style: on every connection a new bdSeq, a
 * Last Will on the death topic carrying it, the birth as message 0, then the device's command
 * subscriptions. Reconnects with jittered exponential backoff until closed. Speaks MQTT 3.1.1.
 *
 * <p>Inbound messages are decoded on the MQTT client's callback thread by the
 * {@link InboundDispatcher} (Paho's callback loop, or the client's serial lane on the shared Netty
 * transport); its handlers must hand work off rather than block. Rebirth requests are answered here.
 */
public final class DeviceLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceLink.class);

    /** Told when the session goes up or down. Called on the link's own thread. */
    public interface Listener {
        default void online(long bdSeq) {
        }

        default void offline(Throwable cause) {
        }
    }

    private final LinkSettings settings;
    private final Topics topics;
    private final Supplier<Birth> birthSource;
    private final InboundDispatcher dispatcher;
    private final Listener listener;
    private final HeaderFactory headers;
    private final SessionCounter sessions;
    private final Lane scheduler;
    private final RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
    private final MqttConnection client;
    private final LinkState state;
    private volatile boolean closed;
    private volatile boolean online;
    private int attempt;

    /**
     * @param birthSource the device's current birth certificate (header and device id are set here)
     */
    public DeviceLink(LinkSettings settings, Supplier<Birth> birthSource, InboundDispatcher dispatcher,
            Listener listener) throws IOException {
        this(settings, birthSource, dispatcher, listener, new LinkState());
    }

    /**
     * @param birthSource the device's current birth certificate (header and device id are set here)
     * @param state told when a session is established and when it is lost (shared with work that
     *     waits out outages, such as a bundle download)
     */
    public DeviceLink(LinkSettings settings, Supplier<Birth> birthSource, InboundDispatcher dispatcher,
            Listener listener, LinkState state) throws IOException {
        this(settings, birthSource, dispatcher, listener, state, AgentThreads.dedicated());
    }

    /**
     * As {@link #DeviceLink(LinkSettings, Supplier, InboundDispatcher, Listener, LinkState)}, on
     * {@code threads}' lane and MQTT client (the simulator's shared pools).
     */
    public DeviceLink(LinkSettings settings, Supplier<Birth> birthSource, InboundDispatcher dispatcher,
            Listener listener, LinkState state, AgentThreads threads) throws IOException {
        this.state = Objects.requireNonNull(state);
        this.settings = Objects.requireNonNull(settings);
        this.topics = Topics.fleet(settings.fleet());
        this.birthSource = Objects.requireNonNull(birthSource);
        this.dispatcher = Objects.requireNonNull(dispatcher);
        this.listener = Objects.requireNonNull(listener);
        this.headers = new HeaderFactory(settings.deviceId());
        this.sessions = new SessionCounter(settings.stateDir());
        sessions.current(); // fail now, not on the first connect, if the stored counter is corrupt
        this.scheduler = threads.lane(AgentThreads.Work.LINK, "c2f-link-" + settings.deviceId());
        try {
            this.client = threads.mqttClient(settings.brokerUri(), settings.deviceId());
        } catch (IOException e) {
            scheduler.close();
            throw new IOException("cannot create MQTT client for " + settings + ": " + e.getMessage(), e);
        }
        client.setHandler(new Callback());
    }

    /** Starts connecting in the background; returns at once. */
    public void start() {
        scheduler.execute(this::connectOnce);
    }

    public boolean isOnline() {
        return online;
    }

    /** The session state, for work that pauses while the broker is unreachable. */
    public LinkState state() {
        return state;
    }

    public Topics topics() {
        return topics;
    }

    public String deviceId() {
        return settings.deviceId();
    }

    /** The bdSeq of the current (or last) session. */
    public long bdSeq() {
        return headers.bdSeq();
    }

    /**
     * Publishes a message on one of this device's channels, stamping its header. The future
     * completes when the broker acknowledged it (QoS 1) or it was written (QoS 0).
     *
     * @param message the message without header; {@code device_id} fields must already be set
     */
    public CompletableFuture<Void> publish(Channel channel, Message message) {
        if (channel.direction() != io.c2f.proto.topic.Direction.DEVICE_TO_CONTROLLER) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(channel + " is not a device channel"));
        }
        if (!online) {
            return CompletableFuture.failedFuture(new NotConnectedException(
                    settings.deviceId() + " is not connected to " + settings.brokerUri()));
        }
        return send(topics.device(settings.deviceId(), channel), channel, withHeader(message), channel.qos());
    }

    private Message withHeader(Message message) {
        FieldDescriptor header = message.getDescriptorForType().findFieldByNumber(1);
        return message.toBuilder().setField(header, headers.next()).build();
    }

    private CompletableFuture<Void> send(String topic, Channel channel, Message message, int qos) {
        try {
            return client.publish(topic, WireCodec.encode(channel, message), qos, channel.retained());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void connectOnce() {
        if (closed) {
            return;
        }
        long bdSeq;
        try {
            bdSeq = sessions.next();
        } catch (IOException e) {
            LOG.error("cannot advance the session counter in {}: {}", settings.stateDir(), e.getMessage());
            scheduleReconnect(e);
            return;
        }
        headers.newSession(bdSeq);
        Death will = Death.newBuilder().setHeader(headers.forWill()).setDeviceId(settings.deviceId())
                .setReason(DeathReason.DEATH_REASON_CONNECTION_LOST).build();
        MqttConnection.Options options = settings.connectOptions()
                // commands sent while we were away are queued by the broker for this client id
                .withCleanSession(false)
                .withMaxInflight(1000)
                .withWill(new MqttConnection.Will(topics.device(settings.deviceId(), Channel.DEATH),
                        WireCodec.encode(Channel.DEATH, will), Channel.DEATH.qos(), false))
                .withLogin(settings.username(), settings.password());
        try {
            client.connect(options).get(settings.connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            for (String topic : topics.deviceSubscriptions(settings.deviceId())) {
                // one at a time: a broker that denies one topic must not fail the others silently
                client.subscribe(topic, 1).get(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
            online = true;
            attempt = 0;
            publishBirth().get(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("{} online at {} (bdSeq {})", settings.deviceId(), settings.brokerUri(), bdSeq);
            listener.online(bdSeq);
            state.up();
        } catch (Exception e) {
            online = false;
            state.down();
            LOG.warn("{} cannot connect to {}: {}", settings.deviceId(), settings.brokerUri(), describe(e));
            client.disconnectForcibly();
            scheduleReconnect(e);
        }
    }

    private CompletableFuture<Void> publishBirth() {
        Birth birth = birthSource.get().toBuilder().setHeader(headers.next()).setDeviceId(settings.deviceId()).build();
        return send(topics.device(settings.deviceId(), Channel.BIRTH), Channel.BIRTH, birth, Channel.BIRTH.qos());
    }

    private void scheduleReconnect(Throwable cause) {
        if (closed) {
            return;
        }
        Duration delay = settings.backoff().delay(attempt++, random);
        LOG.info("{} reconnecting in {} ms (attempt {})", settings.deviceId(), delay.toMillis(), attempt);
        scheduler.schedule(this::connectOnce, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e + " (" + root + ")";
    }

    /** Publishes a graceful death, disconnects and stops reconnecting. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            CompletableFuture.runAsync(() -> {
                if (online) {
                    try {
                        Death death = Death.newBuilder().setHeader(headers.next()).setDeviceId(settings.deviceId())
                                .setReason(DeathReason.DEATH_REASON_GRACEFUL_SHUTDOWN).build();
                        send(topics.device(settings.deviceId(), Channel.DEATH), Channel.DEATH, death, 1)
                                .get(2, TimeUnit.SECONDS);
                        client.disconnect().get(2, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        LOG.debug("graceful disconnect of {} failed: {}", settings.deviceId(), e.toString());
                    }
                }
                online = false;
                state.down();
            }, scheduler).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("close of {} timed out: {}", settings.deviceId(), e.toString());
        }
        scheduler.close();
        client.close();
    }

    private final class Callback implements MqttConnection.Handler {
        @Override
        public void connectionLost(Throwable cause) {
            online = false;
            state.down();
            LOG.warn("{} lost its connection: {}", settings.deviceId(), describe(cause));
            scheduler.execute(() -> {
                listener.offline(cause);
                connectOnce();
            });
        }

        @Override
        public void messageArrived(String topic, byte[] payload) {
            Channel channel = channelOf(topic);
            if (channel == Channel.REBIRTH || channel == Channel.FLEET_REBIRTH) {
                try {
                    WireCodec.decode(topic, payload);
                } catch (WireException e) {
                    LOG.warn("ignored malformed rebirth request on {}: {}", topic, e.getMessage());
                    return;
                }
                scheduler.execute(() -> {
                    headers.newSession(headers.bdSeq());
                    publishBirth().whenComplete((v, e) -> {
                        if (e != null) {
                            LOG.warn("rebirth of {} failed: {}", settings.deviceId(), e.toString());
                        }
                    });
                });
                return;
            }
            dispatcher.dispatch(topic, payload);
        }
    }

    private static Channel channelOf(String topic) {
        try {
            return Topics.parse(topic).channel();
        } catch (WireException e) {
            return null;
        }
    }
}
