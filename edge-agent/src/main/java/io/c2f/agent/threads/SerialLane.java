package io.c2f.agent.threads;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lane without a thread: its tasks run one at a time on a shared pool, one task per turn (the
 * next is handed to the pool after the previous ended, so a busy device cannot starve the others
 * of a pool thread), and its timers are kept by a shared scheduler that only hands tasks over.
 */
final class SerialLane implements Lane {
    private static final Logger LOG = LoggerFactory.getLogger(SerialLane.class);

    private final String name;
    private final Executor pool;
    private final ScheduledExecutorService timer;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final Set<ScheduledFuture<?>> timers = ConcurrentHashMap.newKeySet();
    // guarded by this
    private boolean queued; // a turn is handed to the pool or running
    private boolean closed;
    private Thread runner;

    SerialLane(String name, Executor pool, ScheduledExecutorService timer) {
        this.name = name;
        this.pool = pool;
        this.timer = timer;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            if (closed) {
                LOG.debug("{} is closed; task dropped", name);
                return;
            }
            tasks.add(task);
            if (queued) {
                return;
            }
            queued = true;
        }
        handOver();
    }

    private void handOver() {
        try {
            pool.execute(this::turn);
        } catch (RejectedExecutionException e) {
            synchronized (this) { // the pools are shut down: the simulator is closing
                tasks.clear();
                queued = false;
            }
        }
    }

    private void turn() {
        Runnable task;
        synchronized (this) {
            task = closed ? null : tasks.poll();
            if (task == null) {
                queued = false;
                return;
            }
            runner = Thread.currentThread();
        }
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.error("task on {} failed", name, e);
        } finally {
            boolean more;
            synchronized (this) {
                runner = null;
                Thread.interrupted(); // a close() meant for this task must not reach the pool's next one
                more = !closed && !tasks.isEmpty();
                queued = more;
                notifyAll();
            }
            if (more) {
                handOver();
            }
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return track(() -> timer.schedule(() -> execute(task), delay, unit));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long initialDelay, long period, TimeUnit unit) {
        return track(() -> timer.scheduleAtFixedRate(() -> execute(task), initialDelay, period, unit));
    }

    private ScheduledFuture<?> track(java.util.function.Supplier<ScheduledFuture<?>> start) {
        synchronized (this) {
            if (closed) {
                return Lanes.canceled();
            }
        }
        ScheduledFuture<?> f;
        try {
            f = start.get();
        } catch (RejectedExecutionException e) {
            return Lanes.canceled();
        }
        timers.removeIf(ScheduledFuture::isDone); // one-shot timers that fired
        timers.add(f);
        if (isClosed()) {
            f.cancel(false); // closed meanwhile
        }
        return f;
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            tasks.clear();
            if (runner != null && runner != Thread.currentThread()) {
                runner.interrupt();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                try {
                    for (long left; runner != null && (left = until - System.nanoTime()) > 0; ) {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        timers.forEach(f -> f.cancel(false));
        timers.clear();
    }
}
