package io.c2f.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.c2f.proto.codec.InboundDispatcher;
import io.c2f.proto.codec.MalformedPayloadException;
import io.c2f.proto.codec.UnsupportedProtocolException;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Garbage on any topic gives a typed WireException and never anything else. */
class GarbageInputTest {

    @ParameterizedTest
    @EnumSource(Channel.class)
    void randomBytesGiveTypedErrors(Channel channel) {
        String topic = GoldenVectorsTest.topicOf(channel);
        SplittableRandom random = new SplittableRandom(channel.ordinal() * 7919L + 1);
        for (int i = 0; i < 500; i++) {
            byte[] garbage = new byte[1 + random.nextInt(400)];
            random.nextBytes(garbage);
            WireException e = assertThrows(WireException.class, () -> WireCodec.decode(topic, garbage),
                    "random payload " + i + " was accepted on " + channel);
            assertTrue(e.getMessage().contains(topic) || e.getMessage().contains(channel.name()), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Channel.class)
    void truncatedAndCorruptedPayloadsNeverEscapeAsOtherExceptions(Channel channel) {
        String topic = GoldenVectorsTest.topicOf(channel);
        byte[] valid = ExampleMessages.of(channel).toByteArray();
        List<byte[]> variants = new ArrayList<>();
        for (int len = 0; len < valid.length; len++) {
            variants.add(java.util.Arrays.copyOf(valid, len));
        }
        SplittableRandom random = new SplittableRandom(42 + channel.ordinal());
        for (int i = 0; i < 300; i++) {
            byte[] flipped = valid.clone();
            flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
            variants.add(flipped);
        }
        int typed = 0;
        for (byte[] payload : variants) {
            try {
                WireCodec.decode(topic, payload);
            } catch (WireException e) {
                typed++;
            } catch (RuntimeException e) {
                fail("untyped " + e + " escaped the decoder on " + channel);
            }
        }
        assertTrue(typed > 0, "no corrupted variant was refused on " + channel);
    }

    @ParameterizedTest
    @EnumSource(Channel.class)
    void emptyPayloadHasNoHeader(Channel channel) {
        UnsupportedProtocolException e = assertThrows(UnsupportedProtocolException.class,
                () -> WireCodec.decode(GoldenVectorsTest.topicOf(channel), new byte[0]));
        assertEquals(ErrorCode.ERROR_CODE_UNSUPPORTED_PROTOCOL, e.code());
    }

    @ParameterizedTest
    @EnumSource(Channel.class)
    void nullAndOversizedPayloadsAreMalformed(Channel channel) {
        String topic = GoldenVectorsTest.topicOf(channel);
        assertThrows(MalformedPayloadException.class, () -> WireCodec.decode(topic, null));
        MalformedPayloadException e = assertThrows(MalformedPayloadException.class,
                () -> WireCodec.decode(topic, new byte[WireCodec.MAX_PAYLOAD_BYTES + 1]));
        assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Channel.class)
    void theDispatcherSurvivesGarbageAndReportsIt(Channel channel) {
        List<ErrorCode> codes = new ArrayList<>();
        InboundDispatcher dispatcher = new InboundDispatcher().onRejected((t, e) -> codes.add(e.code()));
        SplittableRandom random = new SplittableRandom(channel.ordinal());
        for (int i = 0; i < 50; i++) {
            byte[] garbage = new byte[random.nextInt(200)];
            random.nextBytes(garbage);
            assertEquals(InboundDispatcher.Outcome.REJECTED,
                    dispatcher.dispatch(GoldenVectorsTest.topicOf(channel), garbage));
        }
        assertEquals(50, codes.size());
        assertTrue(codes.stream().allMatch(c -> c == ErrorCode.ERROR_CODE_MALFORMED_PAYLOAD
                || c == ErrorCode.ERROR_CODE_UNSUPPORTED_PROTOCOL || c == ErrorCode.ERROR_CODE_INVALID_ARGUMENT),
                codes.toString());
    }
}
