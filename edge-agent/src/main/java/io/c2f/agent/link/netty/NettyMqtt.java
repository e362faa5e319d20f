package io.c2f.agent.link.netty;

import io.c2f.agent.link.mqtt.MqttConnection;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * MQTT connections that cost no thread each: every connection made here is a channel on one
 * shared NIO event loop group of a few threads (a selector each), which reads, writes, times
 * keep-alives and decodes with Netty's MQTT codec. The handlers' callbacks run on an executor of
 * the caller's (per connection, serial), never on the event loop.
 */
public final class NettyMqtt implements AutoCloseable {
    private final EventLoopGroup group;
    private final int threads;

    /** @param threads event loop threads for all connections */
    public NettyMqtt(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("the MQTT event loop needs at least one thread, got " + threads);
        }
        this.threads = threads;
        this.group = new MultiThreadIoEventLoopGroup(threads, daemons("c2f-mqtt-loop-"), NioIoHandler.newFactory());
    }

    /**
     * A connection for {@code clientId} to {@code serverUri} (tcp://host[:port]).
     *
     * @param callbacks runs the handler's callbacks and completes the futures, one at a time in order
     */
    public MqttConnection connection(String serverUri, String clientId, Executor callbacks) {
        return new NettyMqttConnection(group, BrokerAddress.parse(serverUri), clientId, callbacks);
    }

    /** The event loop threads. */
    public int threads() {
        return threads;
    }

    /** Closes every connection still open and stops the event loop. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
