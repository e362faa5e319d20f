package io.c2f.agent.link.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.agent.link.mqtt.MqttConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Netty client against a hostile or broken broker: a raw socket that says what the test wants. */
class NettyMqttConnectionTest {
    private static final byte[] CONNACK_ACCEPTED = {0x20, 0x02, 0x00, 0x00};
    private final NettyMqtt netty = new NettyMqtt(1);
    private final ServerSocket server;

    NettyMqttConnectionTest() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws IOException {
        netty.close();
        server.close();
    }

    private String uri() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    private static MqttConnection.Options options(Duration connectTimeout) {
        return new MqttConnection.Options(true, null, null, null, Duration.ofSeconds(30), connectTimeout, null, 10);
    }

    /** A handler that records what it is told. */
    private static final class Recorder implements MqttConnection.Handler {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> lost = new LinkedBlockingQueue<>();

        @Override
        public void messageArrived(String topic, byte[] payload) {
            messages.add(topic + "=" + new String(payload, StandardCharsets.UTF_8));
        }

        @Override
        public void connectionLost(Throwable cause) {
            lost.add(cause);
        }
    }

    /** Reads the client's CONNECT (fixed header and remaining length), answering nothing. */
    private static void readConnect(InputStream in) throws IOException {
        assertEquals(0x10, in.read(), "a CONNECT first");
        int length = 0;
        for (int shift = 0, b; ; shift += 7) {
            b = in.read();
            length |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        in.readNBytes(length);
    }

    private static byte[] publishQos0(String topic, String payload) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.write(2 + t.length + p.length); // < 128 here
        out.write(t.length >> 8);
        out.write(t.length);
        out.writeBytes(t);
        out.writeBytes(p);
        return out.toByteArray();
    }

    @Test
    void aBrokerThatNeverAnswersTheConnectFailsItWithinTheTimeoutAndLosesTheSocket() throws Exception {
        MqttConnection c = netty.connection(uri(), "dev-1", Runnable::run);
        c.setHandler(new Recorder());
        long t0 = System.nanoTime();
        var connecting = c.connect(options(Duration.ofMillis(500)));
        try (Socket s = server.accept()) {
            readConnect(s.getInputStream());
            ExecutionException e = assertThrows(ExecutionException.class, () -> connecting.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("no CONNACK"), e.getCause().toString());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3), "gave up late");
            assertEquals(-1, s.getInputStream().read(), "the client closed its socket");
        }
        assertFalse(c.isConnected());
        c.close();
    }

    @Test
    void anOversizedPacketClosesTheConnectionAndIsReportedAsLost() throws Exception {
        MqttConnection c = netty.connection(uri(), "dev-1", Runnable::run);
        Recorder r = new Recorder();
        c.setHandler(r);
        var connecting = c.connect(options(Duration.ofSeconds(5)));
        try (Socket s = server.accept()) {
            readConnect(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(CONNACK_ACCEPTED);
            connecting.get(5, TimeUnit.SECONDS);
            out.write(publishQos0("a/b", "fine"));
            // a PUBLISH announcing 256 MiB: beyond the 16 MiB + 64 KiB the client takes, never buffered
            out.write(new byte[] {0x30, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 0, 3, 'a', '/', 'b'});
            out.flush();
            assertEquals("a/b=fine", r.messages.poll(5, TimeUnit.SECONDS));
            Throwable lost = r.lost.poll(5, TimeUnit.SECONDS);
            assertInstanceOf(IOException.class, lost, String.valueOf(lost));
            assertEquals(-1, s.getInputStream().read(), "the client closed its socket");
        }
        assertFalse(c.isConnected());
        assertTrue(r.messages.isEmpty(), r.messages::toString);
        c.close();
    }

    @Test
    void aQos2PublishClosesTheConnection() throws Exception {
        MqttConnection c = netty.connection(uri(), "dev-1", Runnable::run);
        Recorder r = new Recorder();
        c.setHandler(r);
        var connecting = c.connect(options(Duration.ofSeconds(5)));
        try (Socket s = server.accept()) {
            readConnect(s.getInputStream());
            s.getOutputStream().write(CONNACK_ACCEPTED);
            connecting.get(5, TimeUnit.SECONDS);
            // QoS 2, packet id 1: never subscribed for, its PUBREC/PUBREL flow is not spoken
            s.getOutputStream().write(new byte[] {0x34, 7, 0, 3, 'a', '/', 'b', 0, 1});
            Throwable lost = r.lost.poll(5, TimeUnit.SECONDS);
            assertTrue(lost != null && lost.getMessage().contains("QoS 2"), String.valueOf(lost));
        }
        assertTrue(r.messages.isEmpty(), r.messages::toString);
        c.close();
    }

    @Test
    void aFloodFasterThanTheHandlerPausesReadingInsteadOfQueueingWithoutBound() throws Exception {
        // the callback executor holds the tasks until the test lets them run
        Queue<Runnable> held = new ArrayDeque<>();
        Executor holding = task -> {
            synchronized (held) {
                held.add(task);
            }
        };
        MqttConnection c = netty.connection(uri(), "dev-1", holding);
        Recorder r = new Recorder();
        c.setHandler(r);
        var connecting = c.connect(options(Duration.ofSeconds(5)));
        int n = 200_000; // 21 MB: more than the kernel's socket buffers take
        byte[] sample = publishQos0("t/0", "x".repeat(100));
        // reading stops at the pause mark, after the rest of the buffer already read (at most 64 KiB)
        int bound = NettyMqttConnection.PAUSE_READING_AT + 65536 / sample.length + 1;
        try (Socket s = server.accept()) {
            readConnect(s.getInputStream());
            s.getOutputStream().write(CONNACK_ACCEPTED);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 65536);
                    for (int i = 0; i < n; i++) {
                        out.write(publishQos0("t/" + i, "x".repeat(100)));
                    }
                    out.flush();
                } catch (IOException e) {
                    // the test failed elsewhere
                }
            });
            writer.setDaemon(true);
            writer.start();
            // let the connect future's completion run, then hold everything
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!connecting.isDone() && System.nanoTime() < until) {
                drain(held, 1);
                Thread.sleep(5);
            }
            assertTrue(connecting.isDone());
            Thread.sleep(1000);
            int waiting;
            synchronized (held) {
                waiting = held.size();
            }
            assertTrue(waiting <= bound, waiting + " messages queued for the handler");
            assertTrue(writer.isAlive(), "the broker could write all " + n + " messages: nothing pushed back");
            // the handler catches up: reading resumes and every message arrives, in order
            until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (r.messages.size() < n && System.nanoTime() < until) {
                drain(held, 1000);
                Thread.onSpinWait();
            }
            assertEquals(n, r.messages.size());
            for (int i = 0; i < n; i++) {
                String m = r.messages.poll();
                if (!m.startsWith("t/" + i + "=")) {
                    throw new AssertionError("message " + i + " out of order: " + m);
                }
            }
        }
        c.close();
    }

    private static void drain(Queue<Runnable> held, int max) {
        for (int i = 0; i < max; i++) {
            Runnable task;
            synchronized (held) {
                task = held.poll();
            }
            if (task == null) {
                return;
            }
            task.run();
        }
    }
}
