package io.c2f.agent.core;

import com.google.protobuf.Message;
import io.c2f.agent.link.DeviceLink;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.BundleChunkRequest;
import io.c2f.proto.v1.JobStatusUpdate;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the device sends (but telemetry, which its pump sends): job statuses stamped with the
 * device id, failures to send logged rather than thrown (what was to be sent is the caller's state,
 * and the controller hears it again at the next birth or heartbeat).
 */
final class Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private final String deviceId;
    private final DeviceLink link;

    Outbox(String deviceId, DeviceLink link) {
        this.deviceId = deviceId;
        this.link = link;
    }

    /** The update with this device's id. */
    JobStatusUpdate stamped(JobStatusUpdate u) {
        return u.toBuilder().setDeviceId(deviceId).build();
    }

    CompletableFuture<Void> publish(Channel channel, Message m) {
        Message msg = m instanceof JobStatusUpdate u ? stamped(u) : m;
        return link.publish(channel, msg).whenComplete((v, e) -> {
            if (e != null) {
                LOG.debug("{}: {} not sent: {}", deviceId, channel, e.toString());
            }
        });
    }

    /**
     * Asks the controller for chunks of a bundle and waits (boundedly) for the broker's ack.
     *
     * @throws IOException when the request was not sent
     */
    void requestChunks(String bundleId, List<Integer> indices) throws InterruptedException, IOException {
        try {
            publish(Channel.BUNDLE_GET, BundleChunkRequest.newBuilder().setRequestId(bundleId + "@" + indices.get(0))
                    .setBundleId(bundleId).addAllIndices(indices).build()).get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // a slow broker ack (busy host) is not a failed install: the installer asks again for
            // whatever is still missing, and gives up only after its rounds without progress
            LOG.warn("{}: chunk request for {} not acknowledged within 10 s; will ask again", deviceId, bundleId);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().toString(), e.getCause());
        }
    }
}
