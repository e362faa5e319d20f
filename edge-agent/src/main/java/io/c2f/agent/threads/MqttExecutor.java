package io.c2f.agent.threads;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The executor the shared MQTT clients get. Paho 1.2.5 submits its receiver, sender and callback
 * loops to it; each loop holds its thread for as long as its client is connected, so they go to a
 * pool that grows on demand (three threads per connected client; a fixed-size pool such as a
 * {@code ScheduledThreadPoolExecutor} would let the clients beyond its size hang at connect) and
 * whose idle threads end after 30 s. Timers (Paho's {@code ScheduledExecutorPingSender}) go to a
 * small shared scheduler: a keep-alive check only queues a ping for the sender loop.
 *
 * <p>Paho 1.2.5 never shuts down an executor it was given (checked: {@code ClientComms} has the
 * method but nothing calls it); {@link SharedThreads#close} does.
 */
final class MqttExecutor extends AbstractExecutorService implements ScheduledExecutorService {
    private final ThreadPoolExecutor loops;
    private final ScheduledThreadPoolExecutor timers;

    MqttExecutor() {
        this.loops = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                SharedThreads.daemons("c2f-mqtt-"));
        this.timers = new ScheduledThreadPoolExecutor(2, SharedThreads.daemons("c2f-mqtt-timer-"));
        timers.setRemoveOnCancelPolicy(true);
    }

    @Override
    public void execute(Runnable command) {
        loops.execute(command);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return timers.schedule(command, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return timers.schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return timers.scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
            TimeUnit unit) {
        return timers.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    /** Threads running loops now (idle pool threads, kept 30 s, do not count). */
    int loopThreads() {
        return loops.getActiveCount();
    }

    @Override
    public void shutdown() {
        timers.shutdown();
        loops.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> left = new java.util.ArrayList<>(timers.shutdownNow());
        left.addAll(loops.shutdownNow());
        return left;
    }

    @Override
    public boolean isShutdown() {
        return loops.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return loops.isTerminated() && timers.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long until = System.nanoTime() + unit.toNanos(timeout);
        return timers.awaitTermination(timeout, unit)
                && loops.awaitTermination(until - System.nanoTime(), TimeUnit.NANOSECONDS);
    }
}
