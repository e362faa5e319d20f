package io.c2f.controller.mqtt;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.c2f.proto.codec.Inbound;

/**
 * Passes immutable objects (protobuf messages are immutable) through the local event bus by
 * reference: no copy, no serialisation. Refuses to go over the wire: the controller's verticles
 * share one JVM; a clustered deployment would exchange protobuf bytes instead.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {
    private final String name;

    private LocalCodec(Class<T> type) {
        this.name = "local-" + type.getName();
    }

    /** Registers the codecs of the controller's event bus types; safe to call more than once. */
    public static synchronized void registerOn(Vertx vertx) {
        register(vertx, Inbound.class);
        register(vertx, Outbound.class);
    }

    private static <T> void register(Vertx vertx, Class<T> type) {
        try {
            vertx.eventBus().registerDefaultCodec(type, new LocalCodec<>(type));
        } catch (IllegalStateException alreadyRegistered) {
            // registered by an earlier start on the same Vertx
        }
    }

    @Override
    public void encodeToWire(Buffer buffer, T t) {
        throw new UnsupportedOperationException(name + " is local only");
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
        throw new UnsupportedOperationException(name + " is local only");
    }

    @Override
    public T transform(T t) {
        return t;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public byte systemCodecID() {
        return -1;
    }
}
