package io.c2f.controller.testing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A controller in a JVM of its own ({@code ControllerMain} on the test's class path), so that a
 * test can kill it as a crash does ({@code kill -9}) or freeze it ({@code kill -STOP}), and start
 * it again with the same settings. Its output goes to {@code log-N.txt} in its directory.
 */
public final class ControllerProcess implements AutoCloseable {
    /** What the checks behind {@code GET /healthz} may take in all (their durations are in the answer). */
    public static final Duration HEALTH_LIMIT = Duration.ofSeconds(1);
    /**
     * An answer later than this is a hang (the bug this guards against: one request during start-up
     * took 12 minutes). Measured here, on the client, it also holds a cold JVM's first request and a
     * loaded test machine, so it is wider than {@link #HEALTH_LIMIT}, which the answer's own timing shows.
     */
    public static final Duration HANG_LIMIT = Duration.ofSeconds(5);

    private final Path dir;
    private final Map<String, String> settings;
    private final int httpPort;
    /** One per start: a kept-alive connection to a killed process must not carry the next request. */
    private HttpClient http;
    private Process process;
    private int starts;

    /**
     * @param settings {@code --key=value} flags (http.port is chosen here)
     */
    public ControllerProcess(Path dir, Map<String, String> settings) {
        this.dir = dir;
        this.settings = Map.copyOf(settings);
        this.httpPort = Ports.freePort();
    }

    public int httpPort() {
        return httpPort;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** Starts the JVM; does not wait for it to be ready (see {@link #awaitHealthy}). */
    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the controller is still running");
        }
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.c2f.controller.ControllerMain"));
        cmd.add("--http.port=" + httpPort);
        settings.forEach((k, v) -> cmd.add("--" + k + "=" + v));
        starts++;
        http = HttpClient.newBuilder().connectTimeout(HANG_LIMIT).build();
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("log-" + starts + ".txt").toFile()).start();
    }

    /** kill -9: no shutdown hook, no goodbye, nothing flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the controller did not die");
        }
    }

    /** kill -STOP: the process holds its connections but does nothing until {@link #kill()}. */
    public void freeze() throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException("kill -STOP " + process.pid() + " failed: " + rc);
        }
    }

    /** SIGTERM: the graceful stop. */
    public void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(40, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Polls {@code /healthz} until it says 200. Every request that reaches the HTTP server must be
     * answered (200 or 503) with checks that took less than {@link #HEALTH_LIMIT}, and never hang
     * ({@link #HANG_LIMIT}); before the server listens, connections are refused at once, which is fine.
     *
     * @return how many answers were 503 before the 200
     * @throws AssertionError when an answer took longer, or no 200 came in time
     */
    public int awaitHealthy(Duration within) throws Exception {
        long end = System.nanoTime() + within.toNanos();
        int unhealthy = 0;
        String last = "(no answer)";
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new AssertionError("the controller exited (" + process.exitValue() + "): " + output());
            }
            HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl() + "/healthz")).timeout(HANG_LIMIT).build();
            try {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200 && r.statusCode() != 503) {
                    throw new AssertionError("/healthz answered " + r.statusCode() + ": " + r.body());
                }
                assertTimelyChecks(r.body());
                if (r.statusCode() == 200) {
                    return unhealthy;
                }
                unhealthy++;
                last = r.body();
            } catch (HttpTimeoutException e) {
                throw new AssertionError("/healthz did not answer within " + HANG_LIMIT.toMillis() + " ms");
            } catch (ConnectException e) {
                last = "connection refused (not listening yet)";
            } catch (IOException e) {
                // accepted and closed unanswered: a start that failed after the HTTP server listened, or a
                // server dropping requests; either way the run's log says which
                String state = process.waitFor(2, TimeUnit.SECONDS) ? "exited (" + process.exitValue() + ")"
                        : "still running";
                throw new AssertionError("/healthz closed the connection without an answer (" + e.getMessage()
                        + "); the controller " + state + ": " + output(), e);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("/healthz not 200 within " + within + "; last: " + last + "; " + output());
    }

    /** Each check in a {@code /healthz} answer finished within {@link #HEALTH_LIMIT}. */
    public static void assertTimelyChecks(String body) {
        io.vertx.core.json.JsonObject checks = new io.vertx.core.json.JsonObject(body).getJsonObject("checks");
        for (String name : checks.fieldNames()) {
            long ms = checks.getJsonObject(name).getLong("ms");
            if (ms >= HEALTH_LIMIT.toMillis()) {
                throw new AssertionError("/healthz check " + name + " took " + ms + " ms: " + body);
            }
        }
    }

    /** The tail of the current run's log (for failure messages). */
    public String output() {
        try {
            String s = Files.readString(dir.resolve("log-" + starts + ".txt"));
            return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
