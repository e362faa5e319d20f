package io.c2f.agent.engine;

import io.c2f.proto.v1.BundleFile;
import io.c2f.proto.v1.BundleManifest;
import java.util.Optional;

/** The model files a bundle carries, one per engine format. */
final class BundleModels {
    private BundleModels() {
    }

    static Optional<BundleFile> tflite(BundleManifest m) {
        return withSuffix(m, ".tflite");
    }

    static Optional<BundleFile> onnx(BundleManifest m) {
        return withSuffix(m, ".onnx");
    }

    private static Optional<BundleFile> withSuffix(BundleManifest m, String suffix) {
        return m.getFilesList().stream().filter(f -> f.getPath().endsWith(suffix)).findFirst();
    }
}
