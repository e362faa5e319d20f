package io.c2f.agent.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.WireException;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.BundleChunk;
import io.c2f.proto.v1.BundleChunkRequest;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobOrder;
import io.c2f.proto.bundle.JobOrders;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The controller side of the protocol, just enough for agent tests: records what devices send,
 * serves bundle chunks on request and sends commands. (The agent and the controller never share
 * code beyond proto/, so this stays test code.)
 */
public final class TestController implements AutoCloseable {
    private final MqttClient client;
    private final Topics topics;
    private final String fleet;
    private final HeaderFactory headers = new HeaderFactory("test-controller");
    private final java.util.List<Inbound> seen = new java.util.ArrayList<>();
    private final java.util.List<Inbound> history = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, BundlePayload> bundles = new ConcurrentHashMap<>();

    public TestController(String uri, String fleet) throws MqttException {
        this.fleet = fleet;
        this.topics = Topics.fleet(fleet);
        client = new MqttClient(uri, "test-controller", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMaxInflight(1000);
        for (int attempt = 1; ; attempt++) {
            try {
                client.connect(o);
            } catch (MqttException e) {
                throw new IllegalStateException("test controller could not connect to " + uri, e);
            }
            try {
                for (String filter : topics.controllerSubscriptions()) {
                    subscribe(filter);
                }
                return;
            } catch (IllegalStateException e) {
                // Moquette 0.17 may drop a connection whose first SUBSCRIBE arrives while it still sets up the
                // CONNECT's session ("SUBSCRIBE received on already closed connection", seen in CI; the same race
                // in FraunhoferIOSB/FROST-Server#2433): connect again. Mosquitto never did this.
                if (attempt == 3 || client.isConnected()) {
                    throw e;
                }
            }
        }
    }

    private void subscribe(String filter) {
        try {
            client.subscribe(filter, 1, (topic, msg) -> {
                Inbound in;
                try {
                    in = WireCodec.decode(topic, msg.getPayload());
                } catch (WireException e) {
                    System.err.println("test controller rejected " + topic + ": " + e.getMessage());
                    return;
                }
                if (in.address().channel() == Channel.BUNDLE_GET) {
                    serve(in.address().deviceId(), in.as(BundleChunkRequest.class));
                }
                history.add(in);
                synchronized (seen) {
                    seen.add(in);
                    seen.notifyAll();
                }
            });
        } catch (MqttException e) {
            throw new IllegalStateException("test controller could not subscribe to " + filter, e);
        }
    }

    private volatile long chunkDelayMillis;
    private final java.util.List<java.util.List<Integer>> chunkRequests = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Serve each chunk this much later (a slow link). */
    public void chunkDelay(long millis) {
        this.chunkDelayMillis = millis;
    }

    /** The chunk indices of every bundle/get request so far. */
    public java.util.List<java.util.List<Integer>> chunkRequests() {
        return chunkRequests;
    }

    public void serveBundle(String bundleId, BundlePayload payload) {
        bundles.put(bundleId, payload);
    }

    private void serve(String device, BundleChunkRequest request) {
        BundlePayload payload = bundles.get(request.getBundleId());
        if (payload == null) {
            return;
        }
        chunkRequests.add(java.util.List.copyOf(request.getIndicesList()));
        new Thread(() -> {
            for (int i : request.getIndicesList()) {
                if (chunkDelayMillis > 0) {
                    try {
                        Thread.sleep(chunkDelayMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                byte[] chunk = payload.chunk(i);
                try {
                    send(device, Channel.BUNDLE_DATA, BundleChunk.newBuilder().setRequestId(request.getRequestId())
                            .setBundleId(request.getBundleId()).setIndex(i).setCount(payload.chunkCount())
                            .setSha256(io.c2f.proto.bundle.Sha256.hex(chunk)).setData(ByteString.copyFrom(chunk))
                            .build());
                } catch (IllegalStateException e) {
                    return; // this controller disconnected (the test moved on)
                }
            }
        }, "test-controller-serve").start();
    }

    /**
     * Sends a job as the controller does: its action in an order signed with {@code key}, for this
     * device and fleet, valid for 15 minutes (the rollout id, timeout and rollback of {@code job}
     * go into the order).
     */
    public JobCommand sendJob(java.security.KeyPair key, String device, JobCommand job) {
        JobCommand signed = signedJob(key, device, job);
        send(device, Channel.JOB_NOTIFY, signed);
        return signed;
    }

    /** As {@link #sendJob(java.security.KeyPair, String, JobCommand)}, an install pinning an engine. */
    public JobCommand sendInstall(java.security.KeyPair key, String device, JobCommand job, String engine) {
        JobOrder.Builder o = JobOrders.envelope(fleet, device, job.getJobId(), java.time.Instant.now(),
                java.time.Duration.ofMinutes(15)).setRolloutId(job.getRolloutId()).setStepTimeoutMs(job.getStepTimeoutMs());
        JobCommand signed = JobOrders.installCommand(o, job.getInstallBundle().getManifest(),
                job.getInstallBundle().getRollback(), engine, key);
        send(device, Channel.JOB_NOTIFY, signed);
        return signed;
    }

    /** {@code job} with its order signed as {@link #sendJob} would send it. */
    public JobCommand signedJob(java.security.KeyPair key, String device, JobCommand job) {
        JobOrder.Builder o = JobOrders.envelope(fleet, device, job.getJobId(), java.time.Instant.now(),
                java.time.Duration.ofMinutes(15)).setRolloutId(job.getRolloutId()).setStepTimeoutMs(job.getStepTimeoutMs());
        return switch (job.getActionCase()) {
            case INSTALL_BUNDLE -> JobOrders.installCommand(o, job.getInstallBundle().getManifest(),
                    job.getInstallBundle().getRollback(), key);
            case APPLY_SCHEDULE -> JobOrders.applyScheduleCommand(o, job.getApplySchedule(), key);
            case CANCEL -> JobOrders.cancelCommand(o, job.getCancel(), key);
            case ACTION_NOT_SET -> throw new IllegalArgumentException("job has no action");
        };
    }

    /** Every message received so far on a channel, in order (awaits do not consume these). */
    public java.util.List<Inbound> history(Channel channel) {
        return history.stream().filter(in -> in.address().channel() == channel).toList();
    }

    /** Sends a command to a device; the header is stamped here. */
    public void send(String device, Channel channel, Message message) {
        Message stamped = message.toBuilder().setField(message.getDescriptorForType().findFieldByNumber(1),
                headers.next()).build();
        try {
            client.publish(topics.device(device, channel), WireCodec.encode(channel, stamped), 1, false);
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits for the first message matching the predicate, including ones that arrived earlier;
     * the matched message is consumed, others stay for later awaits.
     */
    public Inbound await(Predicate<Inbound> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (seen) {
            while (true) {
                for (java.util.Iterator<Inbound> it = seen.iterator(); it.hasNext();) {
                    Inbound in = it.next();
                    if (match.test(in)) {
                        it.remove();
                        return in;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching message within " + timeout + "; unmatched: " + seen.size());
                }
                seen.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            try {
                client.disconnect();
            } catch (MqttException e) {
                throw new IllegalStateException("test controller could not disconnect", e);
            }
        }
        client.close();
    }
}
