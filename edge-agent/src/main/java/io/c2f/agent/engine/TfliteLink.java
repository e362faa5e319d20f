package io.c2f.agent.engine;

import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.tflite.DelegateChain;
import io.c2f.models.tflite.RuntimeOptions;
import io.c2f.models.tflite.TfliteDenoiser;
import io.c2f.proto.v1.BundleFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TFLite with one delegate: the bundle's .tflite opened by {@link TfliteDenoiser} through a
 * one-link TFLite delegate chain ({@code xnnpack}, {@code cpu}, or an external delegate library
 * such as the GPU delegate).
 */
public final class TfliteLink implements EngineLink {
    /** Where TFLite's JNI library comes from when the class path has none for the platform. */
    public static final String JNI_PROPERTY = "c2f.tflite.jni";
    public static final String JNI_ENV = "C2F_TFLITE_JNI";

    private final String delegate;
    private final String delegateSpec;
    private final Path delegateLibrary;
    private final int threads;
    private final Platform platform;
    private final boolean jniConfigured;

    private TfliteLink(String delegate, String delegateSpec, Path delegateLibrary, int threads, Platform platform,
            boolean jniConfigured) {
        this.delegate = delegate;
        this.delegateSpec = delegateSpec;
        this.delegateLibrary = delegateLibrary;
        this.threads = threads;
        this.platform = Objects.requireNonNull(platform);
        this.jniConfigured = jniConfigured;
        DelegateChain.fromSpec(delegateSpec); // a bad spec fails at configuration, not at the first bundle
    }

    /** TFLite's bundled XNNPACK delegate. */
    public static TfliteLink xnnpack(int threads, Platform platform, boolean jniConfigured) {
        return new TfliteLink("xnnpack", "xnnpack", null, threads, platform, jniConfigured);
    }

    /** TFLite's plain kernels. */
    public static TfliteLink cpu(int threads, Platform platform, boolean jniConfigured) {
        return new TfliteLink("cpu", "cpu", null, threads, platform, jniConfigured);
    }

    /**
     * An external delegate library, e.g. the GPU delegate
     * ({@code /usr/lib/libtensorflowlite_gpu_delegate.so}, {@code TfLiteGpuDelegateV2Create},
     * {@code TfLiteGpuDelegateV2Delete}).
     */
    public static TfliteLink external(String name, Path library, String create, String delete, int threads,
            Platform platform, boolean jniConfigured) {
        return new TfliteLink(name, name + ":" + library + ":" + create + ":" + delete, library, threads, platform,
                jniConfigured);
    }

    /** Whether this JVM was told where TFLite's JNI library is ({@value #JNI_PROPERTY} or {@value #JNI_ENV}). */
    public static boolean jniConfigured() {
        String p = System.getProperty(JNI_PROPERTY);
        String e = System.getenv(JNI_ENV);
        return (p != null && !p.isBlank()) || (e != null && !e.isBlank());
    }

    /** Whether the agent jar carries TFLite natives for a platform (DJL tflite-native-cpu 2.6.2: linux-x86_64 only). */
    public static boolean nativesBundledFor(Platform platform) {
        return platform.equals(Platform.LINUX_X86_64);
    }

    @Override
    public String name() {
        return "tflite-" + delegate;
    }

    @Override
    public String engine() {
        return EngineChain.TFLITE;
    }

    @Override
    public Optional<String> unavailableReason(InstalledSlot slot) {
        if (BundleModels.tflite(slot.manifest()).isEmpty()) {
            return Optional.of("bundle has no .tflite file");
        }
        if (!jniConfigured && !nativesBundledFor(platform)) {
            return Optional.of("TFLite natives not available on " + platform + " (this build ships them for "
                    + Platform.LINUX_X86_64 + " only); set -D" + JNI_PROPERTY + "=/path/libtensorflowlite_jni.so");
        }
        if (delegateLibrary != null && !Files.isRegularFile(delegateLibrary)) {
            return Optional.of("delegate library " + delegateLibrary + " not found");
        }
        return Optional.empty();
    }

    @Override
    public Denoiser open(InstalledSlot slot) throws LinkRefusedException {
        Optional<String> unavailable = unavailableReason(slot);
        if (unavailable.isPresent()) {
            throw LinkRefusedException.unavailable(unavailable.get());
        }
        BundleFile model = BundleModels.tflite(slot.manifest()).orElseThrow();
        try {
            return TfliteDenoiser.open(slot.file(model.getPath()),
                    slot.manifest().getModel().toBuilder().setModelSha256(model.getSha256()).build(),
                    new RuntimeOptions(threads, DelegateChain.fromSpec(delegateSpec)));
        } catch (DenoiserException e) {
            throw LinkRefusedException.failed(e.getMessage(), e);
        } catch (UnsatisfiedLinkError e) {
            throw LinkRefusedException.failed("TFLite natives do not load on " + platform + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
