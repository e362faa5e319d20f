package io.c2f.agent.bench;

import io.c2f.agent.fs.AtomicFiles;
import io.c2f.agent.link.mqtt.MqttTransport;
import io.c2f.agent.sim.DevicePasswords;
import io.c2f.agent.sim.FleetSimulator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Benchmark (not a test): the resident memory of one fleet simulator process with N devices that
 * each have the shipped model installed. Provisions every device's state directory with the model
 * installed and active (as a rollout leaves it; {@link LocalBundle}, the files hard-linked from the
 * first device's, so N devices take one model's disk), starts the simulator on its shared pools,
 * waits until every device is online (model loaded, birth sent), lets it settle and prints
 * {@code VmRSS}/{@code VmHWM}, threads (all of the JVM's, those the MQTT transport holds, and the
 * growth over the start per device), heap after a GC and the models opened.
 *
 * <pre>
 * java -cp edge-agent/target/c2f-agent.jar io.c2f.agent.bench.SimulatorFootprint --devices=1000 \
 *     [--broker=tcp://127.0.0.1:1883] [--model-dir=models/zoo/emoji32-c2f] [--settle-seconds=30] \
 *     [--mqtt-client=netty|paho]
 * </pre>
 *
 * The broker must take N more connections (Mosquitto: {@code max_connections -1} and a file limit
 * above N). Run it in its own JVM so that the numbers are the simulator's alone.
 */
public final class SimulatorFootprint {
    private SimulatorFootprint() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("options are --name=value, got " + arg);
            }
            a.put(kv[0], kv[1]);
        }
        int devices = Integer.parseInt(a.getOrDefault("devices", "1000"));
        String broker = a.getOrDefault("broker", "tcp://127.0.0.1:1883");
        Path modelDir = Path.of(a.getOrDefault("model-dir", "models/zoo/emoji32-c2f"));
        long settle = Long.parseLong(a.getOrDefault("settle-seconds", "30"));
        MqttTransport transport = MqttTransport.parse(a.getOrDefault("mqtt-client", "netty"));
        Path root = Files.createTempDirectory("c2f-sim-footprint");
        try {
            System.out.printf(Locale.ROOT, "simulator footprint: %d devices, model %s, broker %s, MQTT client %s, JVM %s%n",
                    devices, modelDir, broker, transport, ManagementFactory.getRuntimeMXBean().getInputArguments());
            int threads0 = ManagementFactory.getThreadMXBean().getThreadCount();
            String prefix = "fp" + ProcessHandle.current().pid();
            long rss0 = status("VmRSS:");
            LocalBundle bundle = LocalBundle.install(modelDir, root.resolve(id(prefix, 0)).resolve("bundles"), 10);
            for (int i = 1; i < devices; i++) {
                linkTree(root.resolve(id(prefix, 0)).resolve("bundles"), root.resolve(id(prefix, i)).resolve("bundles"));
            }
            try (FleetSimulator sim = new FleetSimulator(new FleetSimulator.Plan(broker, "bench", prefix, devices,
                    100_000, 1, 0, 0, 1, root), bundle.key().getPublic(), DevicePasswords.none(), null, transport)) {
                long t0 = System.nanoTime();
                sim.start();
                while (sim.online() < devices) {
                    if (System.nanoTime() - t0 > 600_000_000_000L) {
                        throw new IllegalStateException(sim.online() + " of " + devices + " online after 10 min");
                    }
                    Thread.sleep(500);
                }
                System.out.printf(Locale.ROOT, "all %d online; settling %d s%n", devices, settle);
                Thread.sleep(settle * 1000);
                System.gc();
                Thread.sleep(1000);
                long rss = status("VmRSS:");
                Runtime rt = Runtime.getRuntime();
                System.out.printf(Locale.ROOT, "  VmRSS %.1f MiB (%.2f MiB per device over the %.1f MiB before), "
                        + "VmHWM %.1f MiB%n", rss / 1048576.0, (rss - rss0) / 1048576.0 / devices, rss0 / 1048576.0,
                        status("VmHWM:") / 1048576.0);
                int threads = ManagementFactory.getThreadMXBean().getThreadCount();
                System.out.printf(Locale.ROOT, "  threads %d (%d more than before the devices, %.3f per device; %d of "
                        + "them the MQTT client's: %s), heap used after GC %.1f MiB of %.1f MiB committed%n", threads,
                        threads - threads0, (threads - threads0) / (double) devices, sim.threads().mqttThreads(),
                        transport == MqttTransport.NETTY ? "its event loop" : "Paho's loops",
                        (rt.totalMemory() - rt.freeMemory()) / 1048576.0, rt.totalMemory() / 1048576.0);
                System.out.printf(Locale.ROOT, "  models opened: %d (one per bundle, shared by all devices)%n",
                        sim.models().opened());
                System.out.println("  threads by name: " + threadsByName());
                String nmt = nativeMemory();
                if (nmt != null) {
                    System.out.println(nmt);
                }
            }
        } finally {
            AtomicFiles.deleteTree(root);
        }
    }

    /** Live threads grouped by name, device ids and numbers left out (Paho names its loops per client). */
    private static Map<String, Long> threadsByName() {
        Map<String, Long> groups = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName().replaceAll("fp\\d+-\\d+", "ID").replaceAll("\\d+", "N");
            groups.merge(name, 1L, Long::sum);
        }
        return groups;
    }

    /** The JVM's native memory summary, when run with -XX:NativeMemoryTracking=summary; else null. */
    private static String nativeMemory() {
        if (ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .noneMatch(o -> o.startsWith("-XX:NativeMemoryTracking=") && !o.endsWith("=off"))) {
            return null;
        }
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            return String.valueOf(out);
        } catch (javax.management.JMException e) {
            return "native memory summary not available: " + e.getMessage();
        }
    }

    private static String id(String prefix, int i) {
        return String.format("%s-%04d", prefix, i);
    }

    /** Copies a tree as hard links (the agent replaces files by rename and deletes, never writes in place). */
    private static void linkTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.createLink(target, p);
                }
            }
        }
    }

    /** A kB field of this process's /proc status, in bytes. */
    private static long status(String field) throws IOException {
        return AgentFootprint.status(ProcessHandle.current().pid(), field);
    }

}
