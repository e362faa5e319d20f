package io.c2f.agent.threads;

import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** What a closed lane answers a timer request with. */
final class Lanes {
    private Lanes() {
    }

    static ScheduledFuture<?> canceled() {
        return Canceled.INSTANCE;
    }

    private static final class Canceled implements ScheduledFuture<Object> {
        private static final Canceled INSTANCE = new Canceled();

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(0, o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return true;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            throw new java.util.concurrent.CancellationException("the lane is closed");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return get();
        }
    }
}
