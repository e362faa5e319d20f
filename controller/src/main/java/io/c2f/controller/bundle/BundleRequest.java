package io.c2f.controller.bundle;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.c2f.proto.bundle.SemVer;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.HealthProbe;
import io.c2f.proto.v1.ModelInfo;
import io.c2f.proto.v1.Schedule;
import io.c2f.schedules.ScheduleFormatException;
import io.c2f.schedules.ScheduleJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * What a new bundle is made of: a model file on the controller's disk, its ModelInfo (the JSON
 * that models/toolchain's UnetExporter writes next to the model), the schedules it ships with,
 * and optionally a health probe.
 *
 * @param probe without a reference image the device's probe passes once the model loads and generates
 */
public record BundleRequest(String name, String version, String minAgentVersion, Path modelFile,
        ModelInfo modelInfo, List<Schedule> schedules, String defaultScheduleId, Optional<HealthProbe> probe) {

    public BundleRequest {
        schedules = List.copyOf(schedules);
    }

    /** The bundle id devices see: {@code name-version}. */
    public String bundleId() {
        return name + "-" + version;
    }

    /**
     * Reads the JSON body of {@code POST /api/v1/bundles}:
     * <pre>
     * {"name": "unet-s", "version": "1.2.0", "minAgentVersion": "0.1.0",
     *  "modelPath": "/models/unet-s.tflite",
     *  "modelInfoPath": "/models/unet-s.json"  | "modelInfo": {ModelInfo JSON},
     *  "schedulePaths": ["/catalog/c2f-k6.json"] | "schedules": [{Schedule JSON}],
     *  "defaultScheduleId": "c2f-k6",
     *  "probe": {"seed": 1234, "scheduleId": "c2f-k6", "minPsnrDb": 30,
     *            "referencePngPath": "/models/probe.png" | "referencePngBase64": "..."}}
     * </pre>
     * Reads the referenced files. Blocks.
     *
     * @throws RequestException naming the field that is wrong
     */
    public static BundleRequest fromJson(JsonObject body) {
        String name = requiredString(body, "name");
        if (!Topics.isValidId(name) || name.length() > 60) {
            throw RequestException.invalid("name '" + name + "' must be 1-60 characters of [A-Za-z0-9_.-]");
        }
        String version = requiredString(body, "version");
        semver("version", version);
        String minAgent = optionalString(body, "minAgentVersion", "");
        if (!minAgent.isEmpty()) {
            semver("minAgentVersion", minAgent);
        }
        Path model = Path.of(requiredString(body, "modelPath"));
        if (!Files.isRegularFile(model) || !Files.isReadable(model)) {
            throw RequestException.invalid("modelPath '" + model + "' is not a readable file on the controller");
        }
        ModelInfo info = modelInfo(body);
        List<Schedule> schedules = schedules(body);
        String defaultSchedule = optionalString(body, "defaultScheduleId",
                schedules.isEmpty() ? "" : schedules.get(0).getScheduleId());
        Optional<HealthProbe> probe = Optional.empty();
        if (body.containsKey("probe")) {
            probe = Optional.of(probe(object(body, "probe")));
        }
        return new BundleRequest(name, version, minAgent, model, info, schedules, defaultSchedule, probe);
    }

    private static ModelInfo modelInfo(JsonObject body) {
        String json;
        String source;
        if (body.containsKey("modelInfo")) {
            json = object(body, "modelInfo").encode();
            source = "modelInfo";
        } else if (body.containsKey("modelInfoPath")) {
            Path p = Path.of(requiredString(body, "modelInfoPath"));
            json = read(p, "modelInfoPath");
            source = "modelInfoPath '" + p + "'";
        } else {
            throw RequestException.invalid("modelInfo (ModelInfo JSON) or modelInfoPath is required");
        }
        ModelInfo.Builder b = ModelInfo.newBuilder();
        try {
            JsonFormat.parser().merge(json, b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw RequestException.invalid(source + " is not ModelInfo JSON: " + e.getMessage());
        }
        if (b.getResolutionsCount() == 0) {
            throw RequestException.invalid(source + ": resolutions must not be empty");
        }
        return b.build();
    }

    private static List<Schedule> schedules(JsonObject body) {
        List<Schedule> out = new ArrayList<>();
        if (body.containsKey("schedules")) {
            JsonArray a = array(body, "schedules");
            for (int i = 0; i < a.size(); i++) {
                if (!(a.getValue(i) instanceof JsonObject o)) {
                    throw RequestException.invalid("schedules[" + i + "] must be a Schedule JSON object");
                }
                out.add(schedule(o.encode(), "schedules[" + i + "]"));
            }
        }
        if (body.containsKey("schedulePaths")) {
            JsonArray a = array(body, "schedulePaths");
            for (int i = 0; i < a.size(); i++) {
                if (!(a.getValue(i) instanceof String s)) {
                    throw RequestException.invalid("schedulePaths[" + i + "] must be a file path");
                }
                out.add(schedule(read(Path.of(s), "schedulePaths[" + i + "]"), "schedulePaths[" + i + "] '" + s + "'"));
            }
        }
        return out;
    }

    private static Schedule schedule(String json, String source) {
        try {
            // semantic checks too: decreasing timesteps, switch index in range, ...
            return ScheduleJson.parse(json, source).toProto();
        } catch (ScheduleFormatException e) {
            throw RequestException.invalid(e.getMessage());
        }
    }

    private static HealthProbe probe(JsonObject o) {
        HealthProbe.Builder p = HealthProbe.newBuilder();
        Object seed = o.getValue("seed");
        if (!(seed instanceof Number n) || n.longValue() < 0) {
            throw RequestException.invalid("probe.seed must be a non-negative integer");
        }
        p.setSeed(n.longValue());
        p.setScheduleId(optionalString(o, "scheduleId", ""));
        Object min = o.getValue("minPsnrDb", 0.0);
        if (!(min instanceof Number m) || m.doubleValue() < 0 || !Double.isFinite(m.doubleValue())) {
            throw RequestException.invalid("probe.minPsnrDb must be a non-negative number of dB");
        }
        p.setMinPsnrDb(m.doubleValue());
        byte[] png = null;
        if (o.containsKey("referencePngBase64")) {
            try {
                png = Base64.getDecoder().decode(optionalString(o, "referencePngBase64", ""));
            } catch (IllegalArgumentException e) {
                throw RequestException.invalid("probe.referencePngBase64 is not base64: " + e.getMessage());
            }
        } else if (o.containsKey("referencePngPath")) {
            Path f = Path.of(optionalString(o, "referencePngPath", ""));
            try {
                png = Files.readAllBytes(f);
            } catch (IOException e) {
                throw RequestException.invalid("probe.referencePngPath '" + f + "' cannot be read: " + e.getMessage());
            }
        }
        if (png != null) {
            if (png.length < 8 || png[0] != (byte) 0x89 || png[1] != 'P' || png[2] != 'N' || png[3] != 'G') {
                throw RequestException.invalid("probe reference image is not a PNG");
            }
            p.setReferencePng(com.google.protobuf.ByteString.copyFrom(png));
        }
        return p.build();
    }

    private static void semver(String field, String value) {
        try {
            SemVer.parse(value);
        } catch (IllegalArgumentException e) {
            throw RequestException.invalid(field + ": " + e.getMessage());
        }
    }

    private static String read(Path p, String field) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw RequestException.invalid(field + " '" + p + "' cannot be read on the controller: " + e.getMessage());
        }
    }

    static String requiredString(JsonObject o, String key) {
        Object v = o.getValue(key);
        if (!(v instanceof String s) || s.isBlank()) {
            throw RequestException.invalid(key + " is required (a non-empty string)");
        }
        return s;
    }

    static String optionalString(JsonObject o, String key, String fallback) {
        Object v = o.getValue(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String s)) {
            throw RequestException.invalid(key + " must be a string");
        }
        return s;
    }

    private static JsonObject object(JsonObject o, String key) {
        if (!(o.getValue(key) instanceof JsonObject j)) {
            throw RequestException.invalid(key + " must be a JSON object");
        }
        return j;
    }

    private static JsonArray array(JsonObject o, String key) {
        if (!(o.getValue(key) instanceof JsonArray a)) {
            throw RequestException.invalid(key + " must be a JSON array");
        }
        return a;
    }
}
