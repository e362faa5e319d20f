package io.c2f.controller.testing;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.Death;
import io.c2f.proto.v1.DeathReason;
import io.c2f.proto.v1.DelegateInfo;
import io.c2f.proto.v1.DelegateStatus;
import io.c2f.proto.v1.DeviceState;
import io.c2f.proto.v1.DeviceStatus;
import io.c2f.proto.v1.Hardware;
import io.c2f.proto.v1.Header;
import io.c2f.proto.v1.InstalledBundle;
import io.c2f.proto.v1.IntervalAggregate;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.GeneratedImage;
import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.Telemetry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;
import javax.imageio.ImageIO;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A device speaking the wire contract with a plain Paho client, as the edge agent does: Last Will
 * on its death topic with the session's bdSeq, birth as seq 0, answers rebirth requests.
 */
public final class FakeDevice implements AutoCloseable {
    private final String brokerUrl;
    private final Topics topics;
    private final String id;
    private final HeaderFactory headers;
    private final String username;
    private final String password;
    private final ExecutorService answering = Executors.newSingleThreadExecutor();
    private final AtomicInteger rebirthRequests = new AtomicInteger();
    private volatile Function<GenerateRequest, GenerateResult> generator;
    private final java.util.concurrent.ConcurrentLinkedQueue<Message> received = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private MqttClient client;
    private javax.net.SocketFactory socketFactory;

    public FakeDevice(String brokerUrl, String fleet, String id) {
        this(brokerUrl, fleet, id, null, null);
    }

    public FakeDevice(String brokerUrl, String fleet, String id, String username, String password) {
        this.brokerUrl = brokerUrl;
        this.topics = Topics.fleet(fleet);
        this.id = id;
        this.headers = new HeaderFactory(id);
        this.username = username;
        this.password = password;
    }

    /** Connects over TLS ({@code ssl://} URLs) with sockets from this factory (its trust store). */
    public FakeDevice withSocketFactory(javax.net.SocketFactory factory) {
        this.socketFactory = factory;
        return this;
    }

    /** Connects as a new session with this bdSeq (will set) and subscribes to its command topics. */
    public void connect(long bdSeq) throws MqttException {
        headers.newSession(bdSeq);
        Death will = Death.newBuilder().setHeader(headers.forWill()).setDeviceId(id)
                .setReason(DeathReason.DEATH_REASON_CONNECTION_LOST).build();
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(5);
        o.setMaxInflight(1000); // QoS 0 heartbeats from other threads must not hit Paho's default limit of 10
        o.setWill(topics.device(id, Channel.DEATH), WireCodec.encode(Channel.DEATH, will), 1, false);
        if (socketFactory != null) {
            o.setSocketFactory(socketFactory);
            o.setHttpsHostnameVerificationEnabled(true);
        }
        if (username != null) {
            o.setUserName(username);
            o.setPassword(password.toCharArray());
        }
        client = new MqttClient(brokerUrl, id, new MemoryPersistence());
        client.connect(o);
        for (String t : topics.deviceSubscriptions(id)) {
            client.subscribe(t, 1, (topic, msg) -> {
                Channel ch = Topics.parse(topic).channel();
                if (ch == Channel.JOB_NOTIFY || ch == Channel.BUNDLE_DATA || ch == Channel.CONTROLLER_ERROR) {
                    received.add(WireCodec.decode(topic, msg.getPayload()).message());
                }
                Function<GenerateRequest, GenerateResult> g = generator;
                if (ch == Channel.GENERATE_REQUEST && g != null) {
                    GenerateRequest req = WireCodec.decode(topic, msg.getPayload()).as(GenerateRequest.class);
                    answering.execute(() -> {
                        try {
                            publish(Channel.GENERATE_RESULT, g.apply(req));
                        } catch (MqttException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
                if (ch == Channel.REBIRTH || ch == Channel.FLEET_REBIRTH) {
                    rebirthRequests.incrementAndGet();
                    // never publish from Paho's callback thread with the blocking client
                    answering.execute(() -> {
                        try {
                            headers.newSession(headers.bdSeq());
                            birth();
                        } catch (MqttException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
            });
        }
    }

    /**
     * The next job command, bundle chunk or controller error this device received (in arrival
     * order) that is of the given type; others stay queued.
     */
    public <M extends Message> M next(Class<M> type, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Message m : received) {
                if (type.isInstance(m) && received.remove(m)) {
                    return type.cast(m);
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError(id + " received no " + type.getSimpleName() + " within " + timeout + "; has " + received);
    }

    /** From now on, answers each GenerateRequest with what the function makes of it (null: stop answering). */
    public void answerGenerates(Function<GenerateRequest, GenerateResult> generator) {
        this.generator = generator;
    }

    /**
     * A result as a device makes it: one PNG per seed (seed, seed + 1, ...), a 32x32 picture whose
     * colours follow from the seed, so different seeds give different images and equal seeds equal ones.
     */
    public static GenerateResult pngPerSeed(GenerateRequest req) {
        GenerateResult.Builder r = GenerateResult.newBuilder().setRequestId(req.getRequestId());
        int n = Math.max(1, req.getCount());
        for (int i = 0; i < n; i++) {
            long seed = req.getSeed() + i;
            r.addImages(GeneratedImage.newBuilder().setSeed(seed).setPng(com.google.protobuf.ByteString.copyFrom(png(seed, 32)))
                    .setWidth(32).setHeight(32).setRecord(GenerationRecord.newBuilder().setRequestId(req.getRequestId())
                            .setScheduleId(req.getScheduleId().isEmpty() ? "c2f-8-4" : req.getScheduleId())
                            .setStepsLow(8).setStepsHigh(4).setTotalMillis(420 + seed % 7).setBatch(1).setDelegate("xnnpack")));
        }
        return r.build();
    }

    static byte[] png(long seed, int size) {
        java.util.Random rnd = new java.util.Random(seed);
        int a = rnd.nextInt(0xffffff);
        int b = rnd.nextInt(0xffffff);
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double d = Math.hypot(x - size / 2.0, y - size / 2.0) / size;
                img.setRGB(x, y, d < 0.35 ? a : (x / 4 + y / 4) % 2 == 0 ? b : 0xffffff);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public int rebirthRequests() {
        return rebirthRequests.get();
    }

    /** A fresh birth (seq 0 of the same session) with the model sha256 of the installed bundle set. */
    public Birth birthWithModel(String modelSha256) throws MqttException {
        headers.newSession(headers.bdSeq());
        return publish(Channel.BIRTH, birthMessage().toBuilder().setInstalled(birthMessage().getInstalled().toBuilder()
                .setModelSha256(modelSha256)).build());
    }

    public Birth birth() throws MqttException {
        return publish(Channel.BIRTH, birthMessage());
    }

    private Birth birthMessage() {
        Birth b = Birth.newBuilder().setDeviceId(id).setAgentVersion("0.1.0")
                .setHardware(Hardware.newBuilder().setOs("linux").setArch("aarch64").setCpuCores(4)
                        .setMemoryBytes(4L << 30).setCpuModel("Cortex-A72"))
                .addDelegates(DelegateInfo.newBuilder().setName("tflite-xnnpack").setEngine("tflite")
                        .setStatus(DelegateStatus.DELEGATE_STATUS_ACTIVE).setReason("opened the bundle's model"))
                .addDelegates(DelegateInfo.newBuilder().setName("onnx-cpu").setEngine("onnx")
                        .setStatus(DelegateStatus.DELEGATE_STATUS_AVAILABLE)
                        .setReason("not tried: tflite-xnnpack is active"))
                .setEngine("tflite")
                .setInstalled(InstalledBundle.newBuilder().setBundleId("c2f-unet-s").setVersion("1.2.0").setSlot("a"))
                .setScheduleId("c2f-8-4")
                .addLabels("lab").addLabels("rpi4")
                .build();
        return b;
    }

    public void state(int heartbeatMs) throws MqttException {
        publish(Channel.STATE, DeviceState.newBuilder().setDeviceId(id)
                .setStatus(DeviceStatus.DEVICE_STATUS_IDLE).setHeartbeatIntervalMs(heartbeatMs).build());
    }

    public void telemetry(long seq, long droppedBefore) throws MqttException {
        publish(Channel.TELEMETRY, Telemetry.newBuilder().setDeviceId(id).setTelemetrySeq(seq)
                .setDroppedBefore(droppedBefore)
                .setAggregate(IntervalAggregate.newBuilder().setCount(3).setP50Millis(120)).build());
    }

    /** Publishes a death as the Last Will of session bdSeq would look (e.g. a late will of an old session). */
    public void deathOf(long bdSeq) throws MqttException {
        Header h = headers.forWill().toBuilder().setBdSeq(bdSeq).build();
        Death d = Death.newBuilder().setHeader(h).setDeviceId(id).setReason(DeathReason.DEATH_REASON_CONNECTION_LOST)
                .build();
        client.publish(topics.device(id, Channel.DEATH), WireCodec.encode(Channel.DEATH, d), 1, false);
    }

    /**
     * Publishes raw bytes on a topic (for refused and malformed messages). QoS 0: some brokers answer
     * a publish their ACL refuses with no PUBACK at all, so a QoS 1 publish could wait forever.
     */
    public void publishRaw(String topic, byte[] payload) throws MqttException {
        client.publish(topic, payload, 0, false);
    }

    /** Subscribes to any filter (to check what the broker refuses). */
    public void subscribeRaw(String filter) throws MqttException {
        client.subscribe(filter, 1);
    }

    public <M extends Message> M publish(Channel channel, M message) throws MqttException {
        FieldDescriptor header = message.getDescriptorForType().findFieldByNumber(1);
        @SuppressWarnings("unchecked")
        M stamped = (M) message.toBuilder().setField(header, headers.next()).build();
        client.publish(topics.device(id, channel), WireCodec.encode(channel, stamped), channel.qos(), false);
        return stamped;
    }

    public Topics topics() {
        return topics;
    }

    public boolean isConnected() {
        return client != null && client.isConnected();
    }

    /** Drops the TCP connection without DISCONNECT: the broker publishes the Last Will. */
    public void dropConnection() throws MqttException {
        client.disconnectForcibly(0, 0, false);
        client.close(true);
    }

    @Override
    public void close() {
        answering.shutdownNow();
        if (client != null) {
            try {
                if (client.isConnected()) {
                    client.disconnectForcibly(0, 0, false);
                }
                client.close(true);
            } catch (MqttException ignored) {
                // already gone
            }
        }
    }
}
