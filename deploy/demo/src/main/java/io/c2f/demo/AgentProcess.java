package io.c2f.demo;

import io.c2f.agent.AgentMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One agent JVM started from the agent's runnable jar: a real device ({@code run}) or a simulated
 * fleet ({@code simulate}). The demo links the agent module only to name its main class: the
 * agents run in their own JVMs from the jar on disk, as on devices, and meet the controller only
 * over MQTT; this class only starts, watches and stops a process. Children are started with
 * {@code --exit-with-parent true}, so they also end when this JVM is killed outright.
 */
public class AgentProcess implements AutoCloseable {
    private final String name;
    protected final Process process;
    protected final Path log;

    protected AgentProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** The java command line for {@code c2f-agent ARGS} from {@code agentJar}. */
    static List<String> command(Path agentJar, String maxHeap, List<String> args) {
        return command(agentJar, maxHeap, List.of(), args);
    }

    /** As {@link #command(Path, String, List)}, with more JVM options (e.g. {@code -Dc2f.KEY=VALUE} agent keys). */
    static List<String> command(Path agentJar, String maxHeap, List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", agentJar.toString(), AgentMain.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    /**
     * A real device: TFLite on whatever bundle a rollout installs.
     *
     * @param enrolTokenFile the fleet enrolment token it enrols with (then it logs in with the
     *     credential it generated, its id as user name)
     * @param labels comma-separated key=value labels
     * @param engine the agent's c2f.engine: "auto" (its chain's first engine that opens the bundle),
     *     "tflite" or "onnx"
     */
    public static AgentProcess real(Path agentJar, String brokerUrl, String fleet, String deviceId, Path enrolTokenFile,
            String labels, String engine, Path controllerKey, Path dir) throws IOException {
        Path home = dir.resolve(deviceId);
        Files.createDirectories(home);
        Path config = home.resolve("agent.properties");
        Files.writeString(config, String.join("\n",
                "c2f.fleet = " + fleet,
                "c2f.device.id = " + deviceId,
                "c2f.broker.url = " + brokerUrl,
                "c2f.enrol.token-file = " + enrolTokenFile.toAbsolutePath(),
                "c2f.controller.public-key = " + controllerKey.toAbsolutePath(),
                "c2f.state.dir = " + home.resolve("state").toAbsolutePath(),
                "c2f.labels = " + labels,
                // one interpreter thread each: the demo's devices share this machine's cores
                "c2f.engine.threads = 1",
                "c2f.engine = " + engine,
                "c2f.heartbeat.interval = 5s",
                ""));
        Path log = home.resolve("agent.log");
        Process p = new ProcessBuilder(command(agentJar, "384m", List.of("run", "--config", config.toString(),
                "--exit-with-parent", "true"))).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new AgentProcess(deviceId, p, log);
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return log;
    }

    /** The last lines of the process's output (for error messages). */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM (the agents publish their deaths and close), then a kill after 10 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
