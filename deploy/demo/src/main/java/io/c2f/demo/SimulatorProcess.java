package io.c2f.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated fleet ({@code c2f-agent simulate}) in its own JVM, remote-controlled through the
 * simulator's console on its standard input ({@code slow SELECTOR FACTOR}, {@code recover
 * SELECTOR}, {@code status}, {@code telemetry pause|resume SELECTOR}, {@code telemetry status}).
 * Each command waits for the simulator's {@code cmd ok|error} answer.
 */
public final class SimulatorProcess extends AgentProcess {
    private static final String REPLY = "cmd ";
    private static final Pattern TELEMETRY_STATUS =
            Pattern.compile("telemetry status: (\\d+) of (\\d+) paused, (\\d+) spooled");
    private final PrintWriter console;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

    private SimulatorProcess(Process process, Path log) {
        super("simulator", process, log);
        this.console = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread pump = new Thread(this::pumpOutput, "simulator-output");
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * How the simulated fleet looks.
     *
     * @param prefix device ids are prefix-0000, prefix-0001, ...
     * @param nanosPerMegaMac median cost of a million MACs
     * @param spread speeds are log-uniform in [median / spread, median * spread]
     */
    public record Fleet(String prefix, int devices, long nanosPerMegaMac, double spread, long seed) {
        public Fleet {
            if (devices < 1 || nanosPerMegaMac < 1 || spread < 1) {
                throw new IllegalArgumentException("simulated fleet needs >= 1 device, cost >= 1 ns/MMAC, spread >= 1; "
                        + "got " + devices + ", " + nanosPerMegaMac + ", " + spread);
            }
        }

        public String deviceId(int i) {
            return String.format("%s-%04d", prefix, i);
        }
    }

    /** @param enrolTokenFile the fleet enrolment token every simulated device enrols with (owner-only file) */
    public static SimulatorProcess start(Path agentJar, String brokerUrl, String fleetId, Fleet fleet,
            Path enrolTokenFile, Path controllerKey, Path dir) throws IOException {
        return start(agentJar, "768m", List.of(), brokerUrl, fleetId, fleet, enrolTokenFile, controllerKey, dir);
    }

    /**
     * @param maxHeap the simulator JVM's -Xmx (its devices' heap)
     * @param agentKeys agent keys for every device, as JVM options ({@code -Dc2f.telemetry.interval=10s})
     * @param enrolTokenFile the fleet enrolment token every device enrols with (owner-only file), or null:
     *     the devices connect without credentials (a broker that allows anonymous clients, loopback only)
     */
    public static SimulatorProcess start(Path agentJar, String maxHeap, List<String> agentKeys, String brokerUrl,
            String fleetId, Fleet fleet, Path enrolTokenFile, Path controllerKey, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve("simulator.log");
        List<String> args = new ArrayList<>(List.of("simulate", "--broker", brokerUrl,
                "--fleet", fleetId, "--devices", Integer.toString(fleet.devices()), "--prefix", fleet.prefix(),
                "--controller-key", controllerKey.toAbsolutePath().toString(), "--state", stateDir(dir).toString(),
                "--speed", Long.toString(fleet.nanosPerMegaMac()), "--spread", Double.toString(fleet.spread()),
                "--seed", Long.toString(fleet.seed()), "--console", "true", "--exit-with-parent", "true"));
        if (enrolTokenFile != null) {
            args.addAll(List.of("--enrol-token-file", enrolTokenFile.toAbsolutePath().toString()));
        }
        Process p = new ProcessBuilder(command(agentJar, maxHeap, agentKeys, args)).redirectErrorStream(true).start();
        return new SimulatorProcess(p, log);
    }

    /** Where the simulator started in {@code dir} keeps its devices' state: one directory per device id. */
    public static Path stateDir(Path dir) {
        return dir.resolve("state");
    }

    private void pumpOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith(REPLY)) {
                    replies.add(line.substring(REPLY.length()));
                }
                out.write(line);
                out.write('\n');
                out.flush();
            }
        } catch (IOException e) {
            replies.add("error simulator output closed: " + e.getMessage());
        }
    }

    /**
     * Sends one console command and returns the simulator's answer (without "cmd ok ").
     *
     * @throws IllegalStateException when the simulator answers with an error, has ended, or does not answer
     */
    public synchronized String command(String line, Duration timeout) {
        if (!process.isAlive()) {
            throw new IllegalStateException("the simulator has ended (exit " + process.exitValue() + "): " + tail());
        }
        replies.clear();
        console.println(line);
        String reply;
        try {
            reply = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the simulator's answer to '" + line + "'");
        }
        if (reply == null) {
            throw new IllegalStateException("the simulator did not answer '" + line + "' within " + timeout.toSeconds()
                    + " s: " + tail());
        }
        if (!reply.startsWith("ok ")) {
            throw new IllegalStateException("the simulator refused '" + line + "': " + reply);
        }
        return reply.substring(3);
    }

    /**
     * The simulator's answer to {@code telemetry status}.
     *
     * @param paused devices that create no periodic telemetry records now
     * @param spooled records in all its devices' spools, not yet acknowledged by the broker
     */
    public record TelemetryStatus(int paused, int devices, long spooled) {
    }

    /** Asks {@code telemetry status}; fails as {@link #command} does, or on an answer of another form. */
    public TelemetryStatus telemetryStatus(Duration timeout) {
        String reply = command("telemetry status", timeout);
        Matcher m = TELEMETRY_STATUS.matcher(reply);
        if (!m.matches()) {
            throw new IllegalStateException("the simulator answered 'telemetry status' with '" + reply
                    + "', not 'telemetry status: P of N paused, S spooled'");
        }
        return new TelemetryStatus(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Long.parseLong(m.group(3)));
    }

    @Override
    public void close() {
        console.close();
        super.close();
    }
}
