package io.c2f.proto;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.topic.Channel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes the golden vectors: for each channel, {@code <channel>.bin} (the encoded example) and
 * {@code <channel>.txtpb} (the same message in text format, for people and for review).
 *
 * <p>Run only when the contract changes on purpose, and review the diff:
 * the command is in proto/README.md.
 * A changed .bin for an unchanged example means the wire format broke.
 */
public final class GoldenVectors {
    private GoldenVectors() {
    }

    static String baseName(Channel channel) {
        return channel.name().toLowerCase(Locale.ROOT);
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "proto/src/test/resources/golden");
        Files.createDirectories(dir);
        for (Channel channel : Channel.values()) {
            Message message = ExampleMessages.of(channel);
            Files.write(dir.resolve(baseName(channel) + ".bin"), WireCodec.encode(channel, message));
            String text = "# proto-message: c2f.v1." + channel.messageType().getSimpleName() + "\n"
                    + "# channel: " + channel + " (" + channel.suffix() + ")\n"
                    + TextFormat.printer().printToString(message);
            Files.writeString(dir.resolve(baseName(channel) + ".txtpb"), text, StandardCharsets.UTF_8);
        }
        System.out.println("wrote " + Channel.values().length + " golden vectors to " + dir.toAbsolutePath());
    }
}
