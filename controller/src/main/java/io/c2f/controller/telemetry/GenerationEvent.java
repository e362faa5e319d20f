package io.c2f.controller.telemetry;

import io.c2f.proto.v1.GenerationRecord;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * A GenerationRecord the registry has stored (duplicates never get here), published on {@link
 * #ADDRESS} for everyone interested (latency statistics, metrics).
 */
public record GenerationEvent(String deviceId, long receivedAtMs, GenerationRecord record) {
    public static final String ADDRESS = "c2f.telemetry.generation";

    /** Publishes the event (registers the local codec first). */
    public static void publish(Vertx vertx, GenerationEvent e) {
        register(vertx);
        vertx.eventBus().publish(ADDRESS, e);
    }

    public static synchronized void register(Vertx vertx) {
        try {
            vertx.eventBus().registerDefaultCodec(GenerationEvent.class, new Codec());
        } catch (IllegalStateException alreadyRegistered) {
            // an earlier start on the same Vertx did it
        }
    }

    /** By reference on the local bus (the record is immutable); never over the wire. */
    private static final class Codec implements MessageCodec<GenerationEvent, GenerationEvent> {
        @Override
        public void encodeToWire(Buffer buffer, GenerationEvent e) {
            throw new UnsupportedOperationException("GenerationEvent is local only");
        }

        @Override
        public GenerationEvent decodeFromWire(int pos, Buffer buffer) {
            throw new UnsupportedOperationException("GenerationEvent is local only");
        }

        @Override
        public GenerationEvent transform(GenerationEvent e) {
            return e;
        }

        @Override
        public String name() {
            return "local-generation-event";
        }

        @Override
        public byte systemCodecID() {
            return -1;
        }
    }
}
