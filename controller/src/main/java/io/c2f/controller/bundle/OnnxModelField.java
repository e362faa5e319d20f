package io.c2f.controller.bundle;

import io.c2f.controller.files.ModelsDirectory;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.Base64;
import java.util.Optional;

/**
 * The ONNX model of a bundle request: {@code onnxName} (a file of the models directory),
 * {@code onnxBase64}, or, when the TFLite model is named by {@code modelName}, the
 * {@code .onnx} file beside it if there is one; {@code "onnx": false} leaves it out.
 */
final class OnnxModelField {
    private OnnxModelField() {
    }

    /**
     * @throws RequestException naming the field when the ONNX model is given twice, not found,
     *     empty, too large, or not an ONNX model
     */
    static Optional<byte[]> read(JsonObject body, ModelsDirectory models, long max) {
        Object optOut = body.getValue("onnx");
        if (optOut != null && !Boolean.FALSE.equals(optOut)) {
            throw RequestException.invalid("onnx may only be false (leave the ONNX model out); name it with onnxName "
                    + "or send it in onnxBase64");
        }
        int given = (body.containsKey("onnxName") ? 1 : 0) + (body.containsKey("onnxBase64") ? 1 : 0)
                + (optOut != null ? 1 : 0);
        if (given > 1) {
            throw RequestException.invalid("give at most one of onnxName, onnxBase64 and onnx: false");
        }
        if (optOut != null) {
            return Optional.empty();
        }
        if (body.containsKey("onnxBase64")) {
            String b64 = BundleRequest.requiredString(body, "onnxBase64");
            if ((long) b64.length() / 4 * 3 > max + 3) {
                throw RequestException.invalid("onnxBase64 is larger than " + max + " bytes (models.upload.max.bytes)");
            }
            try {
                return Optional.of(check("onnxBase64", Base64.getDecoder().decode(b64), max));
            } catch (IllegalArgumentException e) {
                throw RequestException.invalid("onnxBase64 is not base64");
            }
        }
        if (body.containsKey("onnxName")) {
            String name = BundleRequest.requiredString(body, "onnxName");
            if (!name.endsWith(".onnx")) {
                throw RequestException.invalid("onnxName '" + name + "' must name a .onnx file");
            }
            return Optional.of(check("onnxName '" + name + "'", BundleRequest.namedFile(models, "onnxName", name, max),
                    max));
        }
        if (body.getValue("modelName") instanceof String modelName && modelName.endsWith(".tflite")) {
            String sibling = modelName.substring(0, modelName.length() - ".tflite".length()) + ".onnx";
            // only a file that is there is read; one that is there but unusable is an error, not skipped
            if (Files.exists(models.root().resolve(sibling), LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(check("the ONNX model '" + sibling + "' beside modelName",
                        BundleRequest.namedFile(models, "onnxName", sibling, max), max));
            }
        }
        return Optional.empty();
    }

    /**
     * Refuses what is plainly not an ONNX model. An ONNX file is a serialized ModelProto whose
     * first field is ir_version (field 1, varint: tag byte 0x08); the engine on the device does the
     * real parsing, and the manifest's sha256 makes sure it gets exactly these bytes.
     */
    static byte[] check(String what, byte[] bytes, long max) {
        if (bytes.length == 0) {
            throw RequestException.invalid(what + " is empty");
        }
        if (bytes.length > max) {
            throw RequestException.invalid(what + " has " + bytes.length + " bytes; at most " + max
                    + " (models.upload.max.bytes)");
        }
        if (bytes[0] != 0x08) {
            throw RequestException.invalid(what + " is not an ONNX model (an ONNX ModelProto starts with its "
                    + "ir_version field)");
        }
        return bytes;
    }
}
