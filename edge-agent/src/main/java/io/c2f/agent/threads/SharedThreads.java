package io.c2f.agent.threads;

import io.c2f.agent.link.mqtt.MqttConnection;
import io.c2f.agent.link.mqtt.MqttTransport;
import io.c2f.agent.link.mqtt.PahoConnection;
import io.c2f.agent.link.netty.NettyMqtt;
import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.ScheduledExecutorPingSender;

/**
 * Pools shared by many agents in one JVM (the fleet simulator): every lane is a {@link SerialLane}
 * over the pool for its {@link Work}, every timer sits in one scheduler, and every MQTT client is
 * either a channel on one Netty event loop ({@link MqttTransport#NETTY}, the default; its callbacks
 * run on a serial lane per client over a shared pool) or a Paho client on one {@link MqttExecutor}
 * with Paho's {@link ScheduledExecutorPingSender} ({@link MqttTransport#PAHO}, as a real device).
 *
 * <p><b>What a device costs.</b> The agent's own parts borrow threads per task, so they cost no
 * thread while idle; each pool has a fixed bound and idle threads end after 30 s. On Netty a
 * connected device costs no thread either: the event loop has a fixed few. Paho 1.2.5 does not let
 * a client go without threads: its receiver, sender and callback loops each hold a pool thread while
 * the client is connected, so on Paho a connected device costs 3 threads (8 to 9 with dedicated
 * threads), measured by {@code FleetSimulatorSharedTest}.
 *
 * <p><b>Bounds.</b> Tasks beyond a pool's bound wait their turn: with {@code jobs} threads, at most
 * that many bundle installs run at once (each holds its payload in memory, so this also bounds the
 * memory a rollout to the whole simulated fleet takes), the others start as threads free up (a job's
 * timeout counts from its start); with {@code generation} threads, at most that many simulated
 * models run (sleep for their cost) at once, and requests beyond wait, which shows as latency.
 */
public final class SharedThreads implements AgentThreads, AutoCloseable {
    /** Netty event loop threads: a selector each, for every connection of the process. */
    static final int NETTY_LOOP_THREADS = 2;

    private final ThreadPoolExecutor link;
    private final ThreadPoolExecutor jobs;
    private final ThreadPoolExecutor generation;
    private final ScheduledThreadPoolExecutor timers;
    private final MqttTransport transport;
    private final MqttExecutor mqtt;
    private final NettyMqtt netty;
    private final ThreadPoolExecutor callbacks;

    /** As {@link #SharedThreads(int, int, int, MqttTransport)} on Netty. */
    public SharedThreads(int linkThreads, int jobThreads, int generationThreads) {
        this(linkThreads, jobThreads, generationThreads, MqttTransport.NETTY);
    }

    /**
     * @param linkThreads threads for connecting, timers and telemetry (a connect blocks one for up
     *     to the connect timeout)
     * @param jobThreads installs that may run at once
     * @param generationThreads generations that may run at once
     * @param transport the devices' MQTT client
     */
    public SharedThreads(int linkThreads, int jobThreads, int generationThreads, MqttTransport transport) {
        this.link = pool(linkThreads, "c2f-shared-link-");
        this.jobs = pool(jobThreads, "c2f-shared-jobs-");
        this.generation = pool(generationThreads, "c2f-shared-generate-");
        this.timers = new ScheduledThreadPoolExecutor(1, daemons("c2f-shared-timer-"));
        timers.setRemoveOnCancelPolicy(true);
        this.transport = transport;
        if (transport == MqttTransport.NETTY) {
            this.mqtt = null;
            this.netty = new NettyMqtt(NETTY_LOOP_THREADS);
            // messages are decoded and handed to the device's parts here (a chunk is stored under a lock)
            this.callbacks = pool(8, "c2f-shared-mqtt-callback-");
        } else {
            this.mqtt = new MqttExecutor();
            this.netty = null;
            this.callbacks = null;
        }
    }

    /** The simulator's default bounds (16 link threads, 32 installs and 64 generations at once) on {@code transport}. */
    public static SharedThreads forSimulator(MqttTransport transport) {
        return new SharedThreads(16, 32, 64, transport);
    }

    /** {@link #forSimulator(MqttTransport)} on Netty. */
    public static SharedThreads forSimulator() {
        return forSimulator(MqttTransport.NETTY);
    }

    private static ThreadPoolExecutor pool(int threads, String prefix) {
        if (threads < 1) {
            throw new IllegalArgumentException(prefix + " pool needs at least one thread, got " + threads);
        }
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemons(prefix));
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public Lane lane(Work work, String name) {
        ThreadPoolExecutor pool = switch (work) {
            case LINK -> link;
            case JOBS -> jobs;
            case GENERATION -> generation;
        };
        return new SerialLane(name, pool, timers);
    }

    @Override
    public MqttConnection mqttClient(String serverUri, String clientId) throws IOException {
        if (transport == MqttTransport.PAHO) {
            return new PahoConnection(serverUri, clientId, new ScheduledExecutorPingSender(mqtt), mqtt);
        }
        try {
            return netty.connection(serverUri, clientId, new SerialLane("c2f-mqtt-" + clientId, callbacks, timers));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The devices' MQTT client. */
    public MqttTransport transport() {
        return transport;
    }

    /** Threads the MQTT transport holds now: Paho's loops (three per connected client), or Netty's event loop. */
    public int mqttThreads() {
        return transport == MqttTransport.PAHO ? mqtt.loopThreads() : netty.threads();
    }

    /** Stops every pool; the agents using them must be closed first. */
    @Override
    public void close() {
        timers.shutdownNow();
        link.shutdownNow();
        jobs.shutdownNow();
        generation.shutdownNow();
        if (mqtt != null) {
            mqtt.shutdownNow();
        } else {
            netty.close();
            callbacks.shutdownNow();
        }
    }
}
