package io.c2f.agent.link.netty;

import io.c2f.agent.link.mqtt.LoginRefusedException;
import io.c2f.agent.link.mqtt.MqttConnection;
import io.c2f.agent.link.mqtt.NotConnectedException;
import io.c2f.proto.codec.WireCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client id's MQTT 3.1.1 connection as a channel of a shared event loop ({@link NettyMqtt}).
 * Each connect is a new {@link Session}, whose state only its event loop touches. Received
 * messages are copied off the channel and handed to the callback executor; a QoS 1 message is
 * acknowledged after the handler returned, and reading pauses while many wait (back-pressure
 * instead of an unbounded queue). Futures complete on the callback executor too, so no caller's
 * code runs on the event loop.
 */
final class NettyMqttConnection implements MqttConnection {
    private static final Logger LOG = LoggerFactory.getLogger(NettyMqttConnection.class);
    /** The largest packet taken: the largest payload the wire codec allows, plus topic and header. */
    static final int MAX_PACKET_BYTES = WireCodec.MAX_PAYLOAD_BYTES + 64 * 1024;
    /** Received messages waiting for the handler at which reading pauses, and where it resumes. */
    static final int PAUSE_READING_AT = 64;
    static final int RESUME_READING_AT = 16;

    private final EventLoopGroup group;
    private final BrokerAddress address;
    private final String clientId;
    private final Executor callbacks;
    private volatile Handler handler;
    private volatile Session session;
    private volatile boolean closed;

    NettyMqttConnection(EventLoopGroup group, BrokerAddress address, String clientId, Executor callbacks) {
        this.group = group;
        this.address = address;
        this.clientId = clientId;
        this.callbacks = callbacks;
    }

    @Override
    public void setHandler(Handler handler) {
        this.handler = Objects.requireNonNull(handler);
    }

    @Override
    public CompletableFuture<Void> connect(Options options) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Session s;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the MQTT connection of " + clientId
                        + " is closed"));
            }
            if (session != null && !session.ended) {
                return CompletableFuture.failedFuture(new IllegalStateException(clientId
                        + " is already connected or connecting"));
            }
            s = new Session(options, done);
            session = s;
        }
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        options.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new MqttDecoder(MAX_PACKET_BYTES), MqttEncoder.INSTANCE,
                                new IdleStateHandler(0, options.keepAlive().toSeconds(), 0, TimeUnit.SECONDS), s);
                    }
                });
        try {
            var connecting = bootstrap.connect(address.host(), address.port());
            s.channel = connecting.channel();
            connecting.addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    s.cause(new IOException("cannot connect to " + address.host() + ":" + address.port() + ": "
                            + f.cause(), f.cause()));
                }
            });
            s.channel.closeFuture().addListener(f -> s.ended());
        } catch (RuntimeException e) { // the event loop is shut down
            s.ended = true;
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public CompletableFuture<Integer> subscribe(String topic, int qos) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        onLoop(done, s -> s.subscribe(topic, qos, done));
        return done;
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos, boolean retained) {
        if (qos < 0 || qos > 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("QoS " + qos
                    + " is not supported (0 or 1)"));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(done, s -> s.publish(topic, payload, qos, retained, done));
        return done;
    }

    private void onLoop(CompletableFuture<?> done, Consumer<Session> task) {
        Session s = session;
        if (s == null || !s.up || s.ended) {
            done.completeExceptionally(notConnected());
            return;
        }
        try {
            s.channel.eventLoop().execute(() -> task.accept(s));
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(notConnected());
        }
    }

    private NotConnectedException notConnected() {
        return new NotConnectedException(clientId + " is not connected to " + address.host() + ":" + address.port());
    }

    @Override
    public boolean isConnected() {
        Session s = session;
        return s != null && s.up && !s.ended;
    }

    @Override
    public CompletableFuture<Void> disconnect() {
        Session s = session;
        if (s == null || s.ended) {
            return CompletableFuture.completedFuture(null);
        }
        s.asked = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        s.channel.closeFuture().addListener(f -> settle(() -> done.complete(null)));
        if (s.channel.isActive()) {
            s.channel.writeAndFlush(MqttMessage.DISCONNECT).addListener(ChannelFutureListener.CLOSE);
        } else {
            s.channel.close();
        }
        return done;
    }

    @Override
    public void disconnectForcibly() {
        Session s = session;
        if (s != null && !s.ended) {
            s.asked = true;
            s.channel.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        disconnectForcibly();
    }

    /** Runs on the callback executor; at once once the connection is closed (its executor may be gone). */
    private void settle(Runnable r) {
        if (closed) {
            r.run();
            return;
        }
        try {
            callbacks.execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    private <T> void complete(CompletableFuture<T> f, T value) {
        settle(() -> f.complete(value));
    }

    private void fail(CompletableFuture<?> f, Throwable t) {
        settle(() -> f.completeExceptionally(t));
    }

    /** One connection attempt and, once accepted, its session. */
    private final class Session extends SimpleChannelInboundHandler<MqttMessage> {
        private final Options options;
        private final CompletableFuture<Void> connected;
        private final Map<Integer, CompletableFuture<Void>> acks = new HashMap<>();
        private final Map<Integer, CompletableFuture<Integer>> subacks = new HashMap<>();
        private final Object flow = new Object();
        volatile Channel channel;
        volatile boolean up;
        volatile boolean ended;
        /** The client closes it: no connection-lost callback. */
        volatile boolean asked;
        private volatile Throwable cause;
        private int lastId;
        private ScheduledFuture<?> connackTimer;
        private ScheduledFuture<?> pingTimer;
        // guarded by flow
        private int waiting;
        private boolean reading = true;

        Session(Options options, CompletableFuture<Void> connected) {
            this.options = options;
            this.connected = connected;
        }

        void cause(Throwable t) {
            if (cause == null) {
                cause = t;
            }
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            MqttMessageBuilders.ConnectBuilder connect = MqttMessageBuilders.connect()
                    .protocolVersion(MqttVersion.MQTT_3_1_1).clientId(clientId).cleanSession(options.cleanSession())
                    .keepAlive((int) options.keepAlive().toSeconds());
            MqttConnection.Will will = options.will();
            if (will != null) {
                connect.willFlag(true).willTopic(will.topic()).willMessage(will.payload())
                        .willQoS(MqttQoS.valueOf(will.qos())).willRetain(will.retained());
            }
            if (options.username() != null) {
                connect.hasUser(true).username(options.username());
            }
            char[] password = options.password();
            if (password != null) {
                connect.hasPassword(true).password(new String(password).getBytes(StandardCharsets.UTF_8));
                Arrays.fill(password, '\0');
            }
            ctx.writeAndFlush(connect.build());
            connackTimer = ctx.executor().schedule(() -> {
                cause(new IOException("no CONNACK from " + address.host() + ":" + address.port() + " within "
                        + options.connectTimeout().toMillis() + " ms"));
                ctx.close();
            }, options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
            if (msg.decoderResult().isFailure()) {
                cause(new IOException("malformed MQTT packet from the broker: " + msg.decoderResult().cause(),
                        msg.decoderResult().cause()));
                ctx.close();
                return;
            }
            switch (msg.fixedHeader().messageType()) {
                case CONNACK -> connack(ctx, (MqttConnAckMessage) msg);
                case SUBACK -> {
                    MqttSubAckMessage ack = (MqttSubAckMessage) msg;
                    CompletableFuture<Integer> f = subacks.remove(ack.variableHeader().messageId());
                    if (f != null) {
                        List<Integer> granted = ack.payload().grantedQoSLevels();
                        complete(f, granted.isEmpty() ? 0x80 : granted.get(0));
                    }
                }
                case PUBACK -> {
                    CompletableFuture<Void> f = acks.remove(((MqttPubAckMessage) msg).variableHeader().messageId());
                    if (f != null) {
                        complete(f, null);
                    }
                }
                case PUBLISH -> arrived(ctx, (MqttPublishMessage) msg);
                case PINGRESP -> {
                    if (pingTimer != null) {
                        pingTimer.cancel(false);
                        pingTimer = null;
                    }
                }
                default -> LOG.debug("{} ignored an unexpected {} from the broker", clientId,
                        msg.fixedHeader().messageType());
            }
        }

        private void connack(ChannelHandlerContext ctx, MqttConnAckMessage msg) {
            if (connackTimer != null) {
                connackTimer.cancel(false);
            }
            MqttConnectReturnCode code = msg.variableHeader().connectReturnCode();
            if (code == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                up = true;
                complete(connected, null);
                return;
            }
            if (code == MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD
                    || code == MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED) {
                cause(new LoginRefusedException(code.byteValue(), "the broker refused the login of " + clientId
                        + " (CONNACK " + code.byteValue() + ", " + code + ")"));
            } else {
                cause(new IOException("the broker refused the connection of " + clientId + " (CONNACK "
                        + code.byteValue() + ", " + code + ")"));
            }
            ctx.close();
        }

        private void arrived(ChannelHandlerContext ctx, MqttPublishMessage msg) {
            MqttQoS qos = msg.fixedHeader().qosLevel();
            if (qos == MqttQoS.EXACTLY_ONCE || qos == MqttQoS.FAILURE) {
                // subscriptions ask for QoS 1 at most; a broker never sends more (MQTT 3.1.1, 3.8.4)
                cause(new IOException("the broker sent a QoS " + qos.value() + " message; subscribed at 1 at most"));
                ctx.close();
                return;
            }
            String topic = msg.variableHeader().topicName();
            int packetId = msg.variableHeader().packetId();
            byte[] payload = ByteBufUtil.getBytes(msg.payload());
            Channel ch = ctx.channel();
            synchronized (flow) {
                if (++waiting >= PAUSE_READING_AT && reading) {
                    reading = false;
                    ch.config().setAutoRead(false);
                }
            }
            Runnable delivery = () -> {
                try {
                    Handler h = handler;
                    if (h != null) {
                        h.messageArrived(topic, payload);
                    }
                    if (qos == MqttQoS.AT_LEAST_ONCE && ch.isActive()) {
                        ch.writeAndFlush(MqttMessageBuilders.pubAck().packetId(packetId).build());
                    }
                } catch (RuntimeException e) {
                    // as Paho does: a handler that throws loses the connection, the message is not acknowledged
                    LOG.warn("{}: the message handler failed on {}: {}", clientId, topic, e.toString());
                    cause(e);
                    ch.close();
                } finally {
                    synchronized (flow) {
                        if (--waiting <= RESUME_READING_AT && !reading) {
                            reading = true;
                            ch.config().setAutoRead(true);
                        }
                    }
                }
            };
            try {
                callbacks.execute(delivery);
            } catch (RejectedExecutionException e) {
                ctx.close(); // the callback executor is gone: the connection is being closed
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.WRITER_IDLE && up) {
                ctx.writeAndFlush(MqttMessage.PINGREQ);
                if (pingTimer == null) {
                    pingTimer = ctx.executor().schedule(() -> {
                        cause(new IOException("no PINGRESP from the broker within " + options.keepAlive().toSeconds()
                                + " s"));
                        ctx.close();
                    }, options.keepAlive().toMillis(), TimeUnit.MILLISECONDS);
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
            cause(t);
            ctx.close();
        }

        void subscribe(String topic, int qos, CompletableFuture<Integer> done) {
            int id = nextId();
            if (!up || id < 0) {
                fail(done, up ? new IOException("no free packet id") : notConnected());
                return;
            }
            subacks.put(id, done);
            channel.writeAndFlush(MqttMessageBuilders.subscribe().messageId(id)
                    .addSubscription(MqttQoS.valueOf(qos), topic).build()).addListener(f -> {
                        if (!f.isSuccess() && subacks.remove(id) != null) {
                            fail(done, f.cause());
                        }
                    });
        }

        void publish(String topic, byte[] payload, int qos, boolean retained, CompletableFuture<Void> done) {
            if (!up || ended) {
                fail(done, notConnected());
                return;
            }
            MqttMessageBuilders.PublishBuilder p = MqttMessageBuilders.publish().topicName(topic).retained(retained)
                    .qos(MqttQoS.valueOf(qos)).payload(Unpooled.wrappedBuffer(payload));
            if (qos == 0) {
                channel.writeAndFlush(p.build()).addListener(f -> {
                    if (f.isSuccess()) {
                        complete(done, null);
                    } else {
                        fail(done, f.cause());
                    }
                });
                return;
            }
            if (acks.size() >= options.maxInflight()) {
                fail(done, new IOException(clientId + " has " + acks.size() + " publishes awaiting their PUBACK, the most "
                        + "allowed"));
                return;
            }
            int id = nextId();
            if (id < 0) {
                fail(done, new IOException("no free packet id"));
                return;
            }
            acks.put(id, done);
            channel.writeAndFlush(p.messageId(id).build()).addListener(f -> {
                if (!f.isSuccess() && acks.remove(id) != null) {
                    fail(done, f.cause());
                }
            });
        }

        /** A packet id (1..65535) no publish or subscribe in flight uses, or -1. */
        private int nextId() {
            for (int i = 0; i < 65535; i++) {
                lastId = lastId % 65535 + 1;
                if (!acks.containsKey(lastId) && !subacks.containsKey(lastId)) {
                    return lastId;
                }
            }
            return -1;
        }

        /** The channel closed: fail what waits, tell the handler if the session was up and the client did not ask. */
        void ended() {
            boolean wasUp = up;
            up = false;
            ended = true;
            if (connackTimer != null) {
                connackTimer.cancel(false);
            }
            if (pingTimer != null) {
                pingTimer.cancel(false);
            }
            Throwable why = cause != null ? cause
                    : new IOException(asked ? clientId + " disconnected" : "the broker closed the connection of " + clientId);
            if (!connected.isDone()) {
                fail(connected, why);
            }
            for (CompletableFuture<Void> f : acks.values()) {
                fail(f, new IOException(clientId + " lost its connection before the PUBACK", why));
            }
            acks.clear();
            for (CompletableFuture<Integer> f : subacks.values()) {
                fail(f, new IOException(clientId + " lost its connection before the SUBACK", why));
            }
            subacks.clear();
            Handler h = handler;
            if (wasUp && !asked && h != null) {
                settle(() -> h.connectionLost(why));
            }
        }
    }
}
