package io.c2f.controller.search;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A schedule search and where it stands.
 *
 * @param state QUEUED, RUNNING, SUCCEEDED or FAILED
 * @param progress 0..1
 * @param message what it is doing, or why it failed
 * @param results ids of the schedules it added to the model's catalog
 */
public record SearchJob(String id, String modelId, JsonObject request, String state, double progress,
                        String message, List<String> results, long createdMs, long updatedMs) {
    public SearchJob {
        results = List.copyOf(results);
    }

    public boolean finished() {
        return state.equals("SUCCEEDED") || state.equals("FAILED");
    }
}
