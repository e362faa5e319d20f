package io.c2f.models.unet;

import io.c2f.models.tensor.Resolution;
import io.c2f.models.writer.WeightType;
import io.c2f.proto.v1.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which model a command runs: a model file with its manifest, the shipped model, or (only when
 * asked or when nothing is shipped yet) the shipped architecture with random weights, labelled as
 * such in every output.
 *
 * @param modelFile the .tflite
 * @param info its manifest
 * @param description what it is, for people ("shipped model emoji32-c2f", "random weights ...")
 */
public record ModelSource(Path modelFile, ModelInfo info, String description) {
    /** The shipped model, relative to the repository root. */
    public static final Path SHIPPED = Path.of("models/zoo/emoji32-c2f/model.tflite");

    public static ModelSource of(Path modelFile) throws IOException {
        if (!Files.isRegularFile(modelFile)) {
            throw new IOException("model file " + modelFile + " does not exist");
        }
        Path manifest = UnetExporter.manifestPath(modelFile);
        if (!Files.isRegularFile(manifest)) {
            throw new IOException("model manifest " + manifest + " does not exist (expected next to " + modelFile + ")");
        }
        ModelInfo info = UnetExporter.readManifest(manifest);
        return new ModelSource(modelFile, info, "model " + info.getName() + " (" + modelFile + ")");
    }

    /** The edge architecture the project ships, with seeded random weights, exported to dir. */
    public static ModelSource randomEdgeModel(Path dir) throws IOException {
        Files.createDirectories(dir);
        UnetWeights weights = UnetWeights.random(UnetConfig.edgeSmall(), 1, 1.0);
        UnetExporter.ExportedModel m = UnetExporter.export(weights,
                List.of(Resolution.square(32), Resolution.square(16)), WeightType.FP32, "edge-small-random",
                dir.resolve("edge-small-random.tflite"));
        return new ModelSource(m.modelFile(), m.info(),
                "the shipped architecture (edgeSmall, " + m.info().getParameters() + " parameters) with RANDOM weights");
    }

    /** --model PATH, else the shipped model if present, else the random-weight architecture. */
    public static ModelSource resolve(String modelArg, Path workDir) throws IOException {
        if (modelArg != null && !modelArg.equals("random")) {
            return of(Path.of(modelArg));
        }
        if (modelArg == null && Files.isRegularFile(SHIPPED)) {
            ModelSource s = of(SHIPPED);
            return new ModelSource(s.modelFile(), s.info(), "shipped model " + s.info().getName());
        }
        return randomEdgeModel(workDir);
    }
}
