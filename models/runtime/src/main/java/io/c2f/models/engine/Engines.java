package io.c2f.models.engine;

import java.util.List;
import java.util.ServiceLoader;

/** The {@link DenoiserEngine}s on the class path. */
final class Engines {
    private Engines() {
    }

    static List<DenoiserEngine> all() {
        return ServiceLoader.load(DenoiserEngine.class, Engines.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).toList();
    }

    /** The engine that opens this model file. */
    static DenoiserEngine forFile(String model) {
        List<DenoiserEngine> engines = all();
        for (DenoiserEngine e : engines) {
            if (model.endsWith(e.fileSuffix())) {
                return e;
            }
        }
        if (engines.isEmpty()) {
            throw new IllegalArgumentException("--model " + model + ": no model engine on the class path "
                    + "(add c2f-models-tflite or c2f-models-onnx) to open it; 'synthetic' needs none");
        }
        String suffixes = String.join(", ", engines.stream().map(DenoiserEngine::fileSuffix).toList());
        throw new IllegalArgumentException("--model " + model + ": expected a " + suffixes + " model file (with its "
                + ".json manifest beside it) or 'synthetic'");
    }
}
