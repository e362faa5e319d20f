package io.c2f.agent.threads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedThreadsTest {
    @Test
    void eachLaneRunsItsTasksInOrderOneAtATimeOnTheSharedPool() throws Exception {
        int lanes = 200;
        int perLane = 50;
        try (SharedThreads threads = new SharedThreads(4, 1, 1)) {
            List<List<Integer>> seen = new ArrayList<>();
            AtomicBoolean overlap = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(lanes * perLane);
            List<String> threadNames = Collections.synchronizedList(new ArrayList<>());
            for (int l = 0; l < lanes; l++) {
                Lane lane = threads.lane(AgentThreads.Work.LINK, "lane-" + l);
                List<Integer> order = Collections.synchronizedList(new ArrayList<>());
                seen.add(order);
                AtomicInteger inside = new AtomicInteger();
                for (int i = 0; i < perLane; i++) {
                    int task = i;
                    lane.execute(() -> {
                        if (inside.incrementAndGet() != 1) {
                            overlap.set(true);
                        }
                        order.add(task);
                        threadNames.add(Thread.currentThread().getName());
                        Thread.yield();
                        inside.decrementAndGet();
                        done.countDown();
                    });
                }
            }
            assertTrue(done.await(30, TimeUnit.SECONDS));
            assertFalse(overlap.get(), "two tasks of one lane ran at once");
            for (List<Integer> order : seen) {
                assertEquals(perLane, order.size());
                for (int i = 0; i < perLane; i++) {
                    assertEquals(i, order.get(i));
                }
            }
            assertTrue(threadNames.stream().distinct().count() <= 4, "more threads than the pool's 4");
        }
    }

    @Test
    void timersRunOnTheLaneAndCloseInterruptsTheRunningTaskAndDropsTheRest() throws Exception {
        try (SharedThreads threads = new SharedThreads(2, 1, 1)) {
            Lane lane = threads.lane(AgentThreads.Work.JOBS, "jobs");
            CountDownLatch fired = new CountDownLatch(3);
            lane.scheduleAtFixedRate(fired::countDown, 0, 10, TimeUnit.MILLISECONDS);
            assertTrue(fired.await(5, TimeUnit.SECONDS));

            CountDownLatch running = new CountDownLatch(1);
            AtomicBoolean interrupted = new AtomicBoolean();
            AtomicBoolean laterRan = new AtomicBoolean();
            lane.execute(() -> {
                running.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
            });
            lane.execute(() -> laterRan.set(true));
            lane.schedule(() -> laterRan.set(true), 50, TimeUnit.MILLISECONDS);
            assertTrue(running.await(5, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            lane.close();
            assertTrue(interrupted.get(), "close returns after the running task ended");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
            lane.execute(() -> laterRan.set(true));
            Thread.sleep(200);
            assertFalse(laterRan.get(), "queued, scheduled and later tasks of a closed lane are dropped");

            // the pool thread the closed lane used is not left interrupted for other lanes
            Lane other = threads.lane(AgentThreads.Work.JOBS, "other");
            CountDownLatch slept = new CountDownLatch(1);
            other.execute(() -> {
                try {
                    Thread.sleep(20);
                    slept.countDown();
                } catch (InterruptedException e) {
                    // fails below
                }
            });
            assertTrue(slept.await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aTaskThatClosesItsOwnLaneIsNeitherInterruptedNorWaitedFor() throws Exception {
        try (SharedThreads shared = new SharedThreads(2, 1, 1)) {
            for (AgentThreads threads : java.util.List.of(AgentThreads.dedicated(), shared)) {
                Lane lane = threads.lane(AgentThreads.Work.LINK, "self-closing");
                AtomicBoolean interrupted = new AtomicBoolean(true);
                AtomicBoolean laterRan = new AtomicBoolean();
                CountDownLatch done = new CountDownLatch(1);
                long[] took = new long[1];
                lane.execute(() -> {
                    long t0 = System.nanoTime();
                    lane.close(); // as an enrolment does before it stores its acceptance
                    took[0] = System.nanoTime() - t0;
                    interrupted.set(Thread.currentThread().isInterrupted());
                    done.countDown();
                });
                lane.execute(() -> laterRan.set(true));
                assertTrue(done.await(5, TimeUnit.SECONDS));
                Thread.sleep(100);
                assertFalse(interrupted.get(), threads + ": the closing task was interrupted");
                assertTrue(took[0] < TimeUnit.SECONDS.toNanos(1), threads + ": close waited for its caller");
                assertFalse(laterRan.get(), threads + ": a task queued behind the close ran");
            }
        }
    }
}
