package io.c2f.controller.bundle;

import com.google.protobuf.UnsafeByteOperations;
import io.c2f.controller.config.ControllerIdentity;
import io.c2f.controller.job.Delivered;
import io.c2f.controller.job.JobRepository;
import io.c2f.controller.mqtt.DeviceCommands;
import io.c2f.controller.mqtt.EventAddresses;
import io.c2f.controller.mqtt.LocalCodec;
import io.c2f.controller.mqtt.Outbound;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.BundleChunk;
import io.c2f.proto.v1.BundleChunkRequest;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorDetail;
import io.c2f.proto.v1.ErrorReply;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves bundle chunks that devices ask for on {@code bundle/get}, on their own
 * {@code bundle/data} topic. Only bundles the device has an open (queued or in-progress) job for
 * are served; anything else is answered with an {@link ErrorReply} on {@code cmd/error}.
 *
 * <p>Flow control: at most {@code maxInFlight} chunks are published and not yet acknowledged by
 * the broker at any time, taken round-robin from the devices' queues, so a wave of devices
 * downloading at once shares the link fairly and never floods the broker; a device's own request
 * window (64 chunks) bounds each queue.
 *
 * <p>What each device was sent: every chunk the broker acknowledged adds its bytes to an in-memory
 * tally (by device and bundle; no I/O on the publish path), written to the device's job for the
 * bundle ({@link JobRepository#addDelivered}) once the queues run empty, at the latest every
 * {@link #FLUSH_MS} ms, and when the verticle stops. Several controllers each add their own.
 */
public final class BundleDeliveryVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(BundleDeliveryVerticle.class);
    /** Longest a sent chunk waits before it is counted in the jobs table. */
    public static final long FLUSH_MS = 1000;

    private record Pending(String requestId, BundleRecord bundle, int index, String sha256) {
        String key() {
            return bundle.id() + "#" + index;
        }
    }

    private final ControllerIdentity identity;
    private final BundleService bundles;
    private final JobRepository jobs;
    private final int maxInFlight;
    private final Map<String, ArrayDeque<Pending>> queues = new HashMap<>();
    private final Map<String, Set<String>> queuedChunks = new HashMap<>();
    private final ArrayDeque<String> ready = new ArrayDeque<>();
    /** Each bundle's chunk hashes from its signed manifest (bundles never change under their id). */
    private final Map<String, List<String>> chunkHashes = new HashMap<>();
    private DeviceCommands commands;
    private int inFlight;
    private long sent;
    /** Acknowledged and not yet written to the jobs table: device id, then bundle id. */
    private Map<String, Map<String, Delivered>> unflushed = new HashMap<>();
    /** The write of the tally in progress, or the last one (one at a time). */
    private Future<Void> flushing = Future.succeededFuture();
    private long flushTimer = -1;

    /** @param maxInFlight chunks published and not yet acknowledged by the broker, over all devices */
    public BundleDeliveryVerticle(ControllerIdentity identity, BundleService bundles, JobRepository jobs, int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be positive, got " + maxInFlight);
        }
        this.identity = identity;
        this.bundles = bundles;
        this.jobs = jobs;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public Future<?> start() {
        LocalCodec.registerOn(vertx);
        commands = new DeviceCommands(vertx);
        flushTimer = vertx.setPeriodic(FLUSH_MS, t -> flush());
        return vertx.eventBus().<Inbound>consumer(EventAddresses.inbound(Channel.BUNDLE_GET), m -> {
            Inbound in = m.body();
            if (identity.fleet().equals(in.address().fleet())) {
                onRequest(in.address().deviceId(), in.as(BundleChunkRequest.class));
            }
        }).completion();
    }

    private void onRequest(String deviceId, BundleChunkRequest req) {
        String bundleId = req.getBundleId();
        bundles.find(bundleId).compose(found -> {
            if (found.isEmpty()) {
                refuse(deviceId, req, ErrorCode.ERROR_CODE_NOT_FOUND, "bundle_id",
                        "no bundle '" + bundleId + "' on controller " + identity.instanceId());
                return Future.succeededFuture();
            }
            BundleRecord b = found.get();
            // asked on every request, not cached: a job that ended (rejected, failed, done) ends the right to chunks
            return jobs.hasActiveJob(deviceId, bundleId).map(ok -> {
                if (!ok) {
                    refuse(deviceId, req, ErrorCode.ERROR_CODE_UNAUTHORIZED, "bundle_id",
                            "device " + deviceId + " has no queued or in-progress job for bundle '" + bundleId + "'");
                    return null;
                }
                for (int i = 0; i < req.getIndicesCount(); i++) {
                    int index = req.getIndices(i);
                    if (index < 0 || index >= b.chunkCount()) {
                        refuse(deviceId, req, ErrorCode.ERROR_CODE_INVALID_ARGUMENT, "indices[" + i + "]",
                                "chunk " + Integer.toUnsignedLong(index) + " is outside 0.." + (b.chunkCount() - 1)
                                        + " of bundle " + bundleId);
                        return null;
                    }
                }
                List<String> hashes = chunkHashes(b);
                if (req.getIndicesCount() == 0) {
                    for (int i = 0; i < b.chunkCount(); i++) {
                        enqueue(deviceId, new Pending(req.getRequestId(), b, i, hashes.get(i)));
                    }
                } else {
                    req.getIndicesList().forEach(i -> enqueue(deviceId,
                            new Pending(req.getRequestId(), b, i, hashes.get(i))));
                }
                pump();
                return null;
            });
        }).onFailure(e -> {
            LOG.error("chunk request {} of {} failed: {}", req.getRequestId(), deviceId, e.getMessage());
            refuse(deviceId, req, ErrorCode.ERROR_CODE_INTERNAL, "", "controller cannot serve bundle '" + bundleId
                    + "' now: " + e.getMessage());
        });
    }

    private List<String> chunkHashes(BundleRecord b) {
        return chunkHashes.computeIfAbsent(b.id(), id -> {
            List<String> hashes = b.manifest().getChunkSha256List();
            if (hashes.size() != b.chunkCount()) {
                throw new IllegalStateException("manifest of bundle " + id + " lists " + hashes.size()
                        + " chunk hashes for " + b.chunkCount() + " chunks");
            }
            return hashes;
        });
    }

    private void enqueue(String deviceId, Pending p) {
        // a device that repeats its request (it waited long enough) does not get the same chunk twice in a row
        Set<String> chunks = queuedChunks.computeIfAbsent(deviceId, d -> new HashSet<>());
        if (!chunks.add(p.key())) {
            return;
        }
        ArrayDeque<Pending> q = queues.computeIfAbsent(deviceId, d -> new ArrayDeque<>());
        if (q.isEmpty()) {
            ready.add(deviceId);
        }
        q.add(p);
    }

    private void pump() {
        while (inFlight < maxInFlight && !ready.isEmpty()) {
            String deviceId = ready.poll();
            ArrayDeque<Pending> q = queues.get(deviceId);
            Pending p = q.poll();
            queuedChunks.get(deviceId).remove(p.key());
            if (q.isEmpty()) {
                queues.remove(deviceId);
                queuedChunks.remove(deviceId);
            } else {
                ready.add(deviceId); // round-robin: the next device gets the next slot
            }
            inFlight++;
            send(deviceId, p).onComplete(ar -> {
                inFlight--;
                if (ar.failed()) {
                    // the device asks again for what it lacks; nothing to retry here
                    LOG.debug("chunk {} of {} to {} not sent: {}", p.index(), p.bundle().id(), deviceId,
                            ar.cause().getMessage());
                } else {
                    sent++;
                    count(deviceId, p);
                }
                pump();
                if (inFlight == 0 && ready.isEmpty()) {
                    flush(); // idle: the rollout page shows the bytes without waiting for the timer
                }
            });
        }
    }

    private void count(String deviceId, Pending p) {
        BundleRecord b = p.bundle();
        long bytes = Math.min(b.chunkSize(), b.payloadSize() - (long) p.index() * b.chunkSize());
        tally(deviceId, b.id(), new Delivered(1, bytes, 0));
    }

    private void tally(String deviceId, String bundleId, Delivered d) {
        unflushed.computeIfAbsent(deviceId, x -> new HashMap<>()).merge(bundleId, d,
                (a, more) -> a.plus(more.chunks(), more.bytes()));
    }

    /** Writes the tally to the jobs table, one write at a time; a failed write is kept for the next. */
    private Future<Void> flush() {
        if (!flushing.isComplete() || unflushed.isEmpty()) {
            return flushing;
        }
        Map<String, Map<String, Delivered>> batch = unflushed;
        unflushed = new HashMap<>();
        flushing = jobs.addDelivered(batch).recover(e -> {
            LOG.warn("could not record the bundle bytes sent to {} device(s), trying again: {}", batch.size(),
                    e.getMessage());
            batch.forEach((device, bundles) -> bundles.forEach((bundle, d) -> tally(device, bundle, d)));
            return Future.succeededFuture();
        });
        return flushing;
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(flushTimer);
        // after a write in progress, what was sent since
        return flushing.transform(ar -> flush());
    }

    private Future<Void> send(String deviceId, Pending p) {
        return vertx.executeBlocking(() -> {
            // the payload was checked against the signed manifest's payload_sha256 when read, so its chunks
            // match the manifest's chunk hashes: no hashing per send (issue 18). The chunk is a view of the
            // cached payload, never written to: serializing the message is its only copy.
            byte[] payload = bundles.payload(p.bundle());
            int from = p.index() * p.bundle().chunkSize();
            int to = (int) Math.min(payload.length, (long) from + p.bundle().chunkSize());
            return BundleChunk.newBuilder().setRequestId(p.requestId()).setBundleId(p.bundle().id())
                    .setIndex(p.index()).setCount(p.bundle().chunkCount()).setSha256(p.sha256())
                    .setData(UnsafeByteOperations.unsafeWrap(payload, from, to - from)).build();
        }, false).compose(chunk -> commands.sendChunk(deviceId, chunk));
    }

    /** Chunks the broker acknowledged since start. */
    public long chunksSent() {
        return sent;
    }

    private void refuse(String deviceId, BundleChunkRequest req, ErrorCode code, String field, String message) {
        LOG.warn("refused chunk request {} of {}: {}", req.getRequestId(), deviceId, message);
        ErrorReply reply = ErrorReply.newBuilder().setRequestId(req.getRequestId())
                .setRequestTopic(Topics.fleet(identity.fleet()).device(deviceId, Channel.BUNDLE_GET))
                .setError(ErrorDetail.newBuilder().setCode(code).setMessage(message).setField(field)).build();
        commands.send(new Outbound(deviceId, Channel.CONTROLLER_ERROR, reply))
                .onFailure(e -> LOG.debug("could not tell {}: {}", deviceId, e.getMessage()));
    }
}
