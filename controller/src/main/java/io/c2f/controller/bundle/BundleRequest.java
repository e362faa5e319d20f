package io.c2f.controller.bundle;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.c2f.controller.files.FileNameException;
import io.c2f.controller.files.ModelsDirectory;
import io.c2f.proto.bundle.SemVer;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.HealthProbe;
import io.c2f.proto.v1.ModelInfo;
import io.c2f.proto.v1.Schedule;
import io.c2f.schedules.ScheduleFormatException;
import io.c2f.schedules.ScheduleJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a new bundle is made of: the model bytes (uploaded, or a file of the models directory),
 * its ModelInfo (the JSON that models/toolchain's UnetExporter writes next to the model), the
 * schedules it ships with, and optionally a health probe.
 *
 * @param model the model file's bytes (TFLite)
 * @param onnxModel the same model for ONNX Runtime, when it has one (packed as {@code model.onnx})
 * @param probe without a reference image the device's probe passes once the model loads and generates
 */
public record BundleRequest(String name, String version, String minAgentVersion, ByteString model,
        Optional<ByteString> onnxModel, ModelInfo modelInfo, List<Schedule> schedules, String defaultScheduleId, Optional<HealthProbe> probe) {

    /** Largest ModelInfo, schedule or probe image read from the models directory. */
    static final long MAX_SIDE_FILE = 8L * 1024 * 1024;
    /** Request fields that named server paths; refused, saying what to use instead. */
    private static final Map<String, String> RETIRED = Map.of(
            "modelPath", "upload the model (multipart part 'model', or 'modelBase64') or name a file of the "
                    + "models directory in 'modelName'",
            "modelInfoPath", "send the ModelInfo JSON in 'modelInfo' or name a file of the models directory in "
                    + "'modelInfoName'",
            "schedulePaths", "send the schedules in 'schedules' or name files of the models directory in "
                    + "'scheduleNames'",
            "referencePngPath", "send the image in 'referencePngBase64' or name a file of the models directory "
                    + "in 'referencePngName'");

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
     *  "modelName": "unet-s/model.tflite" | "modelBase64": "..." (or the multipart part 'model'),
     *  "onnxName": "unet-s/model.onnx" | "onnxBase64": "..." | "onnx": false,
     *  "modelInfoName": "unet-s/model.json"  | "modelInfo": {ModelInfo JSON},
     *  "scheduleNames": ["unet-s/catalog/c2f-k6.json"] | "schedules": [{Schedule JSON}],
     *  "defaultScheduleId": "c2f-k6",
     *  "probe": {"seed": 1234, "scheduleId": "c2f-k6", "minPsnrDb": 30,
     *            "referencePngName": "unet-s/probe.png" | "referencePngBase64": "..."}}
     * </pre>
     * Names are relative to the models directory ({@link ModelsDirectory}); no field names a server
     * path. Reads the named files. Blocks. A model named by {@code modelName} brings the
     * {@code model.onnx} beside it when there is one (unless {@code "onnx": false}).
     *
     * @param uploaded the model uploaded beside the JSON (multipart), if any
     * @param maxModelBytes largest model accepted, uploaded or named
     * @throws RequestException naming the field that is wrong
     */
    public static BundleRequest fromJson(JsonObject body, ModelsDirectory models, Optional<byte[]> uploaded,
            long maxModelBytes) {
        refuseRetired(body);
        if (body.getValue("probe") instanceof JsonObject p) {
            refuseRetired(p);
        }
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
        byte[] model = model(body, models, uploaded, maxModelBytes);
        Optional<byte[]> onnx = OnnxModelField.read(body, models, maxModelBytes);
        ModelInfo info = modelInfo(body, models);
        List<Schedule> schedules = schedules(body, models);
        String defaultSchedule = optionalString(body, "defaultScheduleId",
                schedules.isEmpty() ? "" : schedules.get(0).getScheduleId());
        Optional<HealthProbe> probe = Optional.empty();
        if (body.containsKey("probe")) {
            probe = Optional.of(probe(object(body, "probe"), models));
        }
        return new BundleRequest(name, version, minAgent, ByteString.copyFrom(model), onnx.map(ByteString::copyFrom),
                info, schedules,
                defaultSchedule, probe);
    }

    static byte[] namedFile(ModelsDirectory models, String field, String name, long max) {
        return named(() -> models.read(field, name, max));
    }

    private static void refuseRetired(JsonObject o) {
        for (Map.Entry<String, String> e : RETIRED.entrySet()) {
            if (o.containsKey(e.getKey())) {
                throw RequestException.invalid(e.getKey() + " is not accepted: the controller opens no path a caller "
                        + "names; " + e.getValue());
            }
        }
    }

    private static byte[] model(JsonObject body, ModelsDirectory models, Optional<byte[]> uploaded, long max) {
        int given = (uploaded.isPresent() ? 1 : 0) + (body.containsKey("modelBase64") ? 1 : 0)
                + (body.containsKey("modelName") ? 1 : 0);
        if (given != 1) {
            throw RequestException.invalid("exactly one model is required: the multipart part 'model', 'modelBase64', "
                    + "or 'modelName' (a file of the models directory)" + (given > 1 ? "; got " + given : ""));
        }
        byte[] bytes;
        if (uploaded.isPresent()) {
            bytes = uploaded.get();
        } else if (body.containsKey("modelBase64")) {
            String b64 = requiredString(body, "modelBase64");
            if ((long) b64.length() / 4 * 3 > max + 3) {
                throw RequestException.invalid("modelBase64 is larger than " + max + " bytes (models.upload.max.bytes)");
            }
            try {
                bytes = Base64.getDecoder().decode(b64);
            } catch (IllegalArgumentException e) {
                throw RequestException.invalid("modelBase64 is not base64");
            }
        } else {
            bytes = named(() -> models.read("modelName", requiredString(body, "modelName"), max));
        }
        if (bytes.length == 0) {
            throw RequestException.invalid("model is empty");
        }
        if (bytes.length > max) {
            throw RequestException.invalid("model has " + bytes.length + " bytes; at most " + max
                    + " (models.upload.max.bytes)");
        }
        return bytes;
    }

    private static ModelInfo modelInfo(JsonObject body, ModelsDirectory models) {
        String json;
        String source;
        boolean file = false;
        if (body.containsKey("modelInfo")) {
            json = object(body, "modelInfo").encode();
            source = "modelInfo";
        } else if (body.containsKey("modelInfoName")) {
            String n = requiredString(body, "modelInfoName");
            json = text(models, "modelInfoName", n);
            source = "modelInfoName '" + n + "'";
            file = true;
        } else {
            throw RequestException.invalid("modelInfo (ModelInfo JSON) or modelInfoName (a file of the models "
                    + "directory) is required");
        }
        ModelInfo.Builder b = ModelInfo.newBuilder();
        try {
            JsonFormat.parser().merge(json, b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            // a parser message quotes the text it choked on: only ever for the caller's own JSON
            throw RequestException.invalid(source + " is not ModelInfo JSON" + (file ? "" : ": " + e.getMessage()));
        }
        if (b.getResolutionsCount() == 0) {
            throw RequestException.invalid(source + ": resolutions must not be empty");
        }
        return b.build();
    }

    private static List<Schedule> schedules(JsonObject body, ModelsDirectory models) {
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
        if (body.containsKey("scheduleNames")) {
            JsonArray a = array(body, "scheduleNames");
            for (int i = 0; i < a.size(); i++) {
                String field = "scheduleNames[" + i + "]";
                if (!(a.getValue(i) instanceof String s)) {
                    throw RequestException.invalid(field + " must be a file name in the models directory");
                }
                String json = text(models, field, s);
                try {
                    out.add(ScheduleJson.parse(json, field + " '" + s + "'").toProto());
                } catch (ScheduleFormatException e) {
                    throw RequestException.invalid(field + " '" + s + "' is not a valid schedule in the catalog JSON "
                            + "format" + (e.field().isEmpty() ? "" : " (field " + e.field() + ")"));
                }
            }
        }
        return out;
    }

    private static String text(ModelsDirectory models, String field, String name) {
        byte[] bytes = named(() -> models.read(field, name, MAX_SIDE_FILE));
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] named(Supplier<byte[]> read) {
        try {
            return read.get();
        } catch (FileNameException e) {
            throw RequestException.invalid(e.getMessage());
        }
    }

    private static Schedule schedule(String json, String source) {
        try {
            // semantic checks too: decreasing timesteps, switch index in range, ...
            return ScheduleJson.parse(json, source).toProto();
        } catch (ScheduleFormatException e) {
            throw RequestException.invalid(e.getMessage());
        }
    }

    private static HealthProbe probe(JsonObject o, ModelsDirectory models) {
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
                throw RequestException.invalid("probe.referencePngBase64 is not base64");
            }
        } else if (o.containsKey("referencePngName")) {
            String pngName = optionalString(o, "referencePngName", "");
            png = named(() -> models.read("probe.referencePngName", pngName, MAX_SIDE_FILE));
        }
        if (png != null) {
            if (png.length < 8 || png[0] != (byte) 0x89 || png[1] != 'P' || png[2] != 'N' || png[3] != 'G') {
                throw RequestException.invalid("probe reference image is not a PNG");
            }
            p.setReferencePng(ByteString.copyFrom(png));
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
