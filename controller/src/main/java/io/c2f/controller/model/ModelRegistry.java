package io.c2f.controller.model;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.engine.DenoiserSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validates models before they enter the registry (their schedules: {@code catalog.ScheduleCatalog}).
 * Blocking (opens models, reads files): call on a worker.
 */
public final class ModelRegistry {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private ModelRegistry() {
    }

    /**
     * Opens the model the way the schedule tools do ({@link DenoiserSource#forModel}: a {@code
     * .tflite} file with its manifest beside it, through the TFLite interpreter, or a synthetic
     * model) and describes it. For a file, the sha256 is computed from the bytes and must match
     * the manifest's {@code model_sha256} when the manifest has one.
     */
    public static ModelRecord inspect(String id, String source, long nowMs) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new ModelException("model id must be 1-128 characters of [A-Za-z0-9._-], got '" + id + "'");
        }
        DenoiserSource ds;
        try {
            ds = DenoiserSource.forModel(source);
        } catch (IllegalArgumentException | IOException e) {
            throw new ModelException("model '" + source + "' cannot be loaded: " + e.getMessage(), e);
        }
        String sha = ds.modelSha256();
        if (source.endsWith(".tflite")) {
            String actual = sha256(Path.of(source));
            if (!sha.isEmpty() && !sha.equals(actual)) {
                throw new ModelException("model file " + Path.of(source).getFileName() + " does not match the "
                        + "model_sha256 of its manifest: the file and manifest do not belong together");
            }
            sha = actual;
        }
        try (Denoiser d = ds.open()) {
            List<Resolution> res = new ArrayList<>(d.resolutions());
            res.sort(Comparator.comparingInt(Resolution::pixels));
            Map<Resolution, Long> macs = new LinkedHashMap<>();
            for (Resolution r : res) {
                macs.put(r, d.macsPerForward(r));
            }
            return new ModelRecord(id, source, sha, res, macs, ds.noiseSchedule().trainTimesteps(), nowMs);
        } catch (IOException | RuntimeException e) {
            throw new ModelException("model '" + source + "' does not open: " + e.getMessage(), e);
        }
    }

    private static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new ModelException("cannot read model file " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
