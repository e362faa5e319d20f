package io.c2f.proto.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An MQTT 3.1.1 client written from the specification for attack tests: it sends exactly the bytes
 * a test asks for (any will, retain flag, QoS, protocol level, topic, even garbage), so a test sees
 * what the broker does with them rather than what a well-behaved client library lets through. It is
 * not the product's client and shares no code with it.
 *
 * <p>A reader thread collects every packet the broker sends; incoming QoS 1 publishes are
 * acknowledged unless {@link #autoAck(boolean)} turned that off. Blocking; one test thread at a time.
 */
public final class RawMqttClient implements AutoCloseable {
    public static final int CONNECT = 1;
    public static final int CONNACK = 2;
    public static final int PUBLISH = 3;
    public static final int PUBACK = 4;
    public static final int PUBREC = 5;
    public static final int SUBSCRIBE = 8;
    public static final int SUBACK = 9;
    public static final int PINGREQ = 12;
    public static final int PINGRESP = 13;
    public static final int DISCONNECT = 14;

    /** CONNACK return code for "not authorized" (MQTT 3.1.1, 3.2.2.3). */
    public static final int NOT_AUTHORIZED = 5;
    /** CONNACK return code for "bad user name or password". */
    public static final int BAD_CREDENTIALS = 4;
    /** What {@link #connect} returns when the broker closed the connection without a CONNACK. */
    public static final int CLOSED_WITHOUT_CONNACK = -1;

    /** A Last Will as it travels in CONNECT. */
    public record Will(String topic, byte[] payload, int qos, boolean retain) {
    }

    /** The fields of one CONNECT packet; {@link #as} gives a plain one to adjust with the withers. */
    public record Connect(String clientId, String username, byte[] password, Will will, boolean cleanSession,
            int keepAliveSeconds, int protocolLevel) {
        /** Clean session, no will, keep-alive off, MQTT 3.1.1 (level 4). */
        public static Connect as(String clientId, String username, String password) {
            return new Connect(clientId, username, password == null ? null : password.getBytes(StandardCharsets.UTF_8),
                    null, true, 0, 4);
        }

        public Connect withWill(Will w) {
            return new Connect(clientId, username, password, w, cleanSession, keepAliveSeconds, protocolLevel);
        }

        public Connect withCleanSession(boolean clean) {
            return new Connect(clientId, username, password, will, clean, keepAliveSeconds, protocolLevel);
        }

        public Connect withKeepAlive(int seconds) {
            return new Connect(clientId, username, password, will, cleanSession, seconds, protocolLevel);
        }

        public Connect withProtocolLevel(int level) {
            return new Connect(clientId, username, password, will, cleanSession, keepAliveSeconds, level);
        }
    }

    /** One control packet as received: type, the fixed header's flags, the rest of the packet. */
    public record Packet(int type, int flags, byte[] body) {
    }

    /** A PUBLISH as received. */
    public record Publish(String topic, byte[] payload, int qos, boolean retain, boolean dup, int packetId) {
    }

    private final Socket socket;
    private final OutputStream out;
    private final BlockingQueue<Packet> control = new LinkedBlockingQueue<>();
    private final BlockingQueue<Publish> publishes = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean autoAck = true;
    private int nextPacketId = 1;

    private RawMqttClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        Thread reader = new Thread(this::readLoop, "raw-mqtt-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens a TCP connection (nothing sent yet). */
    public static RawMqttClient open(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5_000);
        s.setTcpNoDelay(true);
        return new RawMqttClient(s);
    }

    /** Opens a connection and sends CONNECT; see {@link #connect(Connect)} for the result. */
    public static RawMqttClient connect(String host, int port, Connect connect, int[] returnCode) throws IOException {
        RawMqttClient c = open(host, port);
        returnCode[0] = c.connect(connect);
        return c;
    }

    /** Whether incoming QoS 1 publishes are acknowledged at once (default true). */
    public RawMqttClient autoAck(boolean on) {
        this.autoAck = on;
        return this;
    }

    /**
     * Sends CONNECT and waits up to 5 s for CONNACK.
     *
     * @return the CONNACK return code (0 accepted), or {@link #CLOSED_WITHOUT_CONNACK}
     */
    public int connect(Connect c) throws IOException {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        writeString(v, c.protocolLevel() == 3 ? "MQIsdp" : "MQTT");
        v.write(c.protocolLevel());
        int flags = 0;
        if (c.cleanSession()) {
            flags |= 0x02;
        }
        if (c.will() != null) {
            flags |= 0x04 | (c.will().qos() << 3) | (c.will().retain() ? 0x20 : 0);
        }
        if (c.password() != null) {
            flags |= 0x40;
        }
        if (c.username() != null) {
            flags |= 0x80;
        }
        v.write(flags);
        v.write(c.keepAliveSeconds() >> 8);
        v.write(c.keepAliveSeconds() & 0xff);
        writeString(v, c.clientId());
        if (c.will() != null) {
            writeString(v, c.will().topic());
            writeBytes(v, c.will().payload());
        }
        if (c.username() != null) {
            writeString(v, c.username());
        }
        if (c.password() != null) {
            writeBytes(v, c.password());
        }
        send(CONNECT << 4, v.toByteArray());
        Packet ack = awaitControl(p -> p.type() == CONNACK, Duration.ofSeconds(5)).orElse(null);
        if (ack == null) {
            return CLOSED_WITHOUT_CONNACK;
        }
        return ack.body()[1] & 0xff;
    }

    /**
     * Sends PUBLISH. For QoS 1 and 2 a packet id is assigned and returned (0 for QoS 0); use
     * {@link #awaitPubAck} to see whether the broker acknowledged it.
     */
    public int publish(String topic, byte[] payload, int qos, boolean retain) throws IOException {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        writeString(v, topic);
        int id = 0;
        if (qos > 0) {
            id = nextId();
            v.write(id >> 8);
            v.write(id & 0xff);
        }
        v.writeBytes(payload);
        send((PUBLISH << 4) | (qos << 1) | (retain ? 1 : 0), v.toByteArray());
        return id;
    }

    /** Waits for the PUBACK of a packet id. */
    public boolean awaitPubAck(int packetId, Duration timeout) {
        return awaitControl(p -> p.type() == PUBACK && id(p.body(), 0) == packetId, timeout).isPresent();
    }

    /**
     * Subscribes to one filter and waits for SUBACK.
     *
     * @return the granted QoS (0-2) or 0x80 for failure; -1 when no SUBACK came within 5 s
     */
    public int subscribe(String filter, int qos) throws IOException {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        int id = nextId();
        v.write(id >> 8);
        v.write(id & 0xff);
        writeString(v, filter);
        v.write(qos);
        send((SUBSCRIBE << 4) | 0x02, v.toByteArray());
        return awaitControl(p -> p.type() == SUBACK && id(p.body(), 0) == id, Duration.ofSeconds(5))
                .map(p -> p.body()[2] & 0xff).orElse(-1);
    }

    /** Sends PINGREQ and waits for PINGRESP. */
    public boolean ping(Duration timeout) throws IOException {
        send(PINGREQ << 4, new byte[0]);
        return awaitControl(p -> p.type() == PINGRESP, timeout).isPresent();
    }

    /** Sends raw bytes as they are (garbage, truncated packets, ...). */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends a control packet: the first header byte, then the remaining length and the body. */
    public void send(int firstByte, byte[] body) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream(body.length + 5);
        p.write(firstByte);
        int len = body.length;
        do {
            int b = len % 128;
            len /= 128;
            p.write(len > 0 ? b | 0x80 : b);
        } while (len > 0);
        p.writeBytes(body);
        synchronized (out) {
            out.write(p.toByteArray());
            out.flush();
        }
    }

    /** The next PUBLISH received (in order), if one arrives within the timeout. */
    public Optional<Publish> awaitPublish(Duration timeout) {
        try {
            return Optional.ofNullable(publishes.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Every PUBLISH received within the window (waits the whole window). */
    public List<Publish> publishesWithin(Duration window) {
        long end = System.nanoTime() + window.toNanos();
        List<Publish> got = new ArrayList<>();
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                publishes.drainTo(got);
                return got;
            }
            try {
                Publish p = publishes.poll(left, TimeUnit.NANOSECONDS);
                if (p != null) {
                    got.add(p);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return got;
            }
        }
    }

    /** Sends PUBACK for a packet id (for tests that turned auto-ack off). */
    public void pubAck(int packetId) throws IOException {
        send(PUBACK << 4, new byte[] {(byte) (packetId >> 8), (byte) packetId});
    }

    /** Waits for the broker to close the connection. */
    public boolean awaitClosed(Duration timeout) {
        try {
            return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isClosed() {
        return closed.getCount() == 0;
    }

    /** Sends DISCONNECT (a clean goodbye: the broker discards the will) and closes. */
    public void disconnect() throws IOException {
        send(DISCONNECT << 4, new byte[0]);
        close();
    }

    /** Drops the TCP connection without DISCONNECT: to the broker, a lost connection (the will fires). */
    public void dropConnection() {
        try {
            socket.setSoLinger(true, 0); // RST, like a crashed or unplugged device
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private Optional<Packet> awaitControl(Predicate<Packet> wanted, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        List<Packet> other = new ArrayList<>();
        try {
            while (true) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                Packet p = control.poll(Math.min(left, 50_000_000L), TimeUnit.NANOSECONDS);
                if (p == null) {
                    if (isClosed() && control.isEmpty()) {
                        return Optional.empty();
                    }
                    continue;
                }
                if (wanted.test(p)) {
                    return Optional.of(p);
                }
                other.add(p);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            control.addAll(other);
        }
    }

    private void readLoop() {
        try (InputStream raw = socket.getInputStream()) {
            DataInputStream in = new DataInputStream(raw);
            while (true) {
                int first = in.read();
                if (first < 0) {
                    return;
                }
                int len = 0;
                int shift = 0;
                int b;
                do {
                    b = in.readUnsignedByte();
                    len |= (b & 0x7f) << shift;
                    shift += 7;
                } while ((b & 0x80) != 0 && shift < 28);
                byte[] body = new byte[len];
                in.readFully(body);
                int type = first >> 4;
                int flags = first & 0x0f;
                if (type == PUBLISH) {
                    Publish p = parsePublish(flags, body);
                    publishes.add(p);
                    if (p.qos() == 1 && autoAck) {
                        pubAck(p.packetId());
                    }
                } else {
                    control.add(new Packet(type, flags, body));
                }
            }
        } catch (EOFException e) {
            // closed mid-packet
        } catch (IOException e) {
            // closed
        } finally {
            closed.countDown();
        }
    }

    private static Publish parsePublish(int flags, byte[] body) {
        int topicLen = id(body, 0);
        String topic = new String(body, 2, topicLen, StandardCharsets.UTF_8);
        int qos = (flags >> 1) & 0x03;
        int pos = 2 + topicLen;
        int packetId = 0;
        if (qos > 0) {
            packetId = id(body, pos);
            pos += 2;
        }
        byte[] payload = java.util.Arrays.copyOfRange(body, pos, body.length);
        return new Publish(topic, payload, qos, (flags & 0x01) != 0, (flags & 0x08) != 0, packetId);
    }

    private synchronized int nextId() {
        int id = nextPacketId;
        nextPacketId = nextPacketId == 0xffff ? 1 : nextPacketId + 1;
        return id;
    }

    private static int id(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static void writeString(ByteArrayOutputStream v, String s) {
        writeBytes(v, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(ByteArrayOutputStream v, byte[] b) {
        v.write(b.length >> 8);
        v.write(b.length & 0xff);
        v.writeBytes(b);
    }
}
