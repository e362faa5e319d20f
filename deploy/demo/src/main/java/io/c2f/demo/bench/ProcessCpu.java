package io.c2f.demo.bench;

import java.time.Duration;
import java.util.List;

/**
 * CPU time of the processes taking part in a run, from its start to its end: this JVM (the
 * controller, with the embedded broker when there is no external one), the simulated agents'
 * processes, and a Mosquitto broker running on this machine (found by its command name). Shares are
 * of the CPU time the three used together; the machine's capacity is wall time x cores.
 */
final class ProcessCpu {
    private final List<ProcessHandle> agents;
    private final List<ProcessHandle> brokers;
    private final long controllerStart;
    private final long agentsStart;
    private final long brokersStart;

    private ProcessCpu(List<ProcessHandle> agents, List<ProcessHandle> brokers) {
        this.agents = List.copyOf(agents);
        this.brokers = brokers;
        this.controllerStart = cpuNanos(ProcessHandle.current());
        this.agentsStart = agents.stream().mapToLong(ProcessCpu::cpuNanos).sum();
        this.brokersStart = brokers.stream().mapToLong(ProcessCpu::cpuNanos).sum();
    }

    /** Starts counting; mqttUrl empty means the embedded broker, inside this JVM. */
    static ProcessCpu start(List<ProcessHandle> agents, String mqttUrl) {
        List<ProcessHandle> brokers = mqttUrl.isEmpty() ? List.of() : named("mosquitto");
        return new ProcessCpu(agents, brokers);
    }

    /** CPU seconds this JVM (the controller) used since start. */
    double controllerSeconds() {
        return (cpuNanos(ProcessHandle.current()) - controllerStart) / 1e9;
    }

    /** The CPU seconds and shares since start, one line. */
    String finish(double wallSeconds) {
        double controller = (cpuNanos(ProcessHandle.current()) - controllerStart) / 1e9;
        double sim = (agents.stream().mapToLong(ProcessCpu::cpuNanos).sum() - agentsStart) / 1e9;
        double broker = (brokers.stream().mapToLong(ProcessCpu::cpuNanos).sum() - brokersStart) / 1e9;
        double total = controller + sim + broker;
        int cores = Runtime.getRuntime().availableProcessors();
        String brokerPart = brokers.isEmpty()
                ? "broker: embedded, counted with the controller"
                : String.format("broker (mosquitto, %d process(es)) %.1f s = %.0f %%", brokers.size(), broker,
                        100 * broker / total);
        return String.format("controller%s %.1f s = %.0f %%, simulated agents %.1f s = %.0f %%, %s; "
                + "%.1f CPU-s of %.1f available (%.1f s x %d cores)", brokers.isEmpty() ? " + embedded broker" : "",
                controller, 100 * controller / total, sim, 100 * sim / total, brokerPart, total, wallSeconds * cores,
                wallSeconds, cores);
    }

    /** This machine's running processes whose command is {@code name} (its file name). */
    static List<ProcessHandle> named(String name) {
        return ProcessHandle.allProcesses().filter(p -> p.info().command().map(c -> c.endsWith("/" + name))
                .orElse(false)).toList();
    }

    /** The process's CPU time so far; 0 once it has ended. */
    static long cpuNanos(ProcessHandle p) {
        return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
