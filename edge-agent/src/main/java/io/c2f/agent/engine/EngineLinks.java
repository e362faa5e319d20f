package io.c2f.agent.engine;

import io.c2f.agent.config.EngineSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the engine chain from configuration ({@code c2f.engine.chain}, see edge-agent/README.md):
 * comma-separated link names, or the platform's default when none are given.
 *
 * <ul>
 *   <li>{@code tflite-gpu}: TFLite with the external GPU delegate library named by
 *       {@code c2f.tflite.gpu-delegate} (only in the default chain when that is set);</li>
 *   <li>{@code onnx-cuda}, {@code onnx-cpu}: ONNX Runtime with the CUDA / CPU execution provider;</li>
 *   <li>{@code tflite-xnnpack}, {@code tflite-cpu}: TFLite with XNNPACK / its plain kernels.</li>
 * </ul>
 */
public final class EngineLinks {
    static final String GPU_CREATE = "TfLiteGpuDelegateV2Create";
    static final String GPU_DELETE = "TfLiteGpuDelegateV2Delete";

    private EngineLinks() {
    }

    /**
     * The default chain for a platform. Accelerators first (each says why it passed when absent),
     * then the fastest CPU link that has natives for this platform: on x86_64 TFLite with XNNPACK
     * was the faster CPU engine; on aarch64 this build has ONNX Runtime natives only, so onnx-cpu
     * comes first and the TFLite links (which need a JNI library of the device's own) after it.
     */
    public static String defaultSpec(Platform platform, boolean gpuDelegateConfigured) {
        List<String> names = new ArrayList<>();
        if (gpuDelegateConfigured) {
            names.add("tflite-gpu");
        }
        names.add("onnx-cuda");
        if (TfliteLink.nativesBundledFor(platform)) {
            names.addAll(List.of("tflite-xnnpack", "onnx-cpu", "tflite-cpu"));
        } else {
            names.addAll(List.of("onnx-cpu", "tflite-xnnpack", "tflite-cpu"));
        }
        return String.join(",", names);
    }

    /**
     * The chain the settings describe on this platform.
     *
     * @throws IllegalArgumentException naming the setting and the link that is wrong
     */
    public static EngineChain chain(EngineSettings settings, Platform platform, boolean tfliteJniConfigured) {
        String spec = settings.chain().isBlank()
                ? defaultSpec(platform, !settings.tfliteGpuDelegate().isBlank()) : settings.chain();
        List<EngineLink> links = new ArrayList<>();
        for (String raw : spec.split(",", -1)) {
            links.add(link(raw.strip(), spec, settings, platform, tfliteJniConfigured));
        }
        return new EngineChain(links, settings.pin());
    }

    private static EngineLink link(String name, String spec, EngineSettings s, Platform platform, boolean jni) {
        return switch (name) {
            case "tflite-xnnpack" -> TfliteLink.xnnpack(s.threads(), platform, jni);
            case "tflite-cpu" -> TfliteLink.cpu(s.threads(), platform, jni);
            case "tflite-gpu" -> gpu(s, platform, jni);
            case "onnx-cpu" -> OnnxLink.cpu(s.threads());
            case "onnx-cuda" -> OnnxLink.cuda(s.threads());
            case "" -> throw new IllegalArgumentException("c2f.engine.chain \"" + spec + "\" has an empty link");
            default -> throw new IllegalArgumentException("c2f.engine.chain \"" + spec + "\": unknown link \"" + name
                    + "\"; links are tflite-gpu, onnx-cuda, tflite-xnnpack, onnx-cpu, tflite-cpu");
        };
    }

    private static EngineLink gpu(EngineSettings s, Platform platform, boolean jni) {
        String value = s.tfliteGpuDelegate();
        if (value.isBlank()) {
            throw new IllegalArgumentException("c2f.engine.chain names tflite-gpu but c2f.tflite.gpu-delegate (the "
                    + "GPU delegate library, e.g. /usr/lib/libtensorflowlite_gpu_delegate.so) is not set");
        }
        String[] parts = value.split(":", -1);
        String library = parts.length >= 3 ? String.join(":", List.of(parts).subList(0, parts.length - 2)) : value;
        String create = parts.length >= 3 ? parts[parts.length - 2] : GPU_CREATE;
        String delete = parts.length >= 3 ? parts[parts.length - 1] : GPU_DELETE;
        if (!Path.of(library).isAbsolute()) {
            throw new IllegalArgumentException("c2f.tflite.gpu-delegate: library path \"" + library
                    + "\" must be absolute");
        }
        return TfliteLink.external("gpu", Path.of(library), create, delete, s.threads(), platform, jni);
    }
}
