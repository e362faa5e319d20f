package io.c2f.agent.bench;

import com.google.protobuf.util.JsonFormat;
import io.c2f.agent.bundle.BundleStore;
import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.BundleVerificationException;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.Interpolation;
import io.c2f.proto.v1.ModelInfo;
import io.c2f.proto.v1.Resolution;
import io.c2f.proto.v1.Sampler;
import io.c2f.proto.v1.Schedule;
import io.c2f.proto.v1.SwitchMethod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Comparator;
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
 * Benchmark (not a test): what one real agent costs on this machine. Provisions a device state
 * directory with a model already installed (as after a rollout), starts {@code c2f-agent.jar run}
 * as its own process, and measures the time from process start to ready (its birth on the broker,
 * published after the model is loaded and warmed up), the time to the first generated image, and
 * the process's resident memory.
 *
 * <pre>
 * java -cp edge-agent/target/c2f-agent.jar io.c2f.agent.bench.AgentFootprint \
 *     --model models/zoo/emoji32-c2f/model.tflite [--broker tcp://127.0.0.1:1883] [--jar edge-agent/target/c2f-agent.jar]
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

    private static Resolution res(int h, int w) {
        return Resolution.newBuilder().setHeight(h).setWidth(w).build();
    }

    public static void main(String[] args)
            throws IOException, BundleVerificationException, MqttException, InterruptedException {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path model = Path.of(a.getOrDefault("model", "models/zoo/emoji32-c2f/model.tflite"));
        String broker = a.getOrDefault("broker", "tcp://127.0.0.1:1883");
        Path jar = Path.of(a.getOrDefault("jar", "edge-agent/target/c2f-agent.jar"));
        int images = Integer.parseInt(a.getOrDefault("images", "30"));
        List<String> jvm = a.getOrDefault("jvm", "").isBlank() ? List.of()
                : List.of(a.get("jvm").trim().split("\\s+"));
        String name = model.getFileName().toString();
        Path manifestJson = model.resolveSibling(name.substring(0, name.length() - ".tflite".length()) + ".json");
        ModelInfo.Builder info = ModelInfo.newBuilder();
        JsonFormat.parser().merge(Files.readString(manifestJson, StandardCharsets.UTF_8), info);
        List<Resolution> rs = new ArrayList<>(info.getResolutionsList());
        rs.sort(Comparator.comparingInt(r -> r.getHeight() * r.getWidth()));
        Resolution low = rs.get(0);
        Resolution high = rs.get(rs.size() - 1);
        List<Integer> steps = List.of(900, 800, 700, 600, 500, 400, 300, 200, 100, 0);
        Schedule c2f = Schedule.newBuilder().setScheduleId("c2f-k10").addAllTimesteps(steps).setSwitchIndex(5)
                .setLowResolution(low).setHighResolution(high)
                .setSwitchMethod(SwitchMethod.SWITCH_METHOD_UPSAMPLE_XT_VARIANCE_CORRECTED)
                .setInterpolation(Interpolation.INTERPOLATION_NEAREST).setSampler(Sampler.SAMPLER_DDIM).build();

        Path dir = Files.createTempDirectory("c2f-footprint");
        KeyPair key = Ed25519Keys.generate();
        Files.writeString(dir.resolve("controller.pub"), Ed25519Keys.publicPem(key.getPublic()));
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.tflite", Files.readAllBytes(model));
        BundleManifest.Builder m = BundleManifest.newBuilder().setBundleId("footprint").setVersion("1.0.0")
                .setModel(info).addSchedules(c2f).setDefaultScheduleId("c2f-k10");
        BundlePayload payload = BundlePayload.pack(files, 65536, m);
        BundleStore store = new BundleStore(dir.resolve("state/bundles"), key.getPublic());
        InstalledSlot slot = store.installIntoInactive(ManifestSigning.sign(m.build(), key), m.build(),
                BundlePayload.unpack(m.build(), payload.bytes()));
        store.activate(slot.slot());
        Files.writeString(dir.resolve("agent.properties"), "c2f.fleet=bench\nc2f.device.id=footprint-1\n"
                + "c2f.broker.url=" + broker + "\nc2f.controller.public-key=controller.pub\nc2f.state.dir=state\n"
                + "c2f.tflite.threads=1\n");

        Topics topics = Topics.fleet("bench");
        MqttClient observer = new MqttClient(broker, "footprint-observer", new MemoryPersistence());
        observer.connect();
        BlockingQueue<String> births = new LinkedBlockingQueue<>();
        BlockingQueue<GenerateResult> results = new LinkedBlockingQueue<>();
        observer.subscribe(topics.device("footprint-1", Channel.BIRTH), 1, (t, msg) -> births.add(t));
        observer.subscribe(topics.device("footprint-1", Channel.GENERATE_RESULT), 1,
                (t, msg) -> results.add(WireCodec.decode(t, msg.getPayload()).as(GenerateResult.class)));

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long t0 = System.nanoTime();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvm);
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "run", "--config",
                dir.resolve("agent.properties").toString()));
        Process agent = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile()).start();
        try {
            if (births.poll(120, TimeUnit.SECONDS) == null) {
                throw new IllegalStateException("the agent did not come up; log: " + dir.resolve("agent.log"));
            }
            double readyMs = (System.nanoTime() - t0) / 1e6;
            long rssReady = rss(agent.pid());
            long t1 = System.nanoTime();
            observer.publish(topics.device("footprint-1", Channel.GENERATE_REQUEST), GenerateRequest.newBuilder()
                    .setHeader(new HeaderFactory("bench").next()).setRequestId("first").setSeed(1).setCount(1).build()
                    .toByteArray(), 1, false);
            GenerateResult first = results.poll(120, TimeUnit.SECONDS);
            double firstMs = (System.nanoTime() - t1) / 1e6;
            long rssAfter = rss(agent.pid());
            long peak = rssAfter;
            long t2 = System.nanoTime();
            for (int i = 0; i < images; i++) {
                observer.publish(topics.device("footprint-1", Channel.GENERATE_REQUEST), GenerateRequest.newBuilder()
                        .setHeader(new HeaderFactory("bench").next()).setRequestId("load-" + i).setSeed(2 + i)
                        .setCount(1).build().toByteArray(), 1, false);
                GenerateResult r;
                do {
                    r = results.poll(20, TimeUnit.MILLISECONDS);
                    peak = Math.max(peak, rss(agent.pid()));
                } while (r == null && System.nanoTime() - t2 < TimeUnit.SECONDS.toNanos(300));
            }
            double perImageMs = (System.nanoTime() - t2) / 1e6 / Math.max(1, images);
            System.out.printf(Locale.ROOT, "agent footprint: model %s (%d bytes, %s)%n", model, Files.size(model),
                    info.getWeightType());
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
        }
    }

    private static long rss(long pid) throws IOException {
        return status(pid, "VmRSS:");
    }

    /** A kB field of /proc/pid/status, in bytes. */
    private static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
