package io.c2f.controller.search;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A schedule search over a registered model: one TRD search per step count K and mode.
 *
 * @param steps the K values, each 2..1000
 * @param mode "full", "c2f" or "both"
 * @param switchIndex C2F switch index for every K; 0 = "auto": the rank analysis recommends the
 *     switch time step (converted to each K's uniform start)
 * @param referenceSteps steps of the full-resolution reference
 * @param calibrationSeeds seeds the search minimises over
 * @param heldoutSeeds seeds the reported held-out loss is measured on
 * @param maxEvaluations per search
 * @param budgetSeconds wall-clock budget per search
 */
public record SearchRequest(List<Integer> steps, String mode, int switchIndex, int referenceSteps,
                            int calibrationSeeds, int heldoutSeeds, int maxEvaluations, int budgetSeconds) {
    private static final Set<String> KEYS = Set.of("k", "mode", "switchIndex", "referenceSteps", "calibrationSeeds",
            "heldoutSeeds", "maxEvaluations", "budgetSeconds");

    public SearchRequest {
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("k must list at least one step count");
        }
        for (int k : steps) {
            if (k < 2 || k > 1000) {
                throw new IllegalArgumentException("k values must be 2..1000, got " + k);
            }
        }
        if (!Set.of("full", "c2f", "both").contains(mode)) {
            throw new IllegalArgumentException("mode must be full, c2f or both, got '" + mode + "'");
        }
        check("switchIndex", switchIndex, 0, 999);
        check("referenceSteps", referenceSteps, 2, 1000);
        check("calibrationSeeds", calibrationSeeds, 1, 256);
        check("heldoutSeeds", heldoutSeeds, 1, 1024);
        check("maxEvaluations", maxEvaluations, 1, 1_000_000);
        check("budgetSeconds", budgetSeconds, 1, 24 * 3600);
    }

    private static void check(String key, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(key + " must be " + min + ".." + max + ", got " + v);
        }
    }

    /** From the API body; unknown keys and wrong types are errors naming the key. */
    public static SearchRequest fromJson(JsonObject o) {
        for (String key : o.fieldNames()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "'; known: " + KEYS);
            }
        }
        Object k = o.getValue("k");
        if (!(k instanceof JsonArray arr)) {
            throw new IllegalArgumentException("k must be an array of step counts, e.g. [4, 6, 8]");
        }
        List<Integer> steps = new ArrayList<>();
        for (Object v : arr) {
            if (!(v instanceof Integer i)) {
                throw new IllegalArgumentException("k must hold integers, got " + v);
            }
            steps.add(i);
        }
        try {
            return new SearchRequest(steps, o.getString("mode", "c2f"), o.getInteger("switchIndex", 0),
                    o.getInteger("referenceSteps", 100), o.getInteger("calibrationSeeds", 16),
                    o.getInteger("heldoutSeeds", 64), o.getInteger("maxEvaluations", 2000),
                    o.getInteger("budgetSeconds", 600));
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("a key has the wrong type: " + e.getMessage());
        }
    }

    public JsonObject toJson() {
        return new JsonObject().put("k", new JsonArray(steps)).put("mode", mode).put("switchIndex", switchIndex)
                .put("referenceSteps", referenceSteps).put("calibrationSeeds", calibrationSeeds)
                .put("heldoutSeeds", heldoutSeeds).put("maxEvaluations", maxEvaluations)
                .put("budgetSeconds", budgetSeconds);
    }

    /** Number of TRD searches this request runs. */
    public int searches() {
        return steps.size() * (mode.equals("both") ? 2 : 1);
    }
}
