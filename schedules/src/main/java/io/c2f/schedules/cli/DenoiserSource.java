package io.c2f.schedules.cli;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.Resolution;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the tools get a model from. {@code --model synthetic[:two-scale|:low-rank]} selects an
 * analytic {@link SyntheticDenoiserSource}; {@code --model FILE.tflite} a c2f TFLite model with its
 * manifest ({@link TfliteDenoiserSource}).
 */
public interface DenoiserSource {

    /** Opens the denoiser; the caller closes it. */
    Denoiser open() throws IOException;

    /** The model's forward noise schedule (from its manifest). */
    NoiseSchedule noiseSchedule();

    /** sha256 (64 lower-case hex) of the model file, recorded in schedule provenance. */
    String modelSha256();

    /** The full (output) resolution. */
    Resolution highResolution();

    /** The C2F low resolution, if the model has one. */
    Optional<Resolution> lowResolution();

    /**
     * The tools' default TFLite interpreter threads: the CPU count. On an idle 2-core machine 2 threads
     * run a batch of 16 at 32x32 in 102 ms against 177 ms with 1 (schedules/README.md); on a machine
     * busy with other work fewer threads can be faster, hence {@code --threads}.
     */
    static int defaultThreads() {
        return Math.max(1, Math.min(io.c2f.models.tflite.RuntimeOptions.MAX_THREADS,
                Runtime.getRuntime().availableProcessors()));
    }

    /** The source named by a {@code --model} argument (TFLite: one interpreter thread). */
    static DenoiserSource forModel(String model) throws IOException {
        return forModel(model, 1);
    }

    /**
     * The source named by a {@code --model} argument.
     *
     * @param threads TFLite interpreter threads (ignored by the synthetic models)
     */
    static DenoiserSource forModel(String model, int threads) throws IOException {
        if (model.equals("synthetic") || model.startsWith("synthetic:")) {
            return SyntheticDenoiserSource.named(model);
        }
        Path file = Path.of(model);
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--model " + model + ": no such file (or use 'synthetic', "
                    + "'synthetic:two-scale', 'synthetic:low-rank')");
        }
        if (!model.endsWith(".tflite")) {
            throw new IllegalArgumentException("--model " + model + ": expected a .tflite model file (with its "
                    + ".json manifest beside it) or 'synthetic'");
        }
        return new TfliteDenoiserSource(file, threads);
    }
}
