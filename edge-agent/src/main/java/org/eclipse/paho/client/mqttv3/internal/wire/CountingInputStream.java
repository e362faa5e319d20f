package org.eclipse.paho.client.mqttv3.internal.wire;

import java.io.IOException;
import java.io.InputStream;

/**
 * Replaces Paho 1.2.5's class of the same name (this one comes first on the class path and in the
 * shaded agent jar): the same counting stream, plus the bulk {@link #read(byte[], int, int)} that
 * Paho's version lacks.
 *
 * <p>Why: Paho decodes every received packet from an in-memory copy twice
 * ({@code MqttWireMessage.createWireMessage} and {@code MqttPublish(byte, byte[])}), each time with
 * {@code DataInputStream.readFully} over this stream. Paho's version only overrides {@code read()},
 * so {@code InputStream.read(byte[], int, int)} fell back to one synchronized
 * {@code ByteArrayInputStream.read()} per byte: a 64 KiB bundle chunk cost 131,072 calls, half the
 * simulator's CPU in a 200-device rollout (issue 18). No public Paho hook reaches this code (socket
 * factories sit below the packet buffer, which Paho already fills in bulk; chunk size changes the
 * number of packets, not the bytes copied one at a time), so the class itself is replaced.
 * {@code PahoWireDecodingTest} checks that this version is the one loaded and that decoding is unchanged.
 */
public class CountingInputStream extends InputStream {
    private final InputStream in;
    private int counter;

    public CountingInputStream(InputStream in) {
        this.in = in;
        this.counter = 0;
    }

    @Override
    public int read() throws IOException {
        int i = in.read();
        if (i != -1) {
            counter++;
        }
        return i;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            counter += n;
        }
        return n;
    }

    /** The number of bytes read so far. */
    public int getCounter() {
        return counter;
    }

    public void resetCounter() {
        counter = 0;
    }
}
