package io.c2f.controller.generate;

import io.c2f.controller.store.Database;
import io.vertx.core.Future;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** Which device made which image for which request ({@code generated_images}, V6). */
public final class GeneratedImageRepository {
    private final Database db;

    public GeneratedImageRepository(Database db) {
        this.db = db;
    }

    public Future<Void> save(List<GeneratedImage> images) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO generated_images (request_id, image_index, "
                    + "device_id, png_sha256, seed, schedule_id, width, height, total_ms, created_ms) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (GeneratedImage i : images) {
                    ps.setString(1, i.requestId());
                    ps.setInt(2, i.index());
                    ps.setString(3, i.deviceId());
                    ps.setString(4, i.sha256());
                    ps.setLong(5, i.seed());
                    ps.setString(6, i.scheduleId());
                    ps.setInt(7, i.width());
                    ps.setInt(8, i.height());
                    ps.setDouble(9, i.totalMs());
                    ps.setLong(10, i.createdMs());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** A device's latest images, newest first. */
    public Future<List<GeneratedImage>> recent(String deviceId, int limit) {
        return db.execute(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT request_id, image_index, device_id, png_sha256, seed, "
                    + "schedule_id, width, height, total_ms, created_ms FROM generated_images WHERE device_id = ? "
                    + "ORDER BY created_ms DESC, request_id DESC, image_index LIMIT ?")) {
                ps.setString(1, deviceId);
                ps.setInt(2, limit);
                List<GeneratedImage> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new GeneratedImage(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                                rs.getLong(5), rs.getString(6), rs.getInt(7), rs.getInt(8), rs.getDouble(9),
                                rs.getLong(10)));
                    }
                }
                return out;
            }
        });
    }
}
