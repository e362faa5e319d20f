package io.c2f.models.engine;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.Resolution;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a denoiser comes from, named as the tools' {@code --model} argument names it:
 * {@code synthetic[:two-scale|:low-rank]} for an analytic model, or a model file (e.g.
 * {@code FILE.tflite}) with its manifest beside it, opened by the {@link DenoiserEngine} on the
 * class path that takes that kind of file.
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
     * The tools' default interpreter threads: the CPU count. On an idle 2-core machine 2 threads
     * run a batch of 16 at 32x32 in 102 ms against 177 ms with 1 (schedules/README.md); on a machine
     * busy with other work fewer threads can be faster, hence {@code --threads}.
     */
    static int defaultThreads() {
        return Math.max(1, Math.min(DenoiserEngine.MAX_THREADS, Runtime.getRuntime().availableProcessors()));
    }

    /** The source named by a {@code --model} argument (model files: one interpreter thread). */
    static DenoiserSource forModel(String model) throws IOException {
        return forModel(model, 1);
    }

    /**
     * The source named by a {@code --model} argument.
     *
     * @param threads interpreter threads of a model file (ignored by the synthetic models)
     * @throws IllegalArgumentException when the argument names no synthetic model, no file, or a
     *     file no engine on the class path opens
     * @throws IOException when the model's manifest is missing or unreadable
     */
    static DenoiserSource forModel(String model, int threads) throws IOException {
        if (model.equals("synthetic") || model.startsWith("synthetic:")) {
            return SyntheticDenoiserSource.named(model);
        }
        Path file = Path.of(model);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--model " + model + ": no such file (or use 'synthetic', "
                    + "'synthetic:two-scale', 'synthetic:low-rank')");
        }
        return new ModelFileSource(file, Engines.forFile(model), threads);
    }
}
