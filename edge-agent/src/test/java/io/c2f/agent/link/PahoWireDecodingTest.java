package io.c2f.agent.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.internal.wire.CountingInputStream;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttWireMessage;
import org.junit.jupiter.api.Test;

/** The agent's replacement of Paho's {@code CountingInputStream} is the one loaded, reads in bulk, decodes alike. */
class PahoWireDecodingTest {
    /** A byte array stream that counts the single-byte reads made on it. */
    private static final class SingleByteReads extends ByteArrayInputStream {
        int singleByteReads;

        SingleByteReads(byte[] buf) {
            super(buf);
        }

        @Override
        public synchronized int read() {
            singleByteReads++;
            return super.read();
        }
    }

    @Test
    void theAgentsCountingStreamIsLoadedInsteadOfPahos() {
        String from = CountingInputStream.class.getProtectionDomain().getCodeSource().getLocation().toString();
        assertFalse(from.contains("org.eclipse.paho.client.mqttv3"), "Paho's own CountingInputStream was loaded from "
                + from + ": the byte-at-a-time decoding of issue 18 is back");
    }

    @Test
    void readFullyOfAChunkIsBulkAndCounted() throws IOException {
        byte[] chunk = random(64 * 1024);
        SingleByteReads source = new SingleByteReads(chunk);
        CountingInputStream counting = new CountingInputStream(source);
        byte[] into = new byte[chunk.length];
        new DataInputStream(counting).readFully(into);
        assertArrayEquals(chunk, into);
        assertEquals(chunk.length, counting.getCounter());
        assertEquals(0, source.singleByteReads, "64 KiB read one byte at a time");
        assertEquals(-1, counting.read(into, 0, 1));
        assertEquals(chunk.length, counting.getCounter(), "end of stream counts nothing");
    }

    @Test
    void aLargePublishDecodesToTheSameTopicIdAndPayload() throws Exception {
        byte[] payload = random(64 * 1024 + 17);
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);
        MqttPublish sent = new MqttPublish("c2f/v1/fleet-a/dev-1/bundle/chunk", message);
        sent.setMessageId(4242);
        byte[] header = sent.getHeader();
        byte[] packet = new byte[header.length + sent.getPayload().length];
        System.arraycopy(header, 0, packet, 0, header.length);
        System.arraycopy(sent.getPayload(), 0, packet, header.length, sent.getPayload().length);

        MqttPublish received = assertInstanceOf(MqttPublish.class, MqttWireMessage.createWireMessage(packet));
        assertEquals("c2f/v1/fleet-a/dev-1/bundle/chunk", received.getTopicName());
        assertEquals(4242, received.getMessageId());
        assertEquals(1, received.getMessage().getQos());
        assertArrayEquals(payload, received.getMessage().getPayload());
    }

    private static byte[] random(int length) {
        byte[] b = new byte[length];
        new SplittableRandom(length).nextBytes(b);
        return b;
    }
}
