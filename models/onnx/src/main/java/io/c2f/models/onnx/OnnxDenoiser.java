package io.c2f.models.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import io.c2f.proto.v1.MacsAtResolution;
import io.c2f.proto.v1.ModelInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Denoiser} running a c2f UNet .onnx file (one graph, symbolic batch/height/width; written
 * by the toolchain's UnetExporter) in ONNX Runtime, with one warm session per resolution.
 *
 * <p>Each session binds "height" and "width" to its resolution (ONNX Runtime's free-dimension
 * override, {@code setSymbolicDimensionValue} in its Java API), so its graph is optimised for fixed
 * image shapes; the batch stays free. Input and output tensors are direct buffers reused from step
 * to step while the batch size stays the same (the output is pinned, so ONNX Runtime writes into
 * it); each prediction allocates only the returned array.
 */
public final class OnnxDenoiser implements Denoiser {
    static final String CUDA_NOT_BUILT =
            "CUDA execution provider not in this ONNX Runtime build (onnxruntime_gpu adds it)";

    private final Map<Resolution, OnnxRunner> runners;
    private final Map<Resolution, Long> macs;
    private final String provider;
    private final int channels;

    private OnnxDenoiser(Map<Resolution, OnnxRunner> runners, Map<Resolution, Long> macs, String provider,
                         int channels) {
        this.runners = runners;
        this.macs = macs;
        this.provider = provider;
        this.channels = channels;
    }

    /** The ONNX Runtime version (loads its native library on first use), e.g. "1.20.0". */
    public static String runtimeVersion() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    /**
     * Reads the file, checks it against the manifest's sha256 for engine "onnx", and opens one session
     * per resolution of the manifest on the first execution provider of {@code options} that takes
     * the model; each session is warmed up with one inference on zeros.
     *
     * @throws OnnxModelFileException when the file is missing, corrupted, foreign or not a c2f UNet
     * @throws OnnxProviderException when none of the providers asked for is available
     */
    public static OnnxDenoiser open(Path onnxFile, ModelInfo manifest, OnnxOptions options)
            throws DenoiserException {
        byte[] model = OnnxModelFile.readVerified(onnxFile, manifest);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<Resolution, Long> macs = new HashMap<>();
        for (MacsAtResolution m : manifest.getMacsPerForwardList()) {
            macs.put(Resolution.fromProto(m.getResolution()), m.getMacs());
        }
        List<Resolution> resolutions = manifest.getResolutionsList().stream().map(Resolution::fromProto).toList();
        if (resolutions.isEmpty()) {
            throw new OnnxModelFileException("manifest of " + onnxFile + " lists no resolutions");
        }
        List<String> reasons = new ArrayList<>();
        for (String provider : options.executionProviders()) {
            if (provider.equals(OnnxOptions.CUDA) && !OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
                reasons.add(provider + ": " + CUDA_NOT_BUILT);
                continue;
            }
            Map<Resolution, OnnxRunner> runners = new LinkedHashMap<>();
            try {
                for (Resolution r : resolutions) {
                    Integer label = manifest.getResolutionLabelsMap().get(r.height());
                    if (label == null) {
                        throw new OnnxModelFileException("manifest of " + onnxFile + " gives no resolution label for "
                                + r + " (resolution_labels)");
                    }
                    OrtSession session = session(env, model, r, provider, options.threads(), onnxFile);
                    OnnxRunner runner = new OnnxRunner(env, session, r, label, manifest.getChannels());
                    runners.put(r, runner);
                    checkSignature(session, manifest.getChannels(), onnxFile);
                    runner.warmUp();
                }
                return new OnnxDenoiser(runners, macs, provider, manifest.getChannels());
            } catch (ProviderFailure e) {
                runners.values().forEach(OnnxRunner::close);
                reasons.add(provider + ": " + e.getMessage());
            } catch (DenoiserException | RuntimeException e) {
                runners.values().forEach(OnnxRunner::close);
                throw e;
            }
        }
        throw new OnnxProviderException("no ONNX Runtime execution provider took " + onnxFile + " ("
                + String.join("; ", reasons) + ")");
    }

    /** A provider could not be attached or could not build the session: the next provider is tried. */
    private static final class ProviderFailure extends Exception {
        ProviderFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static OrtSession session(OrtEnvironment env, byte[] model, Resolution r, String provider, int threads,
                                      Path file) throws ProviderFailure, OnnxModelFileException {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setSymbolicDimensionValue("height", r.height());
            so.setSymbolicDimensionValue("width", r.width());
            if (provider.equals(OnnxOptions.CUDA)) {
                try {
                    so.addCUDA(0);
                } catch (OrtException e) {
                    throw new ProviderFailure("cannot attach the CUDA execution provider: " + firstLine(e), e);
                }
            }
            try {
                return env.createSession(model, so);
            } catch (OrtException e) {
                if (provider.equals(OnnxOptions.CUDA)) {
                    throw new ProviderFailure("session for " + r + " failed on CUDA: " + firstLine(e), e);
                }
                throw new OnnxModelFileException("model file " + file + " (" + model.length + " bytes) does not load in"
                        + " ONNX Runtime " + runtimeVersion() + ": " + firstLine(e), e);
            }
        } catch (OrtException e) {
            throw new OnnxModelFileException("cannot set ONNX Runtime session options for " + file + ": " + firstLine(e),
                    e);
        }
    }

    /** Refuses an ONNX model that is not a c2f UNet: inputs x [B,H,W,C] float, t [B] float, label [B] int64; output eps. */
    private static void checkSignature(OrtSession session, int channels, Path file) throws OnnxModelFileException {
        try {
            Map<String, NodeInfo> in = session.getInputInfo();
            Map<String, NodeInfo> out = session.getOutputInfo();
            String found = "inputs " + in.keySet() + ", outputs " + out.keySet();
            if (!in.keySet().equals(Set.of("x", "t", "label")) || !out.keySet().equals(Set.of("eps"))) {
                throw new OnnxModelFileException(file + " is not a c2f UNet: expected inputs [x, t, label] and output "
                        + "[eps], found " + found);
            }
            long[] x = ((TensorInfo) in.get("x").getInfo()).getShape();
            long[] eps = ((TensorInfo) out.get("eps").getInfo()).getShape();
            if (x.length != 4 || x[3] != channels || eps.length != 4 || eps[3] != channels) {
                throw new OnnxModelFileException(file + " is not a c2f UNet for " + channels + " channels: x has shape "
                        + java.util.Arrays.toString(x) + ", eps " + java.util.Arrays.toString(eps));
            }
        } catch (OrtException | ClassCastException e) {
            throw new OnnxModelFileException(file + ": cannot read its inputs and outputs: " + e.getMessage(), e);
        }
    }

    static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage().strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public synchronized ImageBatch predictNoise(ImageBatch xt, int timestep) throws DenoiserException {
        OnnxRunner runner = runners.get(xt.resolution());
        if (runner == null) {
            throw new DenoiserException("model has no session for " + xt.resolution() + "; it runs " + resolutions());
        }
        if (xt.channels() != channels) {
            throw new DenoiserException("model takes " + channels + " channels, got " + xt.channels());
        }
        try {
            return new ImageBatch(runner.run(xt.data(), xt.batch(), timestep), xt.batch(), xt.resolution(), channels);
        } catch (OrtException e) {
            throw new DenoiserException("ONNX Runtime (" + provider + ") failed on " + xt + " at t=" + timestep + ": "
                    + firstLine(e), e);
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

    /** "onnxruntime/cpu" or "onnxruntime/cuda". */
    @Override
    public String engine() {
        return "onnxruntime/" + provider;
    }

    /** The execution provider that took the model: "cuda" or "cpu". */
    public String executionProvider() {
        return provider;
    }

    @Override
    public synchronized void close() {
        runners.values().forEach(OnnxRunner::close);
    }
}
