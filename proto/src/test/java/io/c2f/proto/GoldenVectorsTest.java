package io.c2f.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The committed encodings must keep decoding to the same messages. A change that renumbers a
 * field, changes a type or drops a field fails here.
 */
class GoldenVectorsTest {
    private static final Topics TOPICS = Topics.fleet(ExampleMessages.FLEET);

    static String topicOf(Channel channel) {
        return channel.scope() == Channel.Scope.DEVICE
                ? TOPICS.device(ExampleMessages.DEVICE, channel)
                : TOPICS.fleetWide(channel);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = GoldenVectorsTest.class.getResourceAsStream("/golden/" + name)) {
            assertNotNull(in, "missing golden vector " + name);
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @EnumSource(Channel.class)
    void goldenBytesDecodeToTheTextFormatAndTheExample(Channel channel) throws Exception {
        String base = GoldenVectors.baseName(channel);
        byte[] bin = resource(base + ".bin");
        Inbound decoded = WireCodec.decode(topicOf(channel), bin);

        Message.Builder builder = ExampleMessages.of(channel).newBuilderForType();
        TextFormat.merge(new String(resource(base + ".txtpb"), StandardCharsets.UTF_8), builder);
        Message fromText = builder.build();

        assertEquals(fromText, decoded.message(), "golden .bin and .txtpb disagree for " + channel);
        assertEquals(ExampleMessages.of(channel), decoded.message(),
                "the example for " + channel + " changed; if on purpose, regenerate the golden vectors");
        assertArrayEquals(bin, WireCodec.encode(channel, decoded.message()), "re-encoding changed the bytes");
    }
}
