package io.c2f.schedules.cli;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.Resolution;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Where the tools get a model from. {@code --model synthetic[:two-scale|:low-rank]} selects an
 * analytic {@link SyntheticDenoiserSource}; anything else is a model file, opened by the first
 * {@link Factory} found with {@link ServiceLoader} that accepts it. A TFLite factory (wrapping
 * {@code io.c2f.models.tflite.TfliteDenoiser} and the model manifest) plugs in there by listing itself
 * in {@code META-INF/services/io.c2f.schedules.cli.DenoiserSource$Factory}; nothing here changes.
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

    /** Opens model files of one kind (e.g. .tflite). */
    interface Factory {
        boolean accepts(Path modelFile);

        DenoiserSource open(Path modelFile) throws IOException;
    }

    /** The source named by a {@code --model} argument. */
    static DenoiserSource forModel(String model) throws IOException {
        if (model.equals("synthetic") || model.startsWith("synthetic:")) {
            return SyntheticDenoiserSource.named(model);
        }
        Path file = Path.of(model);
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--model " + model + ": no such file (or use 'synthetic', "
                    + "'synthetic:two-scale', 'synthetic:low-rank')");
        }
        for (Factory f : ServiceLoader.load(Factory.class)) {
            if (f.accepts(file)) {
                return f.open(file);
            }
        }
        throw new IllegalArgumentException("--model " + model + ": no DenoiserSource.Factory on the class path "
                + "accepts this file (a TFLite factory around io.c2f.models.tflite.TfliteDenoiser is the intended "
                + "provider)");
    }
}
