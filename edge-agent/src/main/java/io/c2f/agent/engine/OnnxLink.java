package io.c2f.agent.engine;

import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.onnx.OnnxDenoiser;
import io.c2f.models.onnx.OnnxOptions;
import io.c2f.models.onnx.OnnxProviderException;
import io.c2f.proto.v1.BundleFile;
import io.c2f.proto.v1.ModelFile;
import io.c2f.proto.v1.ModelInfo;
import java.util.List;
import java.util.Optional;

/**
 * ONNX Runtime with one execution provider ({@code cpu} or {@code cuda}): the bundle's .onnx opened
 * by {@link OnnxDenoiser}, checked against the sha256 the signed manifest lists for it.
 */
public final class OnnxLink implements EngineLink {
    private final String provider;
    private final int threads;

    private OnnxLink(String provider, int threads) {
        this.provider = provider;
        this.threads = threads;
        new OnnxOptions(threads, List.of(provider)); // bad threads fail at configuration
    }

    public static OnnxLink cpu(int threads) {
        return new OnnxLink(OnnxOptions.CPU, threads);
    }

    public static OnnxLink cuda(int threads) {
        return new OnnxLink(OnnxOptions.CUDA, threads);
    }

    @Override
    public String name() {
        return "onnx-" + provider;
    }

    @Override
    public String engine() {
        return EngineChain.ONNX;
    }

    @Override
    public Optional<String> unavailableReason(InstalledSlot slot) {
        if (BundleModels.onnx(slot.manifest()).isEmpty()) {
            return Optional.of("bundle has no .onnx file");
        }
        return Optional.empty();
    }

    @Override
    public Denoiser open(InstalledSlot slot) throws LinkRefusedException {
        Optional<String> unavailable = unavailableReason(slot);
        if (unavailable.isPresent()) {
            throw LinkRefusedException.unavailable(unavailable.get());
        }
        Optional<BundleFile> file = BundleModels.onnx(slot.manifest());
        ModelInfo info;
        try {
            info = withOnnxFile(slot.manifest().getModel(), file.get());
        } catch (IllegalArgumentException e) {
            throw LinkRefusedException.failed(e.getMessage(), e);
        }
        try {
            return OnnxDenoiser.open(slot.file(file.get().getPath()), info,
                    new OnnxOptions(threads, List.of(provider)));
        } catch (OnnxProviderException e) {
            // the provider is not there (CUDA in a CPU build, no GPU): nothing was tried
            throw LinkRefusedException.unavailable(e.getMessage());
        } catch (DenoiserException e) {
            throw LinkRefusedException.failed(e.getMessage(), e);
        } catch (UnsatisfiedLinkError e) {
            throw LinkRefusedException.failed("ONNX Runtime natives do not load: " + e.getMessage(), e);
        }
    }

    /**
     * The model description the engine checks the file against: the manifest's, with its onnx
     * entry being the bundle file's (both signed; they must agree where the manifest lists one).
     *
     * @throws IllegalArgumentException when the manifest's model_files and files disagree
     */
    static ModelInfo withOnnxFile(ModelInfo model, BundleFile file) {
        for (ModelFile f : model.getModelFilesList()) {
            if (f.getEngine().equals(EngineChain.ONNX) && !f.getSha256().equals(file.getSha256())) {
                throw new IllegalArgumentException("manifest lists sha256 " + f.getSha256() + " for the onnx model "
                        + "but its file " + file.getPath() + " has " + file.getSha256());
            }
        }
        ModelInfo.Builder b = model.toBuilder().clearModelFiles();
        model.getModelFilesList().stream().filter(f -> !f.getEngine().equals(EngineChain.ONNX))
                .forEach(b::addModelFiles);
        return b.addModelFiles(ModelFile.newBuilder().setEngine(EngineChain.ONNX).setPath(file.getPath())
                .setSha256(file.getSha256()).setSizeBytes(file.getSizeBytes())).build();
    }

    @Override
    public String toString() {
        return name();
    }
}
