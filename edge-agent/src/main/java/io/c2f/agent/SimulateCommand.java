package io.c2f.agent;

import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.config.ConfigException;
import io.c2f.agent.link.mqtt.MqttTransport;
import io.c2f.agent.sim.DevicePasswords;
import io.c2f.agent.sim.FleetSimulator;
import io.c2f.agent.sim.FleetSimulator.Plan;
import io.c2f.agent.sim.SimulatorConsole;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.enrol.EnrolmentToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code c2f-agent simulate --broker tcp://127.0.0.1:1883 --fleet demo --devices 100
 * --controller-key controller.pub [--state DIR] [--speed 100000] [--spread 3] [--probe-failures 0.0]
 * [--credentials FILE] [--console true] [--mqtt-client netty|paho]}: a {@link FleetSimulator} until the
 * process ends. Its devices connect on Netty (one shared event loop, no thread per device) unless
 * {@code --mqtt-client paho} gives each the real agent's Paho client (three threads per device). With
 * {@code --credentials}, each device logs in with its id and its password from that owner-only
 * file of {@code deviceId=password} lines ({@link DevicePasswords}); with {@code --enrol-token-file}, each
 * device enrols itself with the fleet enrolment token in that owner-only file, as a real agent does
 * with {@code c2f.enrol.token}, and then logs in with the credential it stored. With the console on (the
 * default), standard input takes simulator commands ({@code slow speed=slow 3}, {@code recover all},
 * {@code status}), answered on standard output. Other agent keys apply to every simulated device as
 * JVM system properties, e.g. {@code java -Dc2f.telemetry.interval=10s ... simulate ...}.
 */
final class SimulateCommand {
    private static final Logger LOG = LoggerFactory.getLogger(SimulateCommand.class);

    private SimulateCommand() {
    }

    static void run(String[] args) throws IOException, ConfigException, InterruptedException {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        String keyFile = a.get("controller-key");
        if (keyFile == null) {
            System.err.println("usage: c2f-agent simulate --broker URL --fleet ID --devices N --controller-key FILE "
                    + "[--state DIR] [--speed NS_PER_MMAC] [--spread X] [--probe-failures P] [--forward-failures P] [--seed S] "
                    + "[--credentials DEVICE_PASSWORDS_FILE | --enrol-token-file TOKEN_FILE] "
                    + "[--console true|false] [--exit-with-parent true] [--mqtt-client netty|paho]\n  console (stdin): slow SELECTOR FACTOR | recover SELECTOR | status "
                    + "| telemetry pause SELECTOR | telemetry resume SELECTOR | telemetry status; "
                    + "SELECTOR: all | key=value | id[,id...]\n  other agent keys for every device: java -Dc2f.KEY=VALUE "
                    + "(e.g. -Dc2f.telemetry.interval=10s)");
            System.exit(2);
        }
        Path state = Path.of(a.getOrDefault("state", "sim-state"));
        Files.createDirectories(state);
        Plan plan = new Plan(a.getOrDefault("broker", "tcp://127.0.0.1:1883"), a.getOrDefault("fleet", "demo"),
                a.getOrDefault("prefix", "sim"), Integer.parseInt(a.getOrDefault("devices", "100")),
                Long.parseLong(a.getOrDefault("speed", "100000")), Double.parseDouble(a.getOrDefault("spread", "3")),
                Double.parseDouble(a.getOrDefault("probe-failures", "0")),
                Double.parseDouble(a.getOrDefault("forward-failures", "0")), Long.parseLong(a.getOrDefault("seed", "1")),
                state);
        if (Boolean.parseBoolean(a.getOrDefault("exit-with-parent", "false"))) {
            ParentWatch.exitWithParent();
        }
        DevicePasswords passwords = a.containsKey("credentials") ? DevicePasswords.load(Path.of(a.get("credentials")))
                : DevicePasswords.none();
        EnrolmentToken enrolToken = a.containsKey("enrol-token-file")
                ? AgentConfig.readEnrolToken(Path.of(a.get("enrol-token-file"))) : null;
        MqttTransport transport = MqttTransport.parse(a.getOrDefault("mqtt-client", "netty"));
        FleetSimulator sim = new FleetSimulator(plan, Ed25519Keys.readPublic(Path.of(keyFile)), passwords, enrolToken,
                transport);
        Runtime.getRuntime().addShutdownHook(new Thread(sim::close));
        sim.start();
        System.out.printf("simulating %d devices of fleet %s on %s (MQTT client: %s)%n", plan.count(), plan.fleet(),
                plan.brokerUrl(), transport.name().toLowerCase(java.util.Locale.ROOT));
        System.out.flush();
        if (Boolean.parseBoolean(a.getOrDefault("console", "true"))) {
            Thread console = new Thread(() -> {
                try {
                    new SimulatorConsole(sim.devices()).run(new BufferedReader(
                            new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out);
                } catch (IOException e) {
                    LOG.warn("simulator console stopped: {}", e.toString());
                }
            }, "sim-console");
            console.setDaemon(true);
            console.start();
        }
        while (true) {
            Thread.sleep(10_000);
            synchronized (System.out) {
                System.out.printf("%d of %d devices online%n", sim.online(), plan.count());
            }
        }
    }
}
