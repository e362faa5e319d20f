package io.c2f.controller.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A session's in-flight window, its bounded queue, and how long its subscribers hold a publisher back. */
@ExtendWith(VertxExtension.class)
class SessionTest {
    private final BrokerStats stats = new BrokerStats();

    /** Records what a session sends. */
    private static final class Recorder implements Outlet {
        final List<Delivery> sent = new ArrayList<>();
        final List<Boolean> dups = new ArrayList<>();

        @Override
        public void send(Delivery delivery, boolean dup) {
            sent.add(delivery);
            dups.add(dup);
        }
    }

    private static BrokerMessage message(int n) {
        return new BrokerMessage("c2f/v1/lab/device/d1/job/notify", Buffer.buffer("m" + n), 1, false);
    }

    @Test
    void noMoreThanTheWindowIsInFlightAndTheRestFollowsAsAcknowledgementsCome() {
        Session s = new Session("d1", false, 2, 10, stats);
        Recorder out = new Recorder();
        s.attach(out, false);
        for (int i = 0; i < 5; i++) {
            s.deliver(message(i), 1, false, null);
        }
        assertEquals(2, out.sent.size());
        assertEquals(3, s.queued());
        s.acknowledged(out.sent.get(0).packetId);
        assertEquals(3, out.sent.size());
        assertEquals("m2", out.sent.get(2).message.payload().toString());
    }

    @Test
    void aFullQueueDropsAndCountsWhatDoesNotFit() {
        Session s = new Session("d1", false, 1, 2, stats);
        for (int i = 0; i < 5; i++) {
            s.deliver(message(i), 1, false, null); // offline: queued
        }
        assertEquals(2, s.queued());
        assertEquals(3, stats.droppedMessages());
        s.deliver(message(9), 0, false, null);
        assertEquals(2, s.queued(), "QoS 0 is not queued for an offline session");
    }

    @Test
    void theControllerHoldsAPublisherUntilItAcknowledgesADeviceOnlyForAWhile(Vertx vertx) throws Exception {
        MessageRouter router = new MessageRouter(vertx, 300);
        Session controller = new Session("ctl", false, 10, 10, stats);
        Session device = new Session("d1", false, 10, 10, stats);
        Recorder toController = new Recorder();
        Recorder toDevice = new Recorder();
        CompletableFuture<Integer> acks = new CompletableFuture<>();
        AtomicInteger acked = new AtomicInteger();
        vertx.runOnContext(v -> {
            controller.attach(toController, true);
            device.attach(toDevice, false);
            router.subscribe(controller, "c2f/v1/lab/device/+/telemetry", 1);
            router.subscribe(device, "c2f/v1/lab/controller/state", 1);
            PublisherAck fromDevice = new PublisherAck(acked::incrementAndGet);
            router.publish(new BrokerMessage("c2f/v1/lab/device/d1/telemetry", Buffer.buffer("r"), 1, false), fromDevice);
            fromDevice.seal();
            PublisherAck fromController = new PublisherAck(acked::incrementAndGet);
            router.publish(new BrokerMessage("c2f/v1/lab/controller/state", Buffer.buffer("s"), 1, true), fromController);
            fromController.seal();
            vertx.setTimer(600, t -> acks.complete(acked.get()));
        });
        // after the wait the device no longer holds the controller's PUBACK back; the controller still holds the device's
        assertEquals(1, acks.get(5, TimeUnit.SECONDS));
        assertEquals(1, device.inFlight(), "the message stays with the device's session");
        CompletableFuture<Integer> afterAck = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            controller.acknowledged(toController.sent.get(0).packetId);
            afterAck.complete(acked.get());
        });
        assertEquals(2, afterAck.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aResumedSessionResendsWhatWasInFlightWithDupFirst() {
        Session s = new Session("ctl", false, 1, 10, stats);
        Recorder first = new Recorder();
        s.attach(first, true);
        s.deliver(message(1), 1, false, null);
        s.deliver(message(2), 1, false, null);
        s.detach(first);
        assertFalse(s.online());
        Recorder second = new Recorder();
        s.attach(second, true);
        assertEquals(1, second.sent.size());
        assertTrue(second.dups.get(0));
        assertEquals(first.sent.get(0).packetId, second.sent.get(0).packetId);
        s.acknowledged(second.sent.get(0).packetId);
        assertEquals("m2", second.sent.get(1).message.payload().toString());
        assertFalse(second.dups.get(1));
    }
}
