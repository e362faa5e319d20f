package io.c2f.proto.codec;

import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.Header;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stamps outgoing messages of one sender with the protocol version, the session's bdSeq and a
 * per-session sequence number (Sparkplug B style): the birth of a session is seq 0.
 */
public final class HeaderFactory {
    private final String senderId;
    private final Clock clock;
    private final AtomicLong seq = new AtomicLong();
    private volatile long bdSeq;

    public HeaderFactory(String senderId, Clock clock) {
        if (!Topics.isValidId(senderId)) {
            throw new IllegalArgumentException("sender id must be 1-64 characters of [A-Za-z0-9_.-], got '"
                    + senderId + "'");
        }
        this.senderId = senderId;
        this.clock = clock;
    }

    public HeaderFactory(String senderId) {
        this(senderId, Clock.systemUTC());
    }

    /** Starts a new session (a new MQTT connection): sets bdSeq and restarts seq at 0. */
    public synchronized void newSession(long bdSeq) {
        this.bdSeq = bdSeq;
        this.seq.set(0);
    }

    public long bdSeq() {
        return bdSeq;
    }

    /** The header for the next message of this session. */
    public Header next() {
        return Header.newBuilder()
                .setProtocolMajor(WireCodec.PROTOCOL_MAJOR)
                .setProtocolMinor(WireCodec.PROTOCOL_MINOR)
                .setSenderId(senderId)
                .setBdSeq(bdSeq)
                .setSeq(seq.getAndIncrement())
                .setSentAtMs(clock.millis())
                .build();
    }

    /**
     * The header for a Last Will: same session, but it does not consume a sequence number since
     * the broker, not this sender, publishes it at an unknown later time.
     */
    public Header forWill() {
        return Header.newBuilder()
                .setProtocolMajor(WireCodec.PROTOCOL_MAJOR)
                .setProtocolMinor(WireCodec.PROTOCOL_MINOR)
                .setSenderId(senderId)
                .setBdSeq(bdSeq)
                .setSentAtMs(clock.millis())
                .build();
    }
}
