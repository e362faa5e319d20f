package io.c2f.controller.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublishWindowTest {
    private final List<Promise<Void>> sent = new ArrayList<>();

    private Future<Void> send() {
        Promise<Void> acked = Promise.promise();
        sent.add(acked);
        return acked.future();
    }

    @Test
    void publishesBeyondTheLimitWaitAndGoOutAsPlacesFreeInOrder() {
        PublishWindow w = new PublishWindow(2, 10);
        Future<Void> a = w.submit(this::send);
        Future<Void> b = w.submit(this::send);
        Future<Void> c = w.submit(this::send);
        Future<Void> d = w.submit(this::send);
        assertEquals(2, sent.size(), "two in flight, the rest wait");
        assertEquals(2, w.waiting());
        sent.get(0).complete();
        assertTrue(a.succeeded());
        assertEquals(3, sent.size(), "an acknowledgement lets the next one out");
        sent.get(1).fail("connection lost");
        assertTrue(b.failed());
        assertEquals(4, sent.size(), "a failed publish frees its place too");
        sent.get(2).complete();
        sent.get(3).complete();
        assertTrue(c.succeeded() && d.succeeded());
        assertEquals(0, w.inFlight());
        assertEquals(0, w.waiting());
    }

    @Test
    void aFullQueueFailsAtOnceSayingSoAndASendThatThrowsFreesItsPlace() {
        PublishWindow w = new PublishWindow(1, 1);
        w.submit(this::send);
        Future<Void> waiting = w.submit(this::send);
        Future<Void> refused = w.submit(this::send);
        assertTrue(refused.failed());
        assertInstanceOf(MqttUnavailableException.class, refused.cause());
        assertEquals("outbound queue full: 1 publishes await the broker's acknowledgement and 1 more wait to be sent",
                refused.cause().getMessage());
        assertFalse(waiting.isComplete());
        sent.get(0).complete();
        assertEquals(2, sent.size());
        sent.get(1).complete();
        Future<Void> thrown = w.submit(() -> {
            throw new IllegalStateException("client closed");
        });
        assertTrue(thrown.failed());
        assertEquals(0, w.inFlight());
    }
}
