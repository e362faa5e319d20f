package io.c2f.controller.bundle;

import io.c2f.proto.bundle.ModelEngines;
import io.c2f.proto.bundle.Sha256;
import io.c2f.proto.v1.ModelFile;
import io.c2f.proto.v1.ModelInfo;
import java.util.Optional;

/**
 * The ModelInfo.model_files a bundle's manifest carries: exactly the model files the bundle ships
 * (tflite always, onnx when given), each with the path in the bundle and the sha256 and size of
 * the bytes packed. Entries the request's ModelInfo brings (from the toolchain's model.json) must
 * name the same bytes: a mismatch means the model and its description belong to different models.
 */
final class BundleModelFiles {
    private BundleModelFiles() {
    }

    /** @throws RequestException naming the engine whose listed sha256 is not the file's */
    static ModelInfo describe(ModelInfo info, String tflitePath, byte[] tflite, Optional<byte[]> onnx,
            String onnxPath) {
        ModelInfo.Builder b = info.toBuilder().clearModelFiles();
        b.addModelFiles(checked(info, ModelEngines.TFLITE, tflitePath, tflite));
        onnx.ifPresent(bytes -> b.addModelFiles(checked(info, ModelEngines.ONNX, onnxPath, bytes)));
        return b.build();
    }

    private static ModelFile checked(ModelInfo info, String engine, String path, byte[] bytes) {
        String sha = Sha256.hex(bytes);
        for (ModelFile f : info.getModelFilesList()) {
            if (f.getEngine().equals(engine) && !f.getSha256().equalsIgnoreCase(sha)) {
                // no hash in the message: a hash of a file is already a leak of it
                throw RequestException.invalid("modelInfo.modelFiles lists a sha256 for engine " + engine
                        + " that is not the " + engine + " model's: the model files and their ModelInfo belong to "
                        + "different models");
            }
        }
        return ModelFile.newBuilder().setEngine(engine).setPath(path).setSha256(sha).setSizeBytes(bytes.length).build();
    }
}
