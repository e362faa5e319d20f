package io.c2f.agent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.c2f.agent.engine.Platform;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** A device's jar keeps its own natives and the classes, and none of another platform's. */
class PlatformJarTest {
    private static final List<String> ENTRIES = List.of("io/c2f/agent/AgentMain.class",
            "ai/onnxruntime/OrtSession.class", "ai/onnxruntime/native/", "ai/onnxruntime/native/linux-x64/libonnxruntime.so",
            "ai/onnxruntime/native/linux-aarch64/libonnxruntime.so",
            "ai/onnxruntime/native/win-x64/onnxruntime.pdb", "ai/onnxruntime/native/osx-aarch64/libonnxruntime.dylib",
            "com/sun/jna/linux-x86-64/libjnidispatch.so", "com/sun/jna/linux-aarch64/libjnidispatch.so",
            "com/sun/jna/win32-x86-64/libjnidispatch.dll", "com/sun/jna/Native.class",
            "native/lib/libtensorflowlite_jni.so");

    private static List<String> kept(Platform p) {
        Predicate<String> keep = PlatformJar.keeps(p);
        return ENTRIES.stream().filter(keep).toList();
    }

    @Test
    void eachPlatformKeepsOnlyItsOwnNatives() {
        assertEquals(List.of("io/c2f/agent/AgentMain.class", "ai/onnxruntime/OrtSession.class", "ai/onnxruntime/native/",
                "ai/onnxruntime/native/linux-aarch64/libonnxruntime.so", "com/sun/jna/linux-aarch64/libjnidispatch.so",
                "com/sun/jna/Native.class"), kept(Platform.LINUX_AARCH64));
        assertEquals(List.of("io/c2f/agent/AgentMain.class", "ai/onnxruntime/OrtSession.class", "ai/onnxruntime/native/",
                "ai/onnxruntime/native/linux-x64/libonnxruntime.so", "com/sun/jna/linux-x86-64/libjnidispatch.so",
                "com/sun/jna/Native.class", "native/lib/libtensorflowlite_jni.so"), kept(Platform.LINUX_X86_64));
    }
}
