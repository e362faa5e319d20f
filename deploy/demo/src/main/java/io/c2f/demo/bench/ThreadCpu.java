package io.c2f.demo.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * CPU time over one phase of a run: this JVM, split by groups of its threads (a function names each
 * thread's group), with what no Java thread accounts for (the JVM's own: garbage collection, JIT
 * compilers) apart; and the Mosquitto and PostgreSQL processes of this machine, found by command
 * name at the start. Processes started during the phase are missed, and so are Java threads that end
 * during it (their time lands in the JVM's own).
 */
final class ThreadCpu {
    /** The group of the time no Java thread accounts for. */
    static final String JVM_OWN = "JVM's own (GC, JIT)";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Function<String, String> group;
    private final long processStart;
    private final long wallStart;
    private final Map<Long, Long> threadStart = new HashMap<>();
    private final Map<ProcessHandle, Long> mosquittoStart = cpuNow(ProcessCpu.named("mosquitto"));
    private final Map<ProcessHandle, Long> postgresStart = cpuNow(ProcessCpu.named("postgres"));
    private final long compileStartMs = compileMs();
    private final long gcStartMs = gcMs();

    private ThreadCpu(Function<String, String> group) {
        this.group = group;
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null) {
                threadStart.put(t.getThreadId(), Math.max(0, THREADS.getThreadCpuTime(t.getThreadId())));
            }
        }
        this.processStart = processNanos();
        this.wallStart = System.nanoTime();
    }

    /** Starts counting now; {@code group} names a thread's group from its name. */
    static ThreadCpu start(Function<String, String> group) {
        return new ThreadCpu(group);
    }

    /**
     * CPU seconds used since start: this JVM, by thread group (largest first, {@link #JVM_OWN}
     * included), and the Mosquitto and PostgreSQL processes (0 when none runs here); and, to tell
     * the JVM's own time apart, the seconds its JIT compilers and its collectors reported meanwhile.
     */
    record Usage(double wallSeconds, double processSeconds, Map<String, Double> groups, double mosquittoSeconds,
                 double postgresSeconds, double jitSeconds, double gcSeconds) {
        /** Everything counted: this JVM, Mosquitto and PostgreSQL. */
        double totalSeconds() {
            return processSeconds + mosquittoSeconds + postgresSeconds;
        }
    }

    Usage finish() {
        double wall = (System.nanoTime() - wallStart) / 1e9;
        long process = processNanos() - processStart;
        Map<String, Long> byGroup = new HashMap<>();
        long threads = 0;
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long now = THREADS.getThreadCpuTime(t.getThreadId());
            if (now < 0) {
                continue; // ended meanwhile
            }
            long used = now - threadStart.getOrDefault(t.getThreadId(), 0L);
            byGroup.merge(group.apply(t.getThreadName()), used, Long::sum);
            threads += used;
        }
        byGroup.merge(JVM_OWN, Math.max(0, process - threads), Long::sum);
        Map<String, Double> groups = new LinkedHashMap<>();
        byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> groups.put(e.getKey(), e.getValue() / 1e9));
        return new Usage(wall, process / 1e9, groups, usedSince(mosquittoStart) / 1e9, usedSince(postgresStart) / 1e9,
                (compileMs() - compileStartMs) / 1e3, (gcMs() - gcStartMs) / 1e3);
    }

    /** The JIT compilers' time so far (the JVM's estimate, summed over its compiler threads). */
    private static long compileMs() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** The collectors' accumulated collection time so far (pauses, and concurrent cycles where a collector counts them). */
    private static long gcMs() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(g -> Math.max(0, g.getCollectionTime()))
                .sum();
    }

    private static Map<ProcessHandle, Long> cpuNow(List<ProcessHandle> processes) {
        Map<ProcessHandle, Long> out = new HashMap<>();
        processes.forEach(p -> out.put(p, ProcessCpu.cpuNanos(p)));
        return out;
    }

    /** CPU nanoseconds the processes used since their start values (one that ended counts 0). */
    private static long usedSince(Map<ProcessHandle, Long> start) {
        return start.entrySet().stream().mapToLong(e -> Math.max(0, ProcessCpu.cpuNanos(e.getKey()) - e.getValue())).sum();
    }

    private static long processNanos() {
        return ProcessCpu.cpuNanos(ProcessHandle.current());
    }
}
