package io.c2f.controller.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.store.DeviceRepository;
import io.c2f.controller.store.DeviceTouch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LastSeenWritesTest {
    /** The batches written, each completing when the test says. */
    private final List<List<DeviceTouch>> batches = new ArrayList<>();
    private final List<Promise<Void>> writes = new ArrayList<>();
    private final DeviceRepository repository = (DeviceRepository) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {DeviceRepository.class}, (proxy, method, args) -> {
                if (!method.getName().equals("touchAll")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                @SuppressWarnings("unchecked")
                List<DeviceTouch> batch = List.copyOf((List<DeviceTouch>) args[0]);
                batches.add(batch);
                Promise<Void> p = Promise.promise();
                writes.add(p);
                return p.future();
            });

    @Test
    void aDevicesNewerHeartbeatReplacesItsPendingOneAndAFlushWritesAllInOneCall() {
        LastSeenWrites w = new LastSeenWrites(repository, 100);
        w.add(new DeviceTouch("a", 1, 100, 10_000));
        w.add(new DeviceTouch("b", 1, 110, 10_000));
        w.add(new DeviceTouch("a", 1, 120, 10_000));
        assertEquals(2, w.pending());
        assertTrue(batches.isEmpty(), "nothing written before a flush");
        Future<Void> flushed = w.flush();
        assertEquals(List.of(List.of(new DeviceTouch("a", 1, 120, 10_000), new DeviceTouch("b", 1, 110, 10_000))), batches);
        assertEquals(0, w.pending());
        assertFalse(flushed.isComplete());
        writes.get(0).complete();
        assertTrue(flushed.succeeded());
        assertTrue(w.flush().succeeded(), "nothing pending: done at once");
        assertEquals(1, batches.size());
    }

    @Test
    void manyPendingDevicesStartAFlushAndWritesGoOneAtATimeInOrder() {
        LastSeenWrites w = new LastSeenWrites(repository, 3);
        for (int i = 0; i < 3; i++) {
            w.add(new DeviceTouch("d" + i, 1, 100 + i, 0));
        }
        assertEquals(1, batches.size(), "the third device started a write");
        w.add(new DeviceTouch("d0", 1, 200, 0));
        Future<Void> second = w.flush();
        assertEquals(1, batches.size(), "the next write waits for the one in flight");
        writes.get(0).fail("database down");
        assertEquals(2, batches.size(), "a failed write does not hold back the next");
        assertEquals(List.of(new DeviceTouch("d0", 1, 200, 0)), batches.get(1));
        writes.get(1).complete();
        assertTrue(second.succeeded());
    }
}
