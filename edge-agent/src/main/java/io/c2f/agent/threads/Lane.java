package io.c2f.agent.threads;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One device's serial line of work for one part (its link, its jobs, its generator): tasks run one
 * at a time, in the order they were handed in, as on a single-thread executor. Whether the line
 * owns a thread ({@link AgentThreads#dedicated()}) or borrows one from a shared pool per task
 * ({@link SharedThreads}) is the {@link AgentThreads}' choice; the parts cannot tell.
 *
 * <p>A task that throws is logged and the lane goes on. After {@link #close} new tasks and timers
 * are dropped silently (a late MQTT callback during shutdown is not an error).
 */
public interface Lane extends Executor {
    /** Runs the task after the ones already handed in. */
    @Override
    void execute(Runnable task);

    /** Runs the task on the lane once the delay has passed. */
    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit);

    /** Runs the task on the lane at a fixed rate until the lane is closed or the future canceled. */
    ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long initialDelay, long period, TimeUnit unit);

    /**
     * Stops the lane: queued tasks and timers are dropped, a running task is interrupted, and the
     * call returns once it ended (at most 5 s). Called from the lane's own task, it neither
     * interrupts nor waits: that task goes on to its end.
     */
    void close();
}
