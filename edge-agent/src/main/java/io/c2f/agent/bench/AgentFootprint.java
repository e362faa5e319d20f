package io.c2f.agent.bench;

import io.c2f.agent.fs.AtomicFiles;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.DelegateStatus;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Benchmark (not a test): what one real agent costs on this machine, per engine. For each engine,
 * provisions a device state directory with the model already installed (as after a rollout: a
 * bundle carrying model.tflite and model.onnx), starts {@code c2f-agent.jar run} pinned to that
 * engine ({@code c2f.engine}) as its own process, and measures the time from process start to
 * ready (its birth on the broker, published after the model is loaded and warmed up), the time to
 * the first generated image, and the process's resident memory.
 *
 * <pre>
 * java -cp edge-agent/target/c2f-agent.jar io.c2f.agent.bench.AgentFootprint \
 *     [--model-dir models/zoo/emoji32-c2f] [--engines tflite,onnx] [--broker tcp://127.0.0.1:1883] \
 *     [--jar edge-agent/target/c2f-agent.jar] [--java /path/to/bin/java] \
 *     [--images 30] [--jvm "-XX:+UseSerialGC -Xmx48m ..."]
 * </pre>
 *
 * <p>Resident memory is read from {@code /proc/<pid>/status}: {@code VmRSS} when ready, and while
 * the agent generates {@code images} images back to back the largest {@code VmRSS} seen (sampled
 * every 20 ms) and the kernel's high-water mark {@code VmHWM}. {@code --jvm} passes JVM options to
 * the agent (the systemd unit's are in deploy/systemd/c2f-agent.service).
 */
public final class AgentFootprint {
    private AgentFootprint() {
    }

    public static void main(String[] args) throws IOException, MqttException, InterruptedException {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path modelDir = Path.of(a.getOrDefault("model-dir", "models/zoo/emoji32-c2f"));
        String broker = a.getOrDefault("broker", "tcp://127.0.0.1:1883");
        Path jar = Path.of(a.getOrDefault("jar", "edge-agent/target/c2f-agent.jar"));
        String java = a.getOrDefault("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        int images = Integer.parseInt(a.getOrDefault("images", "30"));
        List<String> jvm = a.getOrDefault("jvm", "").isBlank() ? List.of() : List.of(a.get("jvm").trim().split("\\s+"));
        System.out.printf(Locale.ROOT, "agent footprint: %s (%.1f MiB), model %s (%s), %d cores, load %s%n", jar,
                Files.size(jar) / 1048576.0, modelDir, LocalBundle.modelInfo(modelDir).getWeightType(),
                Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).strip());
        for (String engine : a.getOrDefault("engines", "tflite,onnx").split(",")) {
            measure(engine.strip(), modelDir, broker, jar, java, jvm, images);
        }
    }

    private static void measure(String engine, Path modelDir, String broker, Path jar, String java, List<String> jvm,
                                int images) throws IOException, MqttException, InterruptedException {
        Path dir = Files.createTempDirectory("c2f-footprint");
        LocalBundle bundle = LocalBundle.install(modelDir, dir.resolve("state/bundles"), 10);
        Files.writeString(dir.resolve("controller.pub"), Ed25519Keys.publicPem(bundle.key().getPublic()));
        String device = "footprint-" + engine;
        Files.writeString(dir.resolve("agent.properties"), "c2f.fleet=bench\nc2f.device.id=" + device + "\n"
                + "c2f.broker.url=" + broker + "\nc2f.controller.public-key=controller.pub\nc2f.state.dir=state\n"
                + "c2f.engine.threads=1\nc2f.engine=" + engine + "\n");

        Topics topics = Topics.fleet("bench");
        MqttClient observer = new MqttClient(broker, "footprint-observer-" + engine, new MemoryPersistence());
        observer.connect();
        BlockingQueue<Birth> births = new LinkedBlockingQueue<>();
        BlockingQueue<GenerateResult> results = new LinkedBlockingQueue<>();
        observer.subscribe(topics.device(device, Channel.BIRTH), 1,
                (t, msg) -> births.add(WireCodec.decode(t, msg.getPayload()).as(Birth.class)));
        observer.subscribe(topics.device(device, Channel.GENERATE_RESULT), 1,
                (t, msg) -> results.add(WireCodec.decode(t, msg.getPayload()).as(GenerateResult.class)));

        long t0 = System.nanoTime();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvm);
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "run", "--config",
                dir.resolve("agent.properties").toString()));
        Process agent = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile()).start();
        try {
            Birth birth = births.poll(300, TimeUnit.SECONDS);
            if (birth == null) {
                throw new IllegalStateException("the agent did not come up; log: " + dir.resolve("agent.log"));
            }
            double readyMs = (System.nanoTime() - t0) / 1e6;
            long rssReady = rss(agent.pid());
            long t1 = System.nanoTime();
            observer.publish(topics.device(device, Channel.GENERATE_REQUEST), GenerateRequest.newBuilder()
                    .setHeader(new HeaderFactory("bench").next()).setRequestId("first").setSeed(1).setCount(1).build()
                    .toByteArray(), 1, false);
            GenerateResult first = results.poll(300, TimeUnit.SECONDS);
            double firstMs = (System.nanoTime() - t1) / 1e6;
            long rssAfter = rss(agent.pid());
            long peak = rssAfter;
            long t2 = System.nanoTime();
            for (int i = 0; i < images; i++) {
                observer.publish(topics.device(device, Channel.GENERATE_REQUEST), GenerateRequest.newBuilder()
                        .setHeader(new HeaderFactory("bench").next()).setRequestId("load-" + i).setSeed(2 + i)
                        .setCount(1).build().toByteArray(), 1, false);
                GenerateResult r;
                do {
                    r = results.poll(20, TimeUnit.MILLISECONDS);
                    peak = Math.max(peak, rss(agent.pid()));
                } while (r == null && System.nanoTime() - t2 < TimeUnit.SECONDS.toNanos(300));
            }
            double perImageMs = (System.nanoTime() - t2) / 1e6 / Math.max(1, images);
            System.out.printf(Locale.ROOT, "engine %s (birth: engine %s, link %s)%n", engine, birth.getEngine(),
                    birth.getDelegatesList().stream().filter(d -> d.getStatus() == DelegateStatus.DELEGATE_STATUS_ACTIVE)
                            .map(d -> d.getName()).findFirst().orElse("none"));
            System.out.printf(Locale.ROOT, "  start to ready (birth on the broker, model loaded and warm): %.0f ms%n",
                    readyMs);
            System.out.printf(Locale.ROOT, "  first image (C2F 10 steps, request to result): %.0f ms (device-side %.1f ms, %s)%n",
                    firstMs, first == null || first.getImagesCount() == 0 ? Double.NaN
                            : first.getImages(0).getRecord().getTotalMillis(),
                    first == null ? "no result" : first.hasError() ? first.getError().getMessage()
                            : first.getImages(0).getRecord().getDelegate());
            System.out.printf(Locale.ROOT, "  JVM options: %s%n", jvm.isEmpty() ? "(none: JVM defaults)" : jvm);
            System.out.printf(Locale.ROOT, "  resident memory: %.1f MiB when ready, %.1f MiB after the first image%n",
                    rssReady / 1048576.0, rssAfter / 1048576.0);
            System.out.printf(Locale.ROOT, "  generating %d images back to back (%.0f ms per image, request to result): "
                    + "peak VmRSS %.1f MiB, VmHWM %.1f MiB%n", images, perImageMs, peak / 1048576.0,
                    status(agent.pid(), "VmHWM:") / 1048576.0);
        } finally {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
            observer.disconnect();
            observer.close();
            AtomicFiles.deleteTree(dir);
        }
    }

    private static long rss(long pid) throws IOException {
        return status(pid, "VmRSS:");
    }

    /** A kB field of /proc/pid/status, in bytes. */
    static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
