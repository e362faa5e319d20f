package io.c2f.models.onnx;

import io.c2f.proto.bundle.ModelEngines;
import io.c2f.proto.bundle.Sha256;
import io.c2f.proto.v1.ModelFile;
import io.c2f.proto.v1.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The bytes of a c2f .onnx file, read once and checked against the sha256 its manifest lists for
 * engine "onnx"; sessions are built from these bytes, so what was checked is what runs.
 */
final class OnnxModelFile {
    static final String ENGINE = ModelEngines.ONNX;
    /** Far above any edge UNet; a bigger file is refused before it is read into memory. */
    static final long MAX_BYTES = 512L << 20;

    private OnnxModelFile() {
    }

    static byte[] readVerified(Path file, ModelInfo manifest) throws OnnxModelFileException {
        List<ModelFile> listed = manifest.getModelFilesList().stream().filter(f -> f.getEngine().equals(ENGINE))
                .toList();
        if (listed.size() != 1) {
            throw new OnnxModelFileException("manifest of " + file + " lists " + listed.size()
                    + " model files for engine '" + ENGINE + "' (model_files), expected one with its sha256");
        }
        String expected = listed.get(0).getSha256();
        if (!expected.matches("[0-9a-f]{64}")) {
            throw new OnnxModelFileException("manifest sha256 for " + file.getFileName()
                    + " is not 64 lower-case hex digits: \"" + expected + "\"");
        }
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new OnnxModelFileException("model file " + file + " is " + size + " bytes, over the "
                        + MAX_BYTES + " an ONNX UNet of this project may have");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new OnnxModelFileException("cannot read model file " + file + ": " + e, e);
        }
        String actual = Sha256.hex(bytes);
        if (!actual.equals(expected)) {
            throw new OnnxModelFileException(file.getFileName() + " sha256 is " + actual + ", manifest says "
                    + expected + " (corrupted, or not this model's file)");
        }
        return bytes;
    }

}
