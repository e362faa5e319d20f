package io.c2f.demo.bench;

import io.c2f.controller.Controller;
import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.metrics.NoopControllerMetrics;
import io.c2f.controller.testing.HeadlessChromium;
import io.c2f.controller.testing.Ports;
import io.c2f.controller.testing.RegisteredFleet;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The fleet page and the devices API at fleet scale: a controller (embedded broker, H2 or
 * PostgreSQL) with N registered devices; prints the response times of {@code /api/v1/devices}
 * (first page, a search, a sort) and of the fleet page's data, the fleet page's load time in
 * headless Chromium (navigation start to the first page of devices rendered, with its handlers
 * attached: the page's {@code c2f-fleet-rendered} performance mark), and the process's RSS. Not a
 * test: run it by hand.
 *
 * <pre>
 * java -cp deploy/demo/target/c2f-demo.jar io.c2f.demo.bench.FleetPageBenchmark [--devices=10000] [--requests=50]
 *     [--loads=5] [--db.url=jdbc:postgresql://... --db.user=... --db.password=...]
 * </pre>
 *
 * <p>Devices are written with the store call a birth makes ({@link RegisteredFleet}), not born over
 * N MQTT connections: what is measured is the registry's size, and N connections' setup would
 * dominate the run (the ingest benchmark measures births and telemetry). The controller runs in this
 * JVM, so the RSS printed is the controller's plus this benchmark's small HTTP client.
 */
public final class FleetPageBenchmark {
    private static final String FLEET = "bench";

    private FleetPageBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = BenchArgs.parse(args);
        int devices = Integer.parseInt(opts.getOrDefault("devices", "10000"));
        int requests = Integer.parseInt(opts.getOrDefault("requests", "50"));
        int loads = Integer.parseInt(opts.getOrDefault("loads", "5"));
        Path data = Files.createTempDirectory("c2f-fleet-bench");
        Map<String, String> values = new HashMap<>(Map.of("fleet", FLEET, "instance.id", "bench", "http.port", "0",
                "data.dir", data.toString(), "broker.port", Integer.toString(Ports.freePort())));
        for (String k : List.of("db.url", "db.user", "db.password", "db.pool.size")) {
            if (opts.containsKey(k)) {
                values.put(k, opts.get(k));
            }
        }
        ControllerConfig config = ConfigLoader.fromMap(values);
        System.out.printf("fleet page benchmark: %d devices, database %s, %d requests per endpoint, %d page loads%n",
                devices, config.dbUrl().isEmpty() ? "embedded H2" : config.dbUrl(), requests, loads);

        Vertx vertx = Vertx.vertx();
        Controller controller = await(Controller.start(vertx, config, new NoopControllerMetrics()));
        try {
            long t0 = System.nanoTime();
            await(RegisteredFleet.register(controller.repository(), FLEET, devices));
            System.out.printf("registered %d devices in %.1f s%n", devices, (System.nanoTime() - t0) / 1e9);
            String base = "http://127.0.0.1:" + controller.httpPort();
            HttpClient http = HttpClient.newHttpClient();
            String probe = RegisteredFleet.id(devices / 2).substring(0, 8); // an id prefix: 10 devices
            time(http, base, "/api/v1/devices?limit=100", "devices API, first page of 100", requests, 0);
            time(http, base, "/api/v1/devices?limit=100&q=" + probe, "devices API, search q=" + probe, requests, 0);
            time(http, base, "/api/v1/devices?limit=100&q=site_3", "devices API, search q=site_3 (a label, 1/7 of the fleet)",
                    requests, 0);
            time(http, base, "/api/v1/devices?limit=100&sort=last_seen&order=desc", "devices API, newest first",
                    requests, 0);
            time(http, base, "/api/v1/dashboard/fleet?limit=50", "fleet page data, page 1 (snapshot reused)", requests, 0);
            time(http, base, "/api/v1/dashboard/fleet?limit=50&sort=p95&order=desc&q=site_3",
                    "fleet page data, search + p95 sort (snapshot reused)", requests, 0);
            // spaced past the snapshot's age limit: each request rebuilds the table of the whole fleet
            time(http, base, "/api/v1/dashboard/fleet?limit=50", "fleet page data, page 1 (snapshot rebuilt)",
                    Math.min(requests, 20), 1100);
            pageLoads(base, data.resolve("chromium-profile"), loads);
            System.gc();
            Runtime rt = Runtime.getRuntime();
            System.out.printf("process RSS %.0f MiB (controller in this JVM), heap used after GC %.0f MiB%n",
                    rssKib(ProcessHandle.current().pid()) / 1024.0, (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
        } finally {
            await(controller.stop());
            await(vertx.close());
        }
    }

    /** Median and p99 of sequential GETs (after 5 unmeasured), each checked for 200. */
    static void time(HttpClient http, String base, String path, String what, int n, long pauseMs)
            throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).GET().build();
        for (int i = 0; i < 5; i++) {
            check(http.send(req, HttpResponse.BodyHandlers.ofString()), path);
        }
        double[] ms = new double[n];
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            if (pauseMs > 0) {
                Thread.sleep(pauseMs);
            }
            long t = System.nanoTime();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            ms[i] = (System.nanoTime() - t) / 1e6;
            check(r, path);
            bytes = r.body().length();
        }
        System.out.printf("%-58s median %7.1f ms  p99 %7.1f ms  (%d requests, %d B)%n", what, quantile(ms, 0.5),
                quantile(ms, 0.99), n, bytes);
    }

    /** The fleet page in headless Chromium: navigation start to the page's c2f-fleet-rendered mark. */
    static void pageLoads(String base, Path profile, int loads) throws InterruptedException {
        ChromeDriver driver = HeadlessChromium.start(profile);
        try {
            JavascriptExecutor js = driver;
            double[] ms = new double[loads];
            for (int i = 0; i < loads; i++) {
                driver.get(base + "/");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                Object mark = null;
                while (mark == null && System.nanoTime() < deadline) {
                    mark = js.executeScript("const m = performance.getEntriesByName('c2f-fleet-rendered');"
                            + " return m.length ? m[0].startTime : null");
                    if (mark == null) {
                        Thread.sleep(20);
                    }
                }
                if (mark == null) {
                    throw new IllegalStateException("the fleet page did not render within 60 s: "
                            + js.executeScript("return document.getElementById('error').textContent"));
                }
                ms[i] = ((Number) mark).doubleValue();
                long rows = (Long) js.executeScript("return document.querySelectorAll('#devices tbody tr[data-device-id]').length");
                System.out.printf("fleet page load %d: %.0f ms to the first %d rows rendered (%s)%n", i + 1, ms[i], rows,
                        js.executeScript("return document.getElementById('counts').textContent"));
            }
            System.out.printf("%-58s median %7.1f ms  first %7.1f ms  (%d loads)%n", "fleet page in Chromium, "
                    + "navigation start to rows rendered", quantile(ms, 0.5), ms[0], loads);
        } finally {
            driver.quit();
        }
    }

    private static void check(HttpResponse<String> r, String path) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    static double quantile(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
    }

    /** VmRSS of a process in KiB; -1 where it cannot be read (not Linux, or the process ended). */
    static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process ended: no RSS to print
        }
        return -1;
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    }
}
