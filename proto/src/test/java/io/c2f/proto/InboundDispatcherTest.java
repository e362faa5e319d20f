package io.c2f.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.c2f.proto.codec.InboundDispatcher;
import io.c2f.proto.codec.InboundDispatcher.Outcome;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.Telemetry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InboundDispatcherTest {
    private final String telemetryTopic = GoldenVectorsTest.topicOf(Channel.TELEMETRY);
    private final byte[] telemetry = ExampleMessages.of(Channel.TELEMETRY).toByteArray();

    @Test
    void deliversTypedMessagesToTheirHandler() {
        List<Long> seqs = new ArrayList<>();
        InboundDispatcher d = new InboundDispatcher()
                .on(Channel.TELEMETRY, Telemetry.class, (from, t) -> seqs.add(t.getTelemetrySeq()));
        assertEquals(Outcome.HANDLED, d.dispatch(telemetryTopic, telemetry));
        assertEquals(List.of(1001L), seqs);
        assertEquals(Outcome.NO_HANDLER, d.dispatch(GoldenVectorsTest.topicOf(Channel.BIRTH),
                ExampleMessages.of(Channel.BIRTH).toByteArray()));
    }

    @Test
    void aFailingHandlerDoesNotEscape() {
        InboundDispatcher d = new InboundDispatcher().on(Channel.TELEMETRY, Telemetry.class, (from, t) -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(Outcome.HANDLER_FAILED, d.dispatch(telemetryTopic, telemetry));
        assertEquals(Outcome.HANDLER_FAILED, d.dispatch(telemetryTopic, telemetry));
    }

    @Test
    void unknownTopicsAreRejectedWithTheirCode() {
        List<WireException> rejections = new ArrayList<>();
        InboundDispatcher d = new InboundDispatcher().onRejected((t, e) -> rejections.add(e));
        assertEquals(Outcome.REJECTED, d.dispatch("c2f/v1/demo/device/cam-042/nonsense", telemetry));
        assertEquals(Outcome.REJECTED, d.dispatch("other/namespace", telemetry));
        assertEquals(ErrorCode.ERROR_CODE_UNKNOWN_TOPIC, rejections.get(0).code());
        assertEquals("topic 'c2f/v1/demo/device/cam-042/nonsense': unknown device channel 'nonsense'",
                rejections.get(0).getMessage());
    }

    @Test
    void registeringTheWrongTypeIsRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new InboundDispatcher().on(Channel.BIRTH, Telemetry.class, (f, t) -> { }));
    }
}
