package io.c2f.agent.threads;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A lane with a thread of its own (a daemon, so a stuck task never keeps the JVM alive). */
final class DedicatedLane implements Lane {
    private static final Logger LOG = LoggerFactory.getLogger(DedicatedLane.class);

    private final String name;
    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    DedicatedLane(String name) {
        this.name = name;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    private Runnable logged(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.error("task on {} failed", name, e);
            }
        };
    }

    @Override
    public void execute(Runnable task) {
        try {
            executor.execute(logged(task));
        } catch (RejectedExecutionException e) {
            LOG.debug("{} is closed; task dropped", name);
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        try {
            return executor.schedule(logged(task), delay, unit);
        } catch (RejectedExecutionException e) {
            return Lanes.canceled();
        }
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long initialDelay, long period, TimeUnit unit) {
        try {
            return executor.scheduleAtFixedRate(logged(task), initialDelay, period, unit);
        } catch (RejectedExecutionException e) {
            return Lanes.canceled();
        }
    }

    @Override
    public void close() {
        if (Thread.currentThread() == thread) {
            // from the lane's own task: drop the rest but do not interrupt the caller, which goes on
            // (e.g. an enrolment stores its acceptance after closing its lane)
            for (Runnable r : executor.getQueue()) {
                ((java.util.concurrent.Future<?>) r).cancel(false);
            }
            executor.shutdown();
            return;
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
