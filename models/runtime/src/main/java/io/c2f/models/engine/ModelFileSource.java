package io.c2f.models.engine;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.ModelInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** A model file and its manifest ({@code model.tflite} + {@code model.json} beside it), opened by an engine. */
final class ModelFileSource implements DenoiserSource {
    private final Path modelFile;
    private final DenoiserEngine engine;
    private final ModelInfo info;
    private final List<Resolution> resolutions;
    private final int threads;

    ModelFileSource(Path modelFile, DenoiserEngine engine, int threads) throws IOException {
        if (threads < 1 || threads > DenoiserEngine.MAX_THREADS) {
            throw new IllegalArgumentException("--threads must be in 1.." + DenoiserEngine.MAX_THREADS + ", got "
                    + threads);
        }
        this.threads = threads;
        this.modelFile = modelFile;
        this.engine = engine;
        String name = modelFile.getFileName().toString();
        Path manifest = modelFile.resolveSibling(
                name.substring(0, name.length() - engine.fileSuffix().length()) + ".json");
        if (!Files.isRegularFile(manifest)) {
            throw new IOException("model manifest " + manifest + " is missing (expected beside " + modelFile + ")");
        }
        ModelInfo.Builder b = ModelInfo.newBuilder();
        try {
            JsonFormat.parser().merge(Files.readString(manifest, StandardCharsets.UTF_8), b);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(manifest + " is not a ModelInfo JSON: " + e.getMessage(), e);
        }
        this.info = b.build();
        this.resolutions = info.getResolutionsList().stream().map(Resolution::fromProto)
                .sorted(Comparator.comparingInt(Resolution::pixels)).toList();
        if (resolutions.isEmpty()) {
            throw new IOException(manifest + " lists no resolutions");
        }
    }

    @Override
    public Denoiser open() throws IOException {
        try {
            return engine.open(modelFile, info, threads);
        } catch (DenoiserException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public NoiseSchedule noiseSchedule() {
        return NoiseSchedule.fromSpec(info.getNoiseSchedule());
    }

    @Override
    public String modelSha256() {
        return info.getModelSha256();
    }

    @Override
    public Resolution highResolution() {
        return resolutions.get(resolutions.size() - 1);
    }

    @Override
    public Optional<Resolution> lowResolution() {
        return resolutions.size() > 1 ? Optional.of(resolutions.get(0)) : Optional.empty();
    }

    @Override
    public String toString() {
        return info.getName() + " (" + modelFile.getFileName() + ")";
    }
}
