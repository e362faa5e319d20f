package io.c2f.controller.bundle;

import com.google.protobuf.InvalidProtocolBufferException;
import io.c2f.controller.store.Database;
import io.c2f.controller.store.StoreException;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.bundle.Sha256;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.HealthProbe;
import io.c2f.proto.v1.ModelInfo;
import io.c2f.proto.v1.Resolution;
import io.c2f.proto.v1.Schedule;
import io.c2f.proto.v1.SignedManifest;
import io.c2f.controller.signing.BundleSigningKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes signed bundles and keeps them: the payload in a content-addressed directory under the
 * data dir, the signed manifest and its facts in the {@code bundles} table. Bundles are
 * immutable once made, so lookups are cached.
 */
public final class BundleService {
    private static final Logger LOG = LoggerFactory.getLogger(BundleService.class);
    /** Chunk size of every bundle this controller makes (the agent asks for 64 chunks per request). */
    public static final int CHUNK_SIZE = 64 * 1024;
    static final String MODEL_FILE = "model.tflite";
    /** The same model for ONNX Runtime, packed when the request has one. */
    static final String ONNX_FILE = "model.onnx";
    private static final String COLUMNS = "id, name, version, model_sha256, payload_sha256, payload_size, "
            + "chunk_size, chunk_count, signed_manifest, key_id, created_ms";

    private final Vertx vertx;
    private final Database db;
    private final PayloadStore payloads;
    private final BundleSigningKey key;
    private final Clock clock;
    private final Map<String, BundleRecord> cache = new ConcurrentHashMap<>();

    public BundleService(Vertx vertx, Database db, PayloadStore payloads, BundleSigningKey key, Clock clock) {
        this.vertx = vertx;
        this.db = db;
        this.payloads = payloads;
        this.key = key;
        this.clock = clock;
    }

    /** The conventional payload directory under a data dir. */
    public static Path payloadDir(Path dataDir) {
        return dataDir.resolve("bundles").resolve("payloads");
    }

    public BundleSigningKey signingKey() {
        return key;
    }

    public PayloadStore payloads() {
        return payloads;
    }

    /**
     * Packs, signs and stores a bundle.
     *
     * @return fails with {@link RequestException} (invalid, or CONFLICT when the id exists)
     */
    public Future<BundleRecord> create(BundleRequest request) {
        String id = request.bundleId();
        return find(id).compose(existing -> {
            if (existing.isPresent()) {
                return Future.failedFuture(RequestException.conflict("bundle '" + id + "' already exists"));
            }
            return vertx.executeBlocking(() -> pack(request), false);
        }).compose(packed -> db.execute(c -> {
            insert(c, packed);
            return packed;
        }).recover(e -> find(id).compose(raced -> raced.isPresent()
                ? Future.failedFuture(RequestException.conflict("bundle '" + id + "' already exists"))
                : Future.failedFuture(e)))).onSuccess(b -> {
                    cache.put(b.id(), b);
                    LOG.info("bundle {} created: {} bytes in {} chunks, payload {}, signed by key {}", b.id(),
                            b.payloadSize(), b.chunkCount(), b.payloadSha256(), b.keyId());
                });
    }

    private BundleRecord pack(BundleRequest r) {
        byte[] model = r.model().toByteArray();
        String modelSha = Sha256.hex(model);
        ModelInfo info = r.modelInfo();
        if (!info.getModelSha256().isEmpty() && !info.getModelSha256().equalsIgnoreCase(modelSha)) {
            // no hash in the message: a hash of a file is already a leak of it
            throw RequestException.invalid("modelInfo.modelSha256 does not match the model's bytes: the model and its "
                    + "ModelInfo belong to different models");
        }
        info = BundleModelFiles.describe(info.toBuilder().setModelSha256(modelSha).build(), MODEL_FILE, model,
                r.onnxModel().map(o -> o.toByteArray()), ONNX_FILE);
        Set<String> resolutions = new HashSet<>();
        for (Resolution res : info.getResolutionsList()) {
            resolutions.add(res.getHeight() + "x" + res.getWidth());
        }
        Set<String> scheduleIds = new HashSet<>();
        for (Schedule s : r.schedules()) {
            if (!scheduleIds.add(s.getScheduleId())) {
                throw RequestException.invalid("schedule '" + s.getScheduleId() + "' is listed twice");
            }
            for (Resolution res : List.of(s.getLowResolution(), s.getHighResolution())) {
                if (!resolutions.contains(res.getHeight() + "x" + res.getWidth())) {
                    throw RequestException.invalid("schedule '" + s.getScheduleId() + "' uses resolution "
                            + res.getHeight() + "x" + res.getWidth() + ", which the model does not have "
                            + resolutions);
                }
            }
        }
        if (!r.defaultScheduleId().isEmpty() && !scheduleIds.contains(r.defaultScheduleId())) {
            throw RequestException.invalid("defaultScheduleId '" + r.defaultScheduleId()
                    + "' is not one of the bundle's schedules " + scheduleIds);
        }
        if (r.probe().isPresent()) {
            HealthProbe p = r.probe().get();
            String sid = p.getScheduleId().isEmpty() ? r.defaultScheduleId() : p.getScheduleId();
            if (!scheduleIds.contains(sid)) {
                throw RequestException.invalid("probe.scheduleId '" + sid + "' is not one of the bundle's schedules "
                        + scheduleIds);
            }
        }
        BundleManifest.Builder m = BundleManifest.newBuilder().setBundleId(r.bundleId()).setVersion(r.version())
                .setMinAgentVersion(r.minAgentVersion()).setModel(info).addAllSchedules(r.schedules())
                .setDefaultScheduleId(r.defaultScheduleId()).setCreatedAtMs(clock.millis());
        r.probe().ifPresent(m::setProbe);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(MODEL_FILE, model);
        r.onnxModel().ifPresent(onnx -> files.put(ONNX_FILE, onnx.toByteArray()));
        BundlePayload payload = BundlePayload.pack(files, CHUNK_SIZE, m);
        BundleManifest manifest = m.build();
        SignedManifest signed = ManifestSigning.sign(manifest, key.pair());
        String sha = payloads.put(payload.bytes());
        return new BundleRecord(r.bundleId(), r.name(), r.version(), modelSha, sha, manifest.getPayloadSize(),
                manifest.getChunkSize(), manifest.getChunkCount(), signed, key.keyId(), manifest.getCreatedAtMs());
    }

    private static void insert(Connection c, BundleRecord b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO bundles (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int i = 1;
            ps.setString(i++, b.id());
            ps.setString(i++, b.name());
            ps.setString(i++, b.version());
            ps.setString(i++, b.modelSha256());
            ps.setString(i++, b.payloadSha256());
            ps.setLong(i++, b.payloadSize());
            ps.setInt(i++, b.chunkSize());
            ps.setInt(i++, b.chunkCount());
            ps.setBytes(i++, b.signedManifest().toByteArray());
            ps.setString(i++, b.keyId());
            ps.setLong(i, b.createdMs());
            ps.executeUpdate();
        }
    }

    /** The bundle with this id, if any (cached once found: bundles never change). */
    public Future<Optional<BundleRecord>> find(String id) {
        BundleRecord hit = cache.get(id);
        if (hit != null) {
            return Future.succeededFuture(Optional.of(hit));
        }
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM bundles WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.<BundleRecord>empty();
                }
            }
        }).onSuccess(o -> o.ifPresent(b -> cache.put(b.id(), b)));
    }

    /** All bundles, newest first. */
    public Future<List<BundleRecord>> list() {
        return db.execute(c -> {
            List<BundleRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM bundles ORDER BY created_ms DESC, id"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        });
    }

    /** The payload of a bundle (from the cache or disk; blocking, call from a worker). */
    public byte[] payload(BundleRecord b) {
        return payloads.get(b.payloadSha256());
    }

    private static BundleRecord read(ResultSet rs) throws SQLException {
        SignedManifest signed;
        try {
            signed = SignedManifest.parseFrom(rs.getBytes("signed_manifest"));
        } catch (InvalidProtocolBufferException e) {
            throw new StoreException("stored signed manifest of bundle " + rs.getString("id") + " does not parse", e);
        }
        return new BundleRecord(rs.getString("id"), rs.getString("name"), rs.getString("version"),
                rs.getString("model_sha256"), rs.getString("payload_sha256"), rs.getLong("payload_size"),
                rs.getInt("chunk_size"), rs.getInt("chunk_count"), signed, rs.getString("key_id"),
                rs.getLong("created_ms"));
    }
}
