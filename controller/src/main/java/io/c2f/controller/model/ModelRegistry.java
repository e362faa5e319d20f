package io.c2f.controller.model;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.tensor.Resolution;
import io.c2f.schedules.Schedule;
import io.c2f.schedules.ScheduleFormatException;
import io.c2f.schedules.ScheduleJson;
import io.c2f.models.engine.DenoiserSource;
import java.io.IOException;
import java.io.InputStream;
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
 * Validates models and schedules before they enter the registry. Blocking (opens models, reads
 * files): call on a worker.
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
            Map<String, Long> macs = new LinkedHashMap<>();
            List<String> names = new ArrayList<>();
            for (Resolution r : res) {
                names.add(name(r));
                macs.put(name(r), d.macsPerForward(r));
            }
            return new ModelRecord(id, source, sha, names, macs, ds.noiseSchedule().trainTimesteps(), nowMs);
        } catch (IOException | RuntimeException e) {
            throw new ModelException("model '" + source + "' does not open: " + e.getMessage(), e);
        }
    }

    /** Reads every {@code *.json} of a catalog directory (ScheduleJson format) and checks them against the model. */
    public static List<CatalogEntry> readCatalog(ModelRecord model, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelException("catalog directory " + dir + " does not exist");
        }
        List<Schedule> schedules;
        try {
            schedules = ScheduleJson.readCatalog(dir);
        } catch (ScheduleFormatException | java.io.UncheckedIOException e) {
            throw new ModelException(e.getMessage(), e);
        }
        List<CatalogEntry> out = new ArrayList<>();
        for (Schedule s : schedules) {
            out.add(entry(model, s));
        }
        return out;
    }

    /** Parses one schedule in the catalog JSON format. */
    public static CatalogEntry parse(ModelRecord model, String json, String source) {
        try {
            return entry(model, ScheduleJson.parse(json, source));
        } catch (ScheduleFormatException e) {
            throw new ModelException(e.getMessage(), e);
        }
    }

    /**
     * Checks a schedule against the model (time steps within T, resolutions the model has) and
     * fills MACs per image from the model when the provenance has none.
     */
    public static CatalogEntry entry(ModelRecord model, Schedule s) {
        List<Resolution> res = model.resolutions().stream().map(ModelRegistry::resolution).toList();
        try {
            s.plan().validateFor(model.trainTimesteps(), res);
        } catch (RuntimeException e) {
            throw new ModelException("schedule " + s.id() + " does not fit model " + model.id() + ": " + e.getMessage(), e);
        }
        int low = s.plan().switchIndex();
        int high = s.plan().steps() - low;
        long macs = s.provenance().getMacsPerImage();
        if (macs == 0) {
            long lowMacs = low == 0 ? 0 : model.macsPerForward().getOrDefault(name(s.plan().low()), 0L);
            long highMacs = model.macsPerForward().getOrDefault(name(s.plan().high()), 0L);
            macs = low * lowMacs + high * highMacs;
        }
        io.c2f.proto.v1.Schedule proto = s.toProto();
        if (proto.getProvenance().getMacsPerImage() == 0) {
            proto = proto.toBuilder().setProvenance(proto.getProvenance().toBuilder().setMacsPerImage(macs)).build();
        }
        return new CatalogEntry(model.id(), s.id(), low, high, s.provenance().getHeldoutLoss(), macs,
                s.provenance().getMethod().name(), proto);
    }

    static String name(Resolution r) {
        return r.height() + "x" + r.width();
    }

    static Resolution resolution(String name) {
        String[] p = name.split("x");
        return new Resolution(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new ModelException("cannot read model file " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
