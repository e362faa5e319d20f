package io.c2f.controller.generate;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** One image a device returned for a generate request, as stored. */
public record GeneratedImage(String requestId, int index, String deviceId, String sha256, long seed, String scheduleId,
                             int width, int height, double totalMs, long createdMs) {

    /** Where the API serves the PNG. */
    public String url() {
        return "/api/v1/images/" + sha256 + ".png";
    }

    public JsonObject toJson() {
        return new JsonObject().put("requestId", requestId).put("index", index).put("deviceId", deviceId)
                .put("sha256", sha256).put("url", url()).put("seed", seed).put("scheduleId", scheduleId)
                .put("width", width).put("height", height).put("totalMs", totalMs)
                .put("created", Instant.ofEpochMilli(createdMs).toString());
    }
}
