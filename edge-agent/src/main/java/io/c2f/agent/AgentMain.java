package io.c2f.agent;

import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.config.ConfigException;
import io.c2f.agent.core.DeviceFacts;
import io.c2f.agent.core.EdgeAgent;
import io.c2f.agent.engine.ModelEngine;
import io.c2f.agent.engine.EngineLinks;
import io.c2f.agent.engine.Platform;
import io.c2f.agent.engine.TfliteLink;
import io.c2f.agent.enrol.Enrolment;
import io.c2f.agent.enrol.EnrolmentRefusedException;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

/**
 * The agent's command line.
 *
 * <pre>
 * c2f-agent run      --config c2f-agent.properties [--exit-with-parent true]
 * c2f-agent enrol    --config c2f-agent.properties --token-file FILE|-
 * c2f-agent generate --config c2f-agent.properties --seed 7 --out x.png [--schedule ID] [--count N]
 * c2f-agent simulate --broker tcp://... --fleet demo --devices 100 --controller-key controller.pub
 * </pre>
 */
public final class AgentMain {
    /** Exit status of a device whose enrolment was refused (rejected, or its token refused by the broker). */
    static final int EXIT_ENROLMENT_REFUSED = 3;

    private AgentMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length == 0) {
            usage();
            return;
        }
        String command = args[0];
        Map<String, String> opts = options(args);
        try {
            switch (command) {
                case "run" -> run(opts);
                case "enrol" -> enrol(opts);
                case "generate" -> generate(opts);
                case "simulate" -> {
                    if (AgentMain.class.getResource("sim/FleetSimulator.class") == null) {
                        // a device's jar (bench.PlatformJar) leaves the simulator and Netty out
                        System.err.println("c2f-agent: this agent jar is a device's, without the simulator; "
                                + "run simulate from c2f-agent.jar");
                        System.exit(2);
                    }
                    SimulateCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length));
                }
                default -> {
                    System.err.println("unknown command '" + command + "'");
                    usage();
                    System.exit(2);
                }
            }
        } catch (ConfigException e) {
            System.err.println("c2f-agent: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void usage() {
        System.err.println("usage: c2f-agent run --config FILE [--exit-with-parent true]\n"
                + "       c2f-agent enrol --config FILE --token-file FILE|- (enrols with a fleet enrolment token, "
                + "waits until accepted; exit 3 when refused)\n"
                + "       c2f-agent generate --config FILE --seed N --out FILE.png [--schedule ID] [--count N]\n"
                + "       c2f-agent simulate --broker URL --fleet ID --devices N --controller-key FILE "
                + "[--credentials DEVICE_PASSWORDS_FILE | --enrol-token-file FILE] [--console true|false] [--exit-with-parent true]\n"
                + "         (simulate: standard input takes 'slow SELECTOR FACTOR', 'recover SELECTOR', 'status', "
                + "'telemetry pause|resume SELECTOR', 'telemetry status')");
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }

    static AgentConfig config(Map<String, String> opts) throws ConfigException {
        String file = opts.get("config");
        if (file == null) {
            throw new ConfigException("--config FILE is required");
        }
        return AgentConfig.load(Path.of(file));
    }

    static PublicKey controllerKey(AgentConfig config) throws ConfigException {
        if (config.controllerKey() == null) {
            throw new ConfigException("c2f.controller.public-key is required: bundles are only installed when "
                    + "their manifest verifies with the controller's key");
        }
        try {
            return Ed25519Keys.readPublic(config.controllerKey());
        } catch (IOException e) {
            throw new ConfigException("c2f.controller.public-key: " + e.getMessage(), e);
        }
    }

    /** The engine a real device runs: the configured engine chain (or this platform's default). */
    static ModelEngine engine(AgentConfig config) throws ConfigException {
        try {
            return EngineLinks.chain(config.engine(), Platform.current(), TfliteLink.jniConfigured());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private static void run(Map<String, String> opts) throws ConfigException, IOException, InterruptedException {
        AgentConfig config = config(opts);
        if (Boolean.parseBoolean(opts.getOrDefault("exit-with-parent", "false"))) {
            ParentWatch.exitWithParent();
        }
        EdgeAgent agent = new EdgeAgent(config, engine(config), controllerKey(config), Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                agent.close();
            } catch (InterruptedException | RuntimeException e) {
                System.err.println("c2f-agent: shutdown: " + e);
            }
            stopped.countDown();
        }));
        agent.start();
        System.out.println("c2f-agent " + EdgeAgent.VERSION + " running as " + config.deviceId() + " on "
                + config.brokerUrl());
        agent.enrolled().exceptionally(e -> {
            refused(config, e); // exits: the shutdown hook closes the agent
            return null;
        });
        stopped.await();
    }

    /**
     * {@code enrol --config FILE --token-file FILE|-}: enrols with the token (from the file, or standard
     * input for {@code -}: never the command line, where other users see it), waits until accepted, and
     * exits; {@code run} then logs in with the stored credential.
     */
    private static void enrol(Map<String, String> opts) throws ConfigException, IOException {
        String tokenFile = opts.get("token-file");
        Map<String, String> overrides = new HashMap<>();
        if ("-".equals(tokenFile)) {
            overrides.put("c2f.enrol.token", new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip());
        } else if (tokenFile != null) {
            overrides.put("c2f.enrol.token-file", Path.of(tokenFile).toAbsolutePath().toString());
        }
        String file = opts.get("config");
        if (file == null) {
            throw new ConfigException("--config FILE is required");
        }
        AgentConfig config = AgentConfig.load(Path.of(file), overrides);
        Optional<Enrolment> enrolment = Enrolment.open(config, new SecureRandom());
        if (enrolment.isEmpty()) {
            throw new ConfigException(config.password() != null
                    ? "this device has a configured broker password (c2f.broker.password): nothing to enrol"
                    : "no enrolment token: give --token-file FILE (or - for standard input) or c2f.enrol.token-file");
        }
        try (Enrolment e = enrolment.get()) {
            if (e.accepted()) {
                System.out.println(config.deviceId() + " is already enrolled (" + e.record() + ")");
                return;
            }
            e.run(config.linkSettings(), EdgeAgent.VERSION, DeviceFacts.hardware(), config.labels()).join();
            System.out.println(config.deviceId() + " enrolled; its credential is stored in " + config.stateDir()
                    + ": c2f-agent run logs in with it");
        } catch (CompletionException | CancellationException e) {
            refused(config, e);
        }
    }

    private static void refused(AgentConfig config, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof EnrolmentRefusedException r) {
            System.err.println("c2f-agent: " + r.getMessage());
            System.exit(EXIT_ENROLMENT_REFUSED);
        }
        System.err.println("c2f-agent: enrolment of " + config.deviceId() + " failed: " + cause);
        System.exit(1);
    }

    private static void generate(Map<String, String> opts)
            throws ConfigException, IOException, InterruptedException {
        AgentConfig config = config(opts);
        Path out = Path.of(opts.getOrDefault("out", "c2f.png"));
        try (EdgeAgent agent = new EdgeAgent(config, engine(config), controllerKey(config), Clock.systemUTC())) {
            GenerateResult r = agent.generation().generate(GenerateRequest.newBuilder().setRequestId("local")
                    .setSeed(Long.parseLong(opts.getOrDefault("seed", "0")))
                    .setCount(Integer.parseInt(opts.getOrDefault("count", "1")))
                    .setScheduleId(opts.getOrDefault("schedule", "")).build());
            if (r.hasError()) {
                System.err.println("c2f-agent: " + r.getError().getMessage() + " (" + r.getError().getCode() + ")");
                System.exit(1);
            }
            for (int i = 0; i < r.getImagesCount(); i++) {
                Path file = r.getImagesCount() == 1 ? out
                        : out.resolveSibling(out.getFileName().toString().replace(".png", "-" + i + ".png"));
                Files.write(file, r.getImages(i).getPng().toByteArray());
                var rec = r.getImages(i).getRecord();
                System.out.printf("%s: seed %d, schedule %s, %d low + %d high steps, %.1f ms, %s%n", file,
                        r.getImages(i).getSeed(), rec.getScheduleId(), rec.getStepsLow(), rec.getStepsHigh(),
                        rec.getTotalMillis(), rec.getDelegate());
            }
        }
    }
}
