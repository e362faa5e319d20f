package io.c2f.models.tflite;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.MacsAtResolution;
import io.c2f.proto.v1.ModelInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.lite.Interpreter;

/**
 * A {@link Denoiser} running a c2f UNet .tflite file (MODEL_FORMAT.md) with one warm interpreter
 * per resolution.
 *
 * <p>Each resolution's fixed-shape graph is an embedded model view of the file, opened as its own
 * primary subgraph from a slice of one memory-mapped buffer, so the weights are mapped once for
 * all interpreters. The graphs have a variable batch: a batch size other than the current one
 * resizes that interpreter's inputs (CPU delegates handle this; a fixed-shape GPU delegate would
 * rather be fed signature-sized batches by the caller).
 */
public final class TfliteDenoiser implements Denoiser {
    /** Where a file's root model description lists the embedded views (written by the toolchain's GraphBuilder). */
    static final String VIEWS_PREFIX = "c2f-views:";

    private static final class Runner {
        final OpenedInterpreter opened;
        final Interpreter interpreter;
        final int xIndex;
        final int tIndex;
        int batch = -1;
        // per-step buffers, kept while the batch size stays (one allocation per resize, not per step)
        ByteBuffer x;
        ByteBuffer t;
        ByteBuffer out;
        final Object[] inputs = new Object[2];
        final Map<Integer, Object> outputs = new HashMap<>(2);

        Runner(OpenedInterpreter opened) {
            this.opened = opened;
            this.interpreter = opened.interpreter();
            this.xIndex = interpreter.getInputIndex("x");
            this.tIndex = interpreter.getInputIndex("t");
        }
    }

    private final ModelInfo info;
    private final String engine;
    private final Map<Resolution, Runner> runners;
    private final Map<Resolution, Long> macs;
    private final int channels;

    private TfliteDenoiser(ModelInfo info, String engine, Map<Resolution, Runner> runners, Map<Resolution, Long> macs) {
        this.info = info;
        this.engine = engine;
        this.runners = runners;
        this.macs = macs;
        this.channels = info.getChannels();
    }

    /**
     * Loads the TFLite JNI library (once per JVM) and returns where it was loaded from, for code
     * that drives {@code org.tensorflow.lite.Interpreter} itself (the writer's tests).
     *
     * @throws UnsatisfiedLinkError with the reason when no usable library is found
     */
    public static Path loadNativeLibrary() {
        return TfliteNative.load();
    }

    /** The TFLite runtime version the loaded library reports (e.g. "2.6.2"). */
    public static String runtimeVersion() {
        return TfliteNative.runtimeVersion();
    }

    /** Opens with the default runtime options (delegate chain xnnpack, cpu; one thread). */
    public static TfliteDenoiser open(Path modelFile, ModelInfo info) throws DenoiserException {
        return open(modelFile, info, RuntimeOptions.defaults());
    }

    /**
     * Maps the model file, checks it against the manifest's sha256 and opens one interpreter per
     * resolution listed in the manifest, each through the delegate chain (which warms it up with
     * one inference on zeros and records why each delegate ran or passed).
     */
    public static TfliteDenoiser open(Path modelFile, ModelInfo info, RuntimeOptions options)
            throws DenoiserException {
        TfliteNative.load();
        MappedByteBuffer mapped;
        try (FileChannel ch = FileChannel.open(modelFile, StandardOpenOption.READ)) {
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        } catch (IOException e) {
            throw new DenoiserException("cannot map model file " + modelFile + ": " + e.getMessage(), e);
        }
        String sha = sha256(mapped);
        if (!info.getModelSha256().isEmpty() && !info.getModelSha256().equalsIgnoreCase(sha)) {
            throw new DenoiserException("model file " + modelFile + " has sha256 " + sha + ", the manifest says "
                    + info.getModelSha256());
        }
        Map<String, Integer> views = views(mapped, modelFile);
        Map<Resolution, Runner> runners = new LinkedHashMap<>();
        Map<Resolution, Long> macs = new HashMap<>();
        try {
            for (MacsAtResolution m : info.getMacsPerForwardList()) {
                Resolution r = new Resolution(m.getResolution().getHeight(), m.getResolution().getWidth());
                Integer distance = views.get(m.getSignature());
                if (distance == null) {
                    throw new DenoiserException("model file " + modelFile + " has no graph '" + m.getSignature()
                            + "' for " + r + "; it has " + views.keySet());
                }
                ByteBuffer view = mapped.duplicate().position(mapped.capacity() - distance).slice()
                        .order(ByteOrder.nativeOrder());
                try {
                    runners.put(r, new Runner(options.chain().open(view, options.threads(), InterpreterProbe.zeros())));
                } catch (UnsupportedOpException | DelegateChainException e) {
                    throw new DenoiserException("cannot run the " + r + " graph of " + modelFile + ": "
                            + e.getMessage(), e);
                }
                macs.put(r, m.getMacs());
            }
        } catch (DenoiserException | RuntimeException e) {
            runners.values().forEach(runner -> runner.opened.close());
            if (e instanceof DenoiserException de) {
                throw de;
            }
            throw new DenoiserException("cannot create interpreter for " + modelFile + ": " + e.getMessage(), e);
        }
        if (runners.isEmpty()) {
            throw new DenoiserException("manifest of " + modelFile + " lists no resolutions");
        }
        String engine = "tflite/" + String.join("+", runners.values().stream().map(r -> r.opened.activeLink())
                .distinct().toList());
        return new TfliteDenoiser(info, engine, runners, macs);
    }

    @Override
    public synchronized ImageBatch predictNoise(ImageBatch xt, int timestep) throws DenoiserException {
        Runner runner = runners.get(xt.resolution());
        if (runner == null) {
            throw new DenoiserException("model has no graph for " + xt.resolution() + "; it runs " + resolutions());
        }
        if (xt.channels() != channels) {
            throw new DenoiserException("model takes " + channels + " channels, got " + xt.channels());
        }
        int b = xt.batch();
        try {
            if (runner.batch != b) {
                runner.interpreter.resizeInput(runner.xIndex, new int[] {b, xt.height(), xt.width(), channels});
                runner.interpreter.resizeInput(runner.tIndex, new int[] {b});
                runner.interpreter.allocateTensors();
                // a step used to allocate three direct buffers (issue 18: RSS while generating); they
                // are allocated here, once per batch size, and reused (predictNoise is synchronized)
                runner.x = ByteBuffer.allocateDirect(xt.data().length * 4).order(ByteOrder.nativeOrder());
                runner.t = ByteBuffer.allocateDirect(b * 4).order(ByteOrder.nativeOrder());
                runner.out = ByteBuffer.allocateDirect(xt.data().length * 4).order(ByteOrder.nativeOrder());
                runner.inputs[runner.xIndex] = runner.x;
                runner.inputs[runner.tIndex] = runner.t;
                runner.outputs.put(0, runner.out);
                runner.batch = b;
            }
            ByteBuffer x = runner.x;
            x.clear();
            x.asFloatBuffer().put(xt.data());
            ByteBuffer t = runner.t;
            t.clear();
            for (int i = 0; i < b; i++) {
                t.putFloat((float) timestep);
            }
            t.rewind();
            ByteBuffer out = runner.out;
            out.clear();
            runner.interpreter.runForMultipleInputsOutputs(runner.inputs, runner.outputs);
            out.rewind();
            // the result is the caller's to keep: a fresh array (the only per-step allocation left)
            float[] eps = new float[xt.data().length];
            out.asFloatBuffer().get(eps);
            return new ImageBatch(eps, b, xt.resolution(), channels);
        } catch (RuntimeException e) {
            runner.batch = -1; // never trust an interpreter's allocation after a failure
            throw new DenoiserException("TFLite failed on " + xt + " at t=" + timestep + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Set<Resolution> resolutions() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(runners.keySet()));
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public long macsPerForward(Resolution resolution) {
        Long m = macs.get(resolution);
        if (m == null) {
            throw new IllegalArgumentException("model has no graph for " + resolution);
        }
        return m;
    }

    @Override
    public String engine() {
        return engine;
    }

    public ModelInfo info() {
        return info;
    }

    /** What each link of the delegate chain did, per resolution (for births and telemetry). */
    public Map<Resolution, List<LinkOutcome>> delegateOutcomes() {
        Map<Resolution, List<LinkOutcome>> out = new LinkedHashMap<>();
        runners.forEach((r, runner) -> out.put(r, runner.opened.outcomes()));
        return out;
    }

    @Override
    public synchronized void close() {
        runners.values().forEach(r -> r.opened.close());
    }

    /**
     * Reads the root Model's description (flatbuffer field 3) and parses "c2f-views:key=distance,...":
     * the root header of view key starts distance bytes before the end of the file.
     */
    static Map<String, Integer> views(ByteBuffer file, Path name) throws DenoiserException {
        ByteBuffer b = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.capacity() < 8 || b.get(4) != 'T' || b.get(5) != 'F' || b.get(6) != 'L' || b.get(7) != '3') {
            throw new DenoiserException(name + " is not a TFLite model: expected file identifier TFL3 at bytes 4..7 ("
                    + b.capacity() + " bytes)");
        }
        try {
            int root = b.getInt(0);
            int vtable = root - b.getInt(root);
            int vtableLength = b.getShort(vtable) & 0xffff;
            int field = 4 + 2 * 3;
            int offset = field < vtableLength ? b.getShort(vtable + field) & 0xffff : 0;
            if (offset == 0) {
                throw new DenoiserException(name + " is not a c2f model file: the root model has no description");
            }
            int ref = root + offset;
            int str = ref + b.getInt(ref);
            byte[] text = new byte[b.getInt(str)];
            b.position(str + 4);
            b.get(text);
            String description = new String(text, StandardCharsets.UTF_8);
            if (!description.startsWith(VIEWS_PREFIX)) {
                throw new DenoiserException(name + " is not a c2f model file: description '" + description + "'");
            }
            Map<String, Integer> views = new LinkedHashMap<>();
            for (String entry : description.substring(VIEWS_PREFIX.length()).split(",")) {
                if (!entry.isBlank()) {
                    String[] kv = entry.split("=");
                    int distance = Integer.parseInt(kv[1]);
                    if (distance <= 0 || distance > b.capacity()) {
                        throw new DenoiserException(name + ": view " + kv[0] + " lies outside the file");
                    }
                    views.put(kv[0], distance);
                }
            }
            return views;
        } catch (IndexOutOfBoundsException e) {
            throw new DenoiserException(name + " is truncated or corrupt: its root model points past the end of its "
                    + b.capacity() + " bytes", e);
        } catch (IllegalArgumentException e) {
            throw new DenoiserException(name + " is not a valid c2f model file: " + e, e);
        }
    }

    private static String sha256(ByteBuffer data) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(data.duplicate());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
