package io.c2f.agent.core;

import io.c2f.proto.v1.Hardware;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What this machine is, as reported in births and telemetry. */
public final class DeviceFacts {
    private DeviceFacts() {
    }

    public static Hardware hardware() {
        Hardware.Builder h = Hardware.newBuilder()
                .setOs(System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .setArch(System.getProperty("os.arch"))
                .setCpuCores(Runtime.getRuntime().availableProcessors());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            h.setMemoryBytes(os.getTotalMemorySize());
        }
        try {
            List<String> cpuinfo = Files.readAllLines(Path.of("/proc/cpuinfo"));
            cpuinfo.stream().filter(l -> l.startsWith("model name") || l.startsWith("Model"))
                    .findFirst().ifPresent(l -> h.setCpuModel(l.substring(l.indexOf(':') + 1).trim()));
        } catch (Exception notLinux) {
            // cpu model stays empty
        }
        return h.build();
    }

    /** Resident set size of this process in bytes (Linux), or 0 where unknown. */
    static long residentMemoryBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception notLinux) {
            // unknown
        }
        return 0;
    }
}
