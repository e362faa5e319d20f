package io.c2f.controller.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * A POST /api/v1/bundles request for the agents' simulated engine: 8x8 and 16x16 graphs with
 * nominal MACs, one C2F schedule; the model bytes are random (the simulated engine never runs them).
 * Used by the rollout benchmark and by the tests that roll bundles out to simulated agents.
 */
public final class SyntheticBundleRequest {
    private SyntheticBundleRequest() {
    }

    static JsonObject resolution(int side) {
        return new JsonObject().put("height", side).put("width", side);
    }

    /** The ModelInfo JSON of the synthetic model. */
    public static JsonObject modelInfo() {
        return new JsonObject().put("name", "synthetic")
                .put("resolutions", new JsonArray().add(resolution(8)).add(resolution(16)))
                .put("noiseSchedule", new JsonObject().put("kind", "BETA_SCHEDULE_LINEAR").put("trainTimesteps", 1000)
                        .put("betaStart", 1e-4).put("betaEnd", 0.02))
                .put("macsPerForward", new JsonArray()
                        .add(new JsonObject().put("resolution", resolution(8)).put("macs", "1000000"))
                        .add(new JsonObject().put("resolution", resolution(16)).put("macs", "4000000")));
    }

    /** A schedule of the synthetic model: steps, and the index of the first 16x16 step. */
    public static JsonObject schedule(String id, List<Integer> timesteps, int switchIndex) {
        return new JsonObject().put("scheduleId", id).put("timesteps", new JsonArray(timesteps))
                .put("switchIndex", switchIndex).put("lowResolution", resolution(8)).put("highResolution", resolution(16))
                .put("switchMethod", "SWITCH_METHOD_UPSAMPLE_XT_VARIANCE_CORRECTED")
                .put("interpolation", "INTERPOLATION_NEAREST").put("sampler", "SAMPLER_DDIM");
    }

    /**
     * The request for bundle {@code name-version} with {@code bytes} random model bytes (from
     * {@code seed}) uploaded in the request ({@code modelBase64}) and the one schedule "c2f-k6".
     */
    public static JsonObject of(int bytes, long seed, String name, String version) {
        return new JsonObject().put("name", name).put("version", version).put("minAgentVersion", "0.1.0")
                .put("modelBase64", randomBase64(bytes, seed)).put("modelInfo", modelInfo())
                .put("schedules", new JsonArray().add(schedule("c2f-k6", List.of(900, 700, 500, 300, 150, 50), 3)))
                .put("defaultScheduleId", "c2f-k6");
    }

    /**
     * The request with an ONNX model file of {@code bytes} random bytes from {@code seed} beside the
     * TFLite one (starting with the tag of ModelProto.ir_version, as the controller checks; the
     * simulated engine never opens it).
     */
    public static JsonObject withOnnx(JsonObject request, int bytes, long seed) {
        byte[] onnx = random(bytes, seed);
        onnx[0] = 0x08;
        return request.copy().put("onnxBase64", Base64.getEncoder().encodeToString(onnx));
    }

    /**
     * A schedule-only change of the request: the same model files (so the same bundle payload) under
     * {@code version}, with a second schedule "c2f-k4" in its catalog.
     */
    public static JsonObject scheduleOnly(JsonObject request, String version) {
        return request.copy().put("version", version).put("schedules", request.getJsonArray("schedules").copy()
                .add(schedule("c2f-k4", List.of(900, 600, 300, 50), 2)));
    }

    private static String randomBase64(int bytes, long seed) {
        return Base64.getEncoder().encodeToString(random(bytes, seed));
    }

    private static byte[] random(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }
}
