package io.c2f.proto.codec;

import io.c2f.proto.WireException;
import com.google.protobuf.Message;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.TopicAddress;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes raw MQTT deliveries to typed handlers. Whatever arrives, it never throws: undecodable
 * messages go to the rejection listener with a typed {@link WireException}, and a handler that
 * fails is logged and counted, so one bad message cannot kill the receiving client thread.
 */
public final class InboundDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(InboundDispatcher.class);

    /** Receives a decoded message of one channel. */
    @FunctionalInterface
    public interface Handler<M extends Message> {
        void handle(TopicAddress from, M message) throws Exception;
    }

    /** Told about every message that was refused. */
    @FunctionalInterface
    public interface RejectionListener {
        void rejected(String topic, WireException reason);
    }

    /** What happened to one delivery. */
    public enum Outcome { HANDLED, REJECTED, NO_HANDLER, HANDLER_FAILED }

    private final Map<Channel, Handler<Message>> handlers = new EnumMap<>(Channel.class);
    private volatile RejectionListener rejectionListener = (topic, reason) -> { };

    /** Registers the handler of a channel (replacing any earlier one). */
    @SuppressWarnings("unchecked")
    public <M extends Message> InboundDispatcher on(Channel channel, Class<M> type, Handler<M> handler) {
        if (!channel.messageType().equals(type)) {
            throw new IllegalArgumentException(channel + " carries " + channel.messageType().getSimpleName()
                    + ", not " + type.getSimpleName());
        }
        handlers.put(channel, (Handler<Message>) Objects.requireNonNull(handler));
        return this;
    }

    public InboundDispatcher onRejected(RejectionListener listener) {
        this.rejectionListener = Objects.requireNonNull(listener);
        return this;
    }

    /** Decodes and dispatches one delivery. Never throws. */
    public Outcome dispatch(String topic, byte[] payload) {
        Inbound inbound;
        try {
            inbound = WireCodec.decode(topic, payload);
        } catch (WireException e) {
            LOG.warn("rejected message on {}: {} ({})", topic, e.getMessage(), e.code());
            try {
                rejectionListener.rejected(topic, e);
            } catch (RuntimeException listenerFailure) {
                LOG.error("rejection listener failed for {}", topic, listenerFailure);
            }
            return Outcome.REJECTED;
        }
        Handler<Message> handler = handlers.get(inbound.address().channel());
        if (handler == null) {
            LOG.debug("no handler for {}", topic);
            return Outcome.NO_HANDLER;
        }
        try {
            handler.handle(inbound.address(), inbound.message());
            return Outcome.HANDLED;
        } catch (Exception | LinkageError | AssertionError e) {
            LOG.error("handler for {} failed on {}", inbound.address().channel(), topic, e);
            return Outcome.HANDLER_FAILED;
        }
    }
}
