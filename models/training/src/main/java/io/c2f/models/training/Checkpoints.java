package io.c2f.models.training;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetWeights;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checkpoint directories {@code step-00001234/} holding {@code weights.safetensors} (raw),
 * {@code ema.safetensors}, optionally {@code adam-m.safetensors} / {@code adam-v.safetensors}, and
 * {@code state.json}. Written to a temporary directory and renamed, so a crash never leaves a
 * half-written "latest" checkpoint.
 */
final class Checkpoints {
    public static final String STATE = "state.json";
    public static final String WEIGHTS = "weights.safetensors";
    public static final String EMA = "ema.safetensors";
    public static final String ADAM_M = "adam-m.safetensors";
    public static final String ADAM_V = "adam-v.safetensors";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private Checkpoints() {
    }

    /** What a checkpoint holds; adamM/adamV are null when it has no moments. */
    public record Loaded(Path directory, CheckpointState state, UnetWeights weights, UnetWeights ema, UnetWeights adamM,
                         UnetWeights adamV) {
    }

    public static Path save(Path outDir, CheckpointState state, UnetWeights weights, UnetWeights ema, UnetWeights adamM,
                            UnetWeights adamV, int keep) throws IOException {
        Files.createDirectories(outDir);
        String name = String.format("step-%08d", state.step());
        Path tmp = Files.createTempDirectory(outDir, "." + name + "-");
        weights.save(tmp.resolve(WEIGHTS));
        ema.save(tmp.resolve(EMA));
        if (adamM != null) {
            adamM.save(tmp.resolve(ADAM_M));
            adamV.save(tmp.resolve(ADAM_V));
        }
        Files.writeString(tmp.resolve(STATE), GSON.toJson(state), StandardCharsets.UTF_8);
        Path target = outDir.resolve(name);
        if (Files.exists(target)) {
            deleteTree(target);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        List<Path> all = list(outDir);
        for (int i = 0; i < all.size() - keep; i++) {
            deleteTree(all.get(i));
        }
        return target;
    }

    /**
     * Writes a checkpoint without Adam moments straight into {@code dir} (e.g. one to commit): raw and
     * EMA weights plus state.json with hasAdamMoments false. {@code --resume dir} accepts it.
     */
    public static void saveWithoutMoments(Path dir, Loaded c) throws IOException {
        Files.createDirectories(dir);
        for (String f : List.of(ADAM_M, ADAM_V)) {
            Files.deleteIfExists(dir.resolve(f));
        }
        c.weights().save(dir.resolve(WEIGHTS));
        c.ema().save(dir.resolve(EMA));
        CheckpointState s = c.state();
        CheckpointState noMoments = new CheckpointState(s.step(), s.seed(), s.lrScale(), s.elapsedSeconds(),
                s.dataManifestSha256(), s.dataDir(), s.unet(), s.batch(), s.learningRate(), s.emaDecay(),
                s.lowResWeight(), false, s.savedAt());
        Files.writeString(dir.resolve(STATE), GSON.toJson(noMoments), StandardCharsets.UTF_8);
    }

    /** The newest checkpoint in {@code dir}, or {@code dir} itself when it is a checkpoint. */
    public static Path latest(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(STATE))) {
            return dir;
        }
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "checkpoint directory does not exist");
        }
        List<Path> all = list(dir);
        if (all.isEmpty()) {
            throw new NoSuchFileException(dir.toString(), null, "no checkpoint (step-*/" + STATE + ") in it");
        }
        return all.get(all.size() - 1);
    }

    /** Loads a checkpoint and checks that it was trained with {@code expected}. */
    public static Loaded load(Path checkpoint, UnetConfig expected) throws IOException {
        CheckpointState state = readState(checkpoint);
        if (state.unet() == null || !state.unet().equals(expected)) {
            throw new IncompatibleCheckpointException(checkpoint + " was trained with UNet config " + state.unet()
                    + ", this run uses " + expected);
        }
        UnetWeights weights = UnetWeights.load(checkpoint.resolve(WEIGHTS), expected);
        UnetWeights ema = UnetWeights.load(checkpoint.resolve(EMA), expected);
        UnetWeights m = null;
        UnetWeights v = null;
        if (state.hasAdamMoments() && Files.isRegularFile(checkpoint.resolve(ADAM_M))
                && Files.isRegularFile(checkpoint.resolve(ADAM_V))) {
            m = UnetWeights.load(checkpoint.resolve(ADAM_M), expected);
            v = UnetWeights.load(checkpoint.resolve(ADAM_V), expected);
        }
        return new Loaded(checkpoint, state, weights, ema, m, v);
    }

    public static CheckpointState readState(Path checkpoint) throws IOException {
        Path file = checkpoint.resolve(STATE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "not a checkpoint: " + STATE + " missing");
        }
        try {
            CheckpointState s = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), CheckpointState.class);
            if (s == null) {
                throw new IOException(file + " is empty");
            }
            return s;
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new IOException(file + " is not a checkpoint state: " + e.getMessage(), e);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(p -> p.getFileName().toString().matches("step-\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve(STATE)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList());
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    /** A checkpoint that cannot continue this run (another architecture). */
    public static final class IncompatibleCheckpointException extends IOException {
        public IncompatibleCheckpointException(String message) {
            super(message);
        }
    }
}
