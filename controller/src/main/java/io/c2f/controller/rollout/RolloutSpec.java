package io.c2f.controller.rollout;

import io.c2f.controller.bundle.RequestException;
import io.c2f.proto.topic.Topics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an operator asks for: which bundle, to which devices, in which waves, and when to stop.
 * <pre>
 * {"bundleId": "unet-s-1.2.0",
 *  "target": {"devices": ["rpi-01", ...]} | {"labels": {"site": "lab"}} | {"all": true},
 *  "waves": {"canary": 1 | "canaryPercent": 5, "growth": 2.0, "maxWaveSize": 0, "minSuccessPercent": 100},
 *  "abort": {"maxFailurePercent": 20, "minFinished": 1, "minProbePsnrDb": 30},
 *  "timeouts": {"jobMs": 600000, "stepMs": 300000},
 *  "engine": "onnx"}
 * </pre>
 * {@code engine} ("tflite" or "onnx", optional) pins the engine every device of the rollout must run
 * the bundle on: it travels in the signed install order, and a device whose pinned engine cannot
 * open the bundle fails the job with the reason (details "refusal"). Rollbacks are not pinned.
 */
record RolloutSpec(String bundleId, Target target, WavePolicy waves, AbortPolicy abort, long jobTimeoutMs,
        long stepTimeoutMs, String engine) {
    static final Set<String> ENGINES = Set.of("tflite", "onnx");

    RolloutSpec(String bundleId, Target target, WavePolicy waves, AbortPolicy abort, long jobTimeoutMs,
            long stepTimeoutMs) {
        this(bundleId, target, waves, abort, jobTimeoutMs, stepTimeoutMs, "");
    }

    /** Devices by id, by labels (all must match), or every device of the fleet. */
    public record Target(List<String> devices, Map<String, String> labels, boolean all) {
        public Target {
            devices = List.copyOf(devices);
            labels = Map.copyOf(labels);
        }

        /** Whether a device with these labels ("key=value") is targeted by labels or all. */
        public boolean matchesLabels(List<String> deviceLabels) {
            if (all) {
                return true;
            }
            Map<String, String> have = new LinkedHashMap<>();
            for (String l : deviceLabels) {
                int eq = l.indexOf('=');
                if (eq > 0) {
                    have.put(l.substring(0, eq), l.substring(eq + 1));
                } else {
                    have.put(l, "");
                }
            }
            return labels.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey())));
        }

        JsonObject toJson() {
            if (all) {
                return new JsonObject().put("all", true);
            }
            if (!devices.isEmpty()) {
                return new JsonObject().put("devices", new JsonArray(new ArrayList<>(devices)));
            }
            return new JsonObject().put("labels", new JsonObject(new LinkedHashMap<>(labels)));
        }
    }

    /**
     * Exponentially growing waves: a canary (a count, or a percentage of the target), then each
     * wave {@code growth} times the previous one, at most {@code maxWaveSize} (0: no cap). A wave
     * passes when at least {@code minSuccessPercent} of its devices succeeded.
     */
    public record WavePolicy(int canary, double canaryPercent, double growth, int maxWaveSize,
            double minSuccessPercent) {
        /** The wave sizes for a target of n devices. */
        public List<Integer> sizes(int n) {
            List<Integer> out = new ArrayList<>();
            int first = canary > 0 ? canary : (int) Math.ceil(n * canaryPercent / 100.0);
            int size = Math.max(1, Math.min(n, first));
            int left = n;
            while (left > 0) {
                int s = Math.min(left, maxWaveSize > 0 ? Math.min(size, maxWaveSize) : size);
                out.add(s);
                left -= s;
                size = (int) Math.min(Integer.MAX_VALUE, Math.max(size + (growth > 1 ? 1 : 0),
                        Math.ceil(size * growth)));
            }
            return out;
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject().put("growth", growth).put("maxWaveSize", maxWaveSize)
                    .put("minSuccessPercent", minSuccessPercent);
            return canary > 0 ? o.put("canary", canary) : o.put("canaryPercent", canaryPercent);
        }
    }

    /**
     * When to stop: more than {@code maxFailurePercent} of the finished jobs failed (counted once
     * at least {@code minFinished} finished), where a job whose probe PSNR is below
     * {@code minProbePsnrDb} (NaN: no such rule) counts as failed even if the device accepted it.
     */
    public record AbortPolicy(double maxFailurePercent, int minFinished, double minProbePsnrDb) {
        JsonObject toJson() {
            JsonObject o = new JsonObject().put("maxFailurePercent", maxFailurePercent).put("minFinished", minFinished);
            return Double.isNaN(minProbePsnrDb) ? o : o.put("minProbePsnrDb", minProbePsnrDb);
        }
    }

    public JsonObject toJson() {
        return new JsonObject().put("bundleId", bundleId).put("target", target.toJson()).put("waves", waves.toJson())
                .put("abort", abort.toJson())
                .put("timeouts", new JsonObject().put("jobMs", jobTimeoutMs).put("stepMs", stepTimeoutMs))
                .put("engine", engine.isEmpty() ? null : engine);
    }

    /**
     * Reads and validates a request body.
     *
     * @throws RequestException (INVALID) naming the field
     */
    public static RolloutSpec fromJson(JsonObject o) {
        if (o == null) {
            throw RequestException.invalid("body must be a JSON object");
        }
        Object b = o.getValue("bundleId");
        if (!(b instanceof String bundleId) || bundleId.isBlank()) {
            throw RequestException.invalid("bundleId is required (a non-empty string)");
        }
        JsonObject t = object(o, "target", null);
        if (t == null) {
            throw RequestException.invalid("target is required: {\"devices\": [...]}, {\"labels\": {...}} or "
                    + "{\"all\": true}");
        }
        int kinds = (t.containsKey("devices") ? 1 : 0) + (t.containsKey("labels") ? 1 : 0)
                + (t.containsKey("all") ? 1 : 0);
        if (kinds != 1) {
            throw RequestException.invalid("target must have exactly one of devices, labels, all");
        }
        List<String> devices = new ArrayList<>();
        Map<String, String> labels = new LinkedHashMap<>();
        boolean all = false;
        if (t.containsKey("devices")) {
            if (!(t.getValue("devices") instanceof JsonArray a) || a.isEmpty()) {
                throw RequestException.invalid("target.devices must be a non-empty array of device ids");
            }
            for (int i = 0; i < a.size(); i++) {
                if (!(a.getValue(i) instanceof String id) || !Topics.isValidId(id)) {
                    throw RequestException.invalid("target.devices[" + i + "] '" + a.getValue(i)
                            + "' is not a device id (1-64 characters of [A-Za-z0-9_.-])");
                }
                if (devices.contains(id)) {
                    throw RequestException.invalid("target.devices[" + i + "] '" + id + "' is listed twice");
                }
                devices.add(id);
            }
        } else if (t.containsKey("labels")) {
            if (!(t.getValue("labels") instanceof JsonObject l) || l.isEmpty()) {
                throw RequestException.invalid("target.labels must be a non-empty object of key: value");
            }
            for (String k : l.fieldNames()) {
                if (!(l.getValue(k) instanceof String v)) {
                    throw RequestException.invalid("target.labels." + k + " must be a string");
                }
                labels.put(k, v);
            }
        } else {
            if (!Boolean.TRUE.equals(t.getValue("all"))) {
                throw RequestException.invalid("target.all must be true");
            }
            all = true;
        }
        JsonObject w = object(o, "waves", new JsonObject());
        int canary = (int) number(w, "waves.canary", "canary", 0, 0, 1_000_000);
        double canaryPercent = number(w, "waves.canaryPercent", "canaryPercent", 0, 0, 100);
        if (w.containsKey("canary") && w.containsKey("canaryPercent")) {
            throw RequestException.invalid("waves: give canary or canaryPercent, not both");
        }
        if (canary == 0 && canaryPercent == 0) {
            canary = 1;
        }
        if (w.containsKey("canary") && canary < 1) {
            throw RequestException.invalid("waves.canary must be at least 1");
        }
        double growth = number(w, "waves.growth", "growth", 2.0, 1.0, 100);
        int maxWave = (int) number(w, "waves.maxWaveSize", "maxWaveSize", 0, 0, 1_000_000);
        double minSuccess = number(w, "waves.minSuccessPercent", "minSuccessPercent", 100, 0, 100);
        JsonObject a = object(o, "abort", new JsonObject());
        double maxFailure = number(a, "abort.maxFailurePercent", "maxFailurePercent", 20, 0, 100);
        int minFinished = (int) number(a, "abort.minFinished", "minFinished", 1, 1, 1_000_000);
        double minPsnr = a.containsKey("minProbePsnrDb")
                ? number(a, "abort.minProbePsnrDb", "minProbePsnrDb", 0, 0, 1000) : Double.NaN;
        JsonObject to = object(o, "timeouts", new JsonObject());
        long jobMs = (long) number(to, "timeouts.jobMs", "jobMs", 600_000, 1000, 7L * 24 * 3600 * 1000);
        long stepMs = (long) number(to, "timeouts.stepMs", "stepMs", 300_000, 1000, 7L * 24 * 3600 * 1000);
        Object e = o.getValue("engine");
        if (e != null && (!(e instanceof String engine) || !ENGINES.contains(engine))) {
            throw RequestException.invalid("engine must be one of " + new TreeSet<>(ENGINES)
                    + " (or left out for each device's own choice)");
        }
        return new RolloutSpec(bundleId, new Target(devices, labels, all),
                new WavePolicy(canary, canaryPercent, growth, maxWave, minSuccess),
                new AbortPolicy(maxFailure, minFinished, minPsnr), jobMs, stepMs, e == null ? "" : (String) e);
    }

    private static JsonObject object(JsonObject o, String key, JsonObject fallback) {
        Object v = o.getValue(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof JsonObject j)) {
            throw RequestException.invalid(key + " must be a JSON object");
        }
        return j;
    }

    private static double number(JsonObject o, String name, String key, double fallback, double min, double max) {
        Object v = o.getValue(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < min
                || n.doubleValue() > max) {
            throw RequestException.invalid(name + " must be a number in [" + fmt(min) + ", " + fmt(max) + "], got "
                    + v);
        }
        return n.doubleValue();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
