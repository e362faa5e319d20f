package io.c2f.controller.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A simulated fleet ({@code c2f-agent simulate}: N full edge agents with a synthetic model) in
 * its own JVM, started from the agent's runnable jar. The controller does not depend on the
 * agent module; the jar's path comes from the system property {@code c2f.agent.jar}, set by the
 * build (the reactor packages edge-agent before controller).
 */
public final class SimulatedFleet implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final Path state;

    private SimulatedFleet(Process process, Path log, Path state) {
        this.process = process;
        this.log = log;
        this.state = state;
    }

    /** Skips the calling test, saying why, when the agent jar has not been built. */
    public static Path agentJar() {
        String jar = System.getProperty("c2f.agent.jar", "");
        Path p = jar.isEmpty() ? null : Path.of(jar);
        Assumptions.assumeTrue(p != null && Files.isRegularFile(p), "the agent jar (system property c2f.agent.jar = '"
                + jar + "') is not built; run the root build (./mvnw -pl edge-agent,controller -am verify), which "
                + "packages edge-agent before controller");
        return p;
    }

    /**
     * @param probeFailures share of devices on which no bundle loads (their installs fail)
     */
    public static SimulatedFleet start(String brokerUrl, String fleet, String prefix, int devices, Path controllerKey,
            Path dir, double probeFailures) throws IOException {
        Path jar = agentJar();
        Files.createDirectories(dir);
        Path log = dir.resolve("simulator.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp", jar.toString(), "io.c2f.agent.AgentMain", "simulate",
                "--broker", brokerUrl, "--fleet", fleet, "--devices", Integer.toString(devices), "--controller-key",
                controllerKey.toString(), "--state", dir.resolve("state").toString(), "--speed", "2000", "--spread",
                "2", "--probe-failures", Double.toString(probeFailures), "--prefix", prefix, "--seed", "7"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new SimulatedFleet(p, log, dir.resolve("state"));
    }

    /**
     * One line for the simulator's console (e.g. {@code slow all 1000}, {@code recover all}); the
     * devices change at once, the answer goes to its output.
     */
    public void command(String line) throws IOException {
        java.io.OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        in.flush();
    }

    /** The simulator's state directory of one device (the agent's own files: its active bundle, its spool). */
    public Path deviceState(String deviceId) {
        return state.resolve(deviceId);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The simulator's output so far (for failure messages). */
    public String output() {
        try {
            String s = Files.readString(log);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: the agents say goodbye (graceful deaths)
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
