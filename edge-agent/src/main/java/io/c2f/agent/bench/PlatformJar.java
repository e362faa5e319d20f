package io.c2f.agent.bench;

import io.c2f.agent.engine.Platform;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Writes the agent jar for one device platform: the same classes without the native libraries of
 * every other platform (ONNX Runtime ships linux-x64, linux-aarch64, osx and win natives, with
 * debug symbols, in one jar; JNA ships dispatch libraries for 20 platforms; DJL's TFLite JNI
 * library is linux-x86_64 only, so the aarch64 jar leaves it out), and without the fleet simulator
 * and its Netty MQTT client (Netty, with its epoll natives, and JCTools): a device runs Paho, and
 * nothing else in the agent uses Netty ({@code c2f-agent simulate} on a device jar says so and exits).
 *
 * <pre>
 * java -cp edge-agent/target/c2f-agent.jar io.c2f.agent.bench.PlatformJar \
 *     edge-agent/target/c2f-agent.jar linux-aarch64 edge-agent/target/c2f-agent-linux-aarch64.jar
 * </pre>
 */
public final class PlatformJar {
    private static final Set<String> PLATFORMS = Set.of("linux-x86_64", "linux-aarch64");

    private PlatformJar() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3 || !PLATFORMS.contains(args[1])) {
            System.err.println("usage: PlatformJar IN.jar {linux-x86_64|linux-aarch64} OUT.jar");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[2]);
        Platform target = args[1].equals("linux-aarch64") ? Platform.LINUX_AARCH64 : Platform.LINUX_X86_64;
        int[] dropped = write(in, out, keeps(target));
        System.out.printf(Locale.ROOT, "%s: %.1f MiB -> %s for %s: %.1f MiB (%d native entries of other platforms "
                + "and simulator entries left out)%n", in, Files.size(in) / 1048576.0, out, target, Files.size(out) / 1048576.0,
                dropped[0]);
    }

    /** Which entries a jar for {@code target} keeps. */
    static Predicate<String> keeps(Platform target) {
        boolean arm = target.equals(Platform.LINUX_AARCH64);
        String ort = "ai/onnxruntime/native/" + (arm ? "linux-aarch64" : "linux-x64") + "/";
        String jna = "com/sun/jna/" + (arm ? "linux-aarch64" : "linux-x86-64") + "/";
        return name -> {
            if (simulatorOnly(name)) {
                return false;
            }
            if (name.startsWith("ai/onnxruntime/native/")) {
                return name.equals("ai/onnxruntime/native/") || name.startsWith(ort);
            }
            if (name.matches("com/sun/jna/[^/]+/libjnidispatch\\.(a|jnilib|dll|so)")) {
                return name.startsWith(jna);
            }
            if (name.equals("native/lib/libtensorflowlite_jni.so")) {
                return !arm; // DJL's TFLite JNI library is an x86_64 ELF
            }
            return true;
        };
    }

    /** The simulator, its Netty MQTT client and Netty itself (with JCTools, which only Netty uses). */
    static boolean simulatorOnly(String name) {
        return name.startsWith("io/c2f/agent/sim/") || name.startsWith("io/c2f/agent/link/netty/")
                || name.startsWith("io/c2f/agent/SimulateCommand") || name.startsWith("io/c2f/agent/bench/SimulatorFootprint")
                || name.startsWith("io/netty/") || name.startsWith("org/jctools/")
                || name.startsWith("META-INF/native/libnetty") || name.startsWith("META-INF/maven/io.netty/")
                || name.startsWith("META-INF/maven/org.jctools/") || name.startsWith("META-INF/native-image/io.netty/")
                || name.equals("META-INF/io.netty.versions.properties");
    }

    private static int[] write(Path in, Path out, Predicate<String> keep) throws IOException {
        int[] dropped = {0};
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(in));
             OutputStream os = Files.newOutputStream(tmp);
             ZipOutputStream zout = new ZipOutputStream(os)) {
            for (ZipEntry e; (e = zin.getNextEntry()) != null; ) {
                if (!keep.test(e.getName())) {
                    dropped[0]++;
                    continue;
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                zout.putNextEntry(copy);
                zin.transferTo(zout);
                zout.closeEntry();
            }
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return dropped;
    }
}
