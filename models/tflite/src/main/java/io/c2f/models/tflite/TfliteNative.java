package io.c2f.models.tflite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.tensorflow.lite.TensorFlowLite;

/**
 * Loads the TensorFlow Lite JNI library once per JVM.
 *
 * <p>The Java classes ship without loading code, so we load it ourselves. On desktop Linux x86_64
 * the library comes from the {@code tflite-native-cpu} jar on the class path. Other platforms
 * (ARM devices) supply their own {@code libtensorflowlite_jni.so}: set the system property
 * {@value #PATH_PROPERTY} or the environment variable {@value #PATH_ENV} to its path.
 */
final class TfliteNative {
    public static final String PATH_PROPERTY = "c2f.tflite.jni";
    public static final String PATH_ENV = "C2F_TFLITE_JNI";
    static final String RESOURCE = "native/lib/libtensorflowlite_jni.so";

    private static volatile Path loadedFrom;

    private TfliteNative() {
    }

    /**
     * Loads the library if it is not loaded yet, and returns where it was loaded from.
     *
     * @throws UnsatisfiedLinkError with the reason when no usable library is found
     */
    public static synchronized Path load() {
        if (loadedFrom != null) {
            return loadedFrom;
        }
        Path path = configuredPath();
        if (path == null) {
            path = extractFromClassPath();
        }
        System.load(path.toAbsolutePath().toString());
        TensorFlowLite.init();
        loadedFrom = path;
        return path;
    }

    /** The TFLite runtime version the loaded library reports (e.g. "2.6.2"). */
    public static String runtimeVersion() {
        load();
        return TensorFlowLite.runtimeVersion();
    }

    /** Where the library was loaded from, or null before {@link #load()}. */
    public static Path loadedFrom() {
        return loadedFrom;
    }

    private static Path configuredPath() {
        String configured = System.getProperty(PATH_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(PATH_ENV);
        }
        if (configured == null || configured.isBlank()) {
            return null;
        }
        Path path = Path.of(configured);
        if (!Files.isRegularFile(path)) {
            throw new UnsatisfiedLinkError("TFLite JNI library configured by " + PATH_PROPERTY + "/" + PATH_ENV
                    + " does not exist: " + path);
        }
        return path;
    }

    private static Path extractFromClassPath() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        try (InputStream in = TfliteNative.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("no TFLite JNI library for " + os + "/" + arch + " on the class path ("
                        + RESOURCE + "); supply one with -D" + PATH_PROPERTY + "=/path/to/libtensorflowlite_jni.so");
            }
            Path dir = Files.createTempDirectory("c2f-tflite");
            Path target = dir.resolve("libtensorflowlite_jni.so");
            // deleteOnExit runs in reverse order of registration: the file goes before its directory
            dir.toFile().deleteOnExit();
            target.toFile().deleteOnExit();
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("cannot extract " + RESOURCE + ": " + e.getMessage());
            error.initCause(e);
            throw error;
        }
    }
}
