package io.c2f.agent.job;

import io.c2f.agent.fs.AtomicFiles;
import io.c2f.proto.v1.JobStatusUpdate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job ids this device accepted, with each order's expiry and, once done, the job's final
 * status: the replay protection of signed job orders. Kept in one file of the state directory
 * (rewritten atomically on every change), so it survives restarts. Bounded: an entry is dropped
 * once its order has expired (an expired order is refused anyway), and at most {@link #MAX}
 * entries are kept (the earliest-expiring go first).
 */
public final class AcceptedJobs {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptedJobs.class);
    /** Most job ids remembered; a controller issues far fewer per order validity. */
    static final int MAX = 4096;
    /** Kept this long past expiry, so a device clock running a little behind still knows the id. */
    static final long SKEW_MS = 10 * 60_000L;

    /** One accepted job: its order's expiry and, once finished, its final status. */
    public record Entry(long expiresAtMs, Optional<JobStatusUpdate> outcome) {
    }

    private final Path file;
    private final Clock clock;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private AcceptedJobs(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /** Loads the store; an unreadable file is an error (refusing every order beats forgetting them). */
    public static AcceptedJobs open(Path file, Clock clock) throws IOException {
        AcceptedJobs a = new AcceptedJobs(file, clock);
        if (Files.exists(file)) {
            int n = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                n++;
                String[] p = line.split(" ");
                try {
                    String id = new String(Base64.getDecoder().decode(p[0]), StandardCharsets.UTF_8);
                    Optional<JobStatusUpdate> outcome = p.length > 2
                            ? Optional.of(JobStatusUpdate.parseFrom(Base64.getDecoder().decode(p[2])))
                            : Optional.empty();
                    a.entries.put(id, new Entry(Long.parseLong(p[1]), outcome));
                } catch (RuntimeException | com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new IOException("accepted job store " + file + " line " + n + " is corrupt", e);
                }
            }
        }
        return a;
    }

    public synchronized Optional<Entry> find(String jobId) {
        return Optional.ofNullable(entries.get(jobId));
    }

    /** Records an accepted order before the device acts on it. */
    public synchronized void accept(String jobId, long expiresAtMs) throws IOException {
        entries.put(jobId, new Entry(expiresAtMs, entries.containsKey(jobId) ? entries.get(jobId).outcome()
                : Optional.empty()));
        prune();
        save();
    }

    /** Records the job's final status (the answer to a repeated order). */
    public synchronized void finish(String jobId, JobStatusUpdate outcome) throws IOException {
        Entry e = entries.get(jobId);
        if (e != null) {
            entries.put(jobId, new Entry(e.expiresAtMs(), Optional.of(outcome)));
            save();
        }
    }

    public synchronized int size() {
        return entries.size();
    }

    private void prune() {
        long now = clock.millis();
        entries.values().removeIf(e -> e.expiresAtMs() + SKEW_MS < now);
        if (entries.size() > MAX) {
            LOG.warn("more than {} unexpired job orders accepted: forgetting the earliest-expiring", MAX);
            entries.entrySet().stream().sorted(Comparator.comparingLong(e -> e.getValue().expiresAtMs()))
                    .limit(entries.size() - MAX).map(Map.Entry::getKey).toList().forEach(entries::remove);
        }
    }

    private void save() throws IOException {
        StringBuilder s = new StringBuilder();
        Base64.Encoder b64 = Base64.getEncoder();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            s.append(b64.encodeToString(e.getKey().getBytes(StandardCharsets.UTF_8))).append(' ')
                    .append(e.getValue().expiresAtMs());
            e.getValue().outcome().ifPresent(o -> s.append(' ').append(b64.encodeToString(o.toByteArray())));
            s.append('\n');
        }
        AtomicFiles.write(file, s.toString().getBytes(StandardCharsets.US_ASCII));
    }
}
