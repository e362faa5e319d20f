package io.c2f.agent.threads;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.ScheduledExecutorPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Pools shared by many agents in one JVM (the fleet simulator): every lane is a {@link SerialLane}
 * over the pool for its {@link Work}, every timer sits in one scheduler, and every MQTT client runs
 * on one {@link MqttExecutor} with Paho's {@link ScheduledExecutorPingSender} (no timer thread per
 * client).
 *
 * <p><b>What a device costs.</b> The agent's own parts borrow threads per task, so they cost no
 * thread while idle; each pool has a fixed bound and idle threads end after 30 s. Paho 1.2.5 does
 * not let a client go without threads, though: its receiver, sender and callback loops each hold a
 * pool thread while the client is connected, so a connected device costs 3 threads (8 to 9 with
 * dedicated threads), measured by {@code FleetSimulatorSharedTest}.
 *
 * <p><b>Bounds.</b> Tasks beyond a pool's bound wait their turn: with {@code jobs} threads, at most
 * that many bundle installs run at once (each holds its payload in memory, so this also bounds the
 * memory a rollout to the whole simulated fleet takes), the others start as threads free up (a job's
 * timeout counts from its start); with {@code generation} threads, at most that many simulated
 * models run (sleep for their cost) at once, and requests beyond wait, which shows as latency.
 */
public final class SharedThreads implements AgentThreads, AutoCloseable {
    private final ThreadPoolExecutor link;
    private final ThreadPoolExecutor jobs;
    private final ThreadPoolExecutor generation;
    private final ScheduledThreadPoolExecutor timers;
    private final MqttExecutor mqtt;

    /**
     * @param linkThreads threads for connecting, timers and telemetry (a connect blocks one for up
     *     to the connect timeout)
     * @param jobThreads installs that may run at once
     * @param generationThreads generations that may run at once
     */
    public SharedThreads(int linkThreads, int jobThreads, int generationThreads) {
        this.link = pool(linkThreads, "c2f-shared-link-");
        this.jobs = pool(jobThreads, "c2f-shared-jobs-");
        this.generation = pool(generationThreads, "c2f-shared-generate-");
        this.timers = new ScheduledThreadPoolExecutor(1, daemons("c2f-shared-timer-"));
        timers.setRemoveOnCancelPolicy(true);
        this.mqtt = new MqttExecutor();
    }

    /** The simulator's default bounds: 16 link threads, 32 installs and 64 generations at once. */
    public static SharedThreads forSimulator() {
        return new SharedThreads(16, 32, 64);
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
    public MqttAsyncClient mqttClient(String serverUri, String clientId) throws MqttException {
        return new MqttAsyncClient(serverUri, clientId, new MemoryPersistence(), new ScheduledExecutorPingSender(mqtt),
                mqtt);
    }

    /** Threads Paho's loops hold now (three per connected client). */
    public int mqttThreads() {
        return mqtt.loopThreads();
    }

    /** Stops every pool; the agents using them must be closed first. */
    @Override
    public void close() {
        timers.shutdownNow();
        link.shutdownNow();
        jobs.shutdownNow();
        generation.shutdownNow();
        mqtt.shutdownNow();
    }
}
