package io.c2f.agent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.c2f.agent.engine.Platform;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A device's jar keeps its own natives and the agent's classes with Paho, and none of another
 * platform's natives, nor the simulator with its Netty client.
 */
class PlatformJarTest {
    private static final List<String> ENTRIES = List.of("io/c2f/agent/AgentMain.class",
            "ai/onnxruntime/OrtSession.class", "ai/onnxruntime/native/", "ai/onnxruntime/native/linux-x64/libonnxruntime.so",
            "ai/onnxruntime/native/linux-aarch64/libonnxruntime.so",
            "ai/onnxruntime/native/win-x64/onnxruntime.pdb", "ai/onnxruntime/native/osx-aarch64/libonnxruntime.dylib",
            "com/sun/jna/linux-x86-64/libjnidispatch.so", "com/sun/jna/linux-aarch64/libjnidispatch.so",
            "com/sun/jna/win32-x86-64/libjnidispatch.dll", "com/sun/jna/Native.class",
            "native/lib/libtensorflowlite_jni.so",
            // the simulator and its Netty client: never on a device
            "io/c2f/agent/sim/FleetSimulator.class", "io/c2f/agent/link/netty/NettyMqtt.class",
            "io/c2f/agent/SimulateCommand.class", "io/c2f/agent/bench/SimulatorFootprint.class",
            "io/netty/channel/Channel.class", "org/jctools/queues/MpscArrayQueue.class",
            "META-INF/native/libnetty_transport_native_epoll_x86_64.so", "META-INF/io.netty.versions.properties",
            "META-INF/maven/io.netty/netty-common/pom.xml",
            // the device's own MQTT client stays
            "io/c2f/agent/link/DeviceLink.class", "io/c2f/agent/link/mqtt/PahoConnection.class",
            "org/eclipse/paho/client/mqttv3/MqttAsyncClient.class");

    private static List<String> kept(Platform p) {
        Predicate<String> keep = PlatformJar.keeps(p);
        return ENTRIES.stream().filter(keep).toList();
    }

    @Test
    void eachPlatformKeepsOnlyItsOwnNatives() {
        assertEquals(List.of("io/c2f/agent/AgentMain.class", "ai/onnxruntime/OrtSession.class", "ai/onnxruntime/native/",
                "ai/onnxruntime/native/linux-aarch64/libonnxruntime.so", "com/sun/jna/linux-aarch64/libjnidispatch.so",
                "com/sun/jna/Native.class", "io/c2f/agent/link/DeviceLink.class", "io/c2f/agent/link/mqtt/PahoConnection.class",
                "org/eclipse/paho/client/mqttv3/MqttAsyncClient.class"), kept(Platform.LINUX_AARCH64));
        assertEquals(List.of("io/c2f/agent/AgentMain.class", "ai/onnxruntime/OrtSession.class", "ai/onnxruntime/native/",
                "ai/onnxruntime/native/linux-x64/libonnxruntime.so", "com/sun/jna/linux-x86-64/libjnidispatch.so",
                "com/sun/jna/Native.class", "native/lib/libtensorflowlite_jni.so", "io/c2f/agent/link/DeviceLink.class",
                "io/c2f/agent/link/mqtt/PahoConnection.class", "org/eclipse/paho/client/mqttv3/MqttAsyncClient.class"),
                kept(Platform.LINUX_X86_64));
    }
}
