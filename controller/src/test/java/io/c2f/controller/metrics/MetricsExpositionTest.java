package io.c2f.controller.metrics;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.Telemetry;
import io.c2f.controller.testing.TestControllers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code GET /metrics} of a real controller exposes after a device was born, sent a
 * generation and was asked for an image: every series deploy/README.md documents, and every metric
 * name that a PromQL expression of the Grafana dashboard (deploy/grafana/c2f-fleet.json) uses.
 */
@Timeout(90)
class MetricsExpositionTest {
    static final Path GRAFANA = Path.of("..", "deploy", "grafana", "c2f-fleet.json");
    static final Path DEPLOY_README = Path.of("..", "deploy", "README.md");
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** PromQL words that are not metric names. */
    private static final Set<String> PROMQL = Set.of("sum", "rate", "irate", "increase", "histogram_quantile", "by",
            "without", "max", "min", "avg", "count", "topk", "bottomk", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "offset", "clamp_min", "clamp_max", "vector", "scalar", "abs", "time", "label_values",
            "delta", "deriv", "le", "bool", "changes", "resets", "last_over_time", "max_over_time", "min_over_time",
            "avg_over_time", "sum_over_time");
    @TempDir
    Path dir;

    /** Sample names in a Prometheus text exposition (histogram _bucket/_count/_sum included). */
    static Set<String> exposed(String text) {
        Set<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                int end = 0;
                while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                    end++;
                }
                names.add(line.substring(0, end));
            }
        }
        return names;
    }

    /**
     * Metric names in a PromQL expression: identifiers that are not PromQL words, not inside a
     * label matcher {...}, not a label list after by/without, and not a Grafana $variable.
     */
    static Set<String> metricNames(String expr) {
        String e = expr.replaceAll("\\{[^}]*\\}", "{}").replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "$1()")
                .replaceAll("\\[[^]]*\\]", "[]").replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\$\\w+", "");
        Set<String> out = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(e);
        while (m.find()) {
            String w = m.group();
            if (!PROMQL.contains(w) && !w.matches("[0-9e]+")) {
                out.add(w);
            }
        }
        return out;
    }

    static void collectExprs(Object node, List<String> out) {
        if (node instanceof JsonObject o) {
            o.forEach(e -> {
                if (e.getKey().equals("expr") && e.getValue() instanceof String s) {
                    out.add(s);
                } else {
                    collectExprs(e.getValue(), out);
                }
            });
        } else if (node instanceof JsonArray a) {
            a.forEach(x -> collectExprs(x, out));
        }
    }

    @Test
    void documentedAndDashboardSeriesAreExposed() throws Exception {
        Vertx vertx = Vertx.vertx();
        MicrometerControllerMetrics metrics = new MicrometerControllerMetrics();
        Controller c = TestControllers.start(vertx, dir, metrics, Controller.Options.defaults());
        WebClient web = WebClient.create(vertx);
        int port = c.httpPort();
        try (FakeDevice dev = new FakeDevice(c.mqttUrl(), "lab", "rpi-01")) {
            dev.connect(1);
            dev.birth();
            dev.answerGenerates(FakeDevice::pngPerSeed);
            dev.publish(Channel.TELEMETRY, Telemetry.newBuilder().setDeviceId("rpi-01").setTelemetrySeq(0)
                    .setGeneration(GenerationRecord.newBuilder().setRequestId("r0").setScheduleId("c2f-8-4")
                            .setStepsLow(8).setStepsHigh(4).setTotalMillis(430).setBatch(1)).build());
            until(() -> web.get(port, "127.0.0.1", "/metrics").send().map(r -> exposed(r.bodyAsString())),
                    n -> n.contains("c2f_generations_total"), WAIT, "a generation counted");
            assertEquals(200, result(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-01/generate")
                    .sendJsonObject(new JsonObject().put("seed", 3))).statusCode());
            String text = result(web.get(port, "127.0.0.1", "/metrics").send()).bodyAsString();
            Set<String> names = exposed(text);
            System.out.println("c2f series exposed: " + names.stream().filter(n -> n.startsWith("c2f_")).toList());
            text.lines().filter(l -> l.startsWith("c2f_generate_request_seconds_count") || l.startsWith("c2f_rollouts")
                    || l.startsWith("c2f_generation_latency_ms_bucket")).forEach(l -> System.out.println("  " + l));

            // every series deploy/README.md documents (names in backticks in its metrics table)
            Matcher doc = Pattern.compile("\\| `(c2f_[a-z0-9_]+)`").matcher(Files.readString(DEPLOY_README));
            Set<String> documented = new TreeSet<>();
            while (doc.find()) {
                documented.add(doc.group(1));
            }
            assertTrue(documented.size() >= 12, "the README documents the series: " + documented);
            for (String d : documented) {
                assertTrue(names.contains(d), "documented series " + d + " is not exposed; exposed: " + names);
            }
            assertTrue(text.contains("c2f_rollouts{state=\"RUNNING\"} 0.0"), "rollout states at 0 from the start");
            assertTrue(text.contains("c2f_generate_request_seconds_count{outcome=\"ok\"} 1\n"), "the generate request counted");
            assertTrue(text.contains("c2f_generation_latency_ms_bucket{label=\"lab\",le=\"500.0\"} 1\n"), "latency histogram by label");
            // the one generation record was stored, and timed from receipt to its commit (well within 30 s)
            assertTrue(text.contains("c2f_telemetry_store_seconds_count 1\n"), "the stored record timed");
            assertTrue(text.contains("c2f_telemetry_store_seconds_bucket{le=\"30.0\"} 1\n"), "stored within 30 s");

            // every metric in the Grafana dashboard's queries
            List<String> exprs = new java.util.ArrayList<>();
            collectExprs(new JsonObject(Files.readString(GRAFANA)), exprs);
            assertTrue(exprs.size() >= 8, "the dashboard has queries: " + exprs.size());
            Set<String> used = new TreeSet<>();
            for (String e : exprs) {
                Set<String> m = metricNames(e);
                assertFalse(m.isEmpty(), "no metric in '" + e + "'");
                used.addAll(m);
            }
            for (String u : used) {
                assertTrue(names.contains(u), "the dashboard queries " + u + ", which /metrics does not expose");
            }
            System.out.println("dashboard queries " + exprs.size() + " expressions over " + used);
        } finally {
            web.close();
            result(c.stop());
            result(vertx.close());
        }
    }

    @Test
    void metricNamesOfPromQl() {
        assertEquals(Set.of("c2f_generation_latency_ms_bucket"), metricNames(
                "histogram_quantile(0.95, sum by (le, label) (rate(c2f_generation_latency_ms_bucket{label=~\"$label\"}[$__rate_interval])))"));
        assertEquals(Set.of("c2f_rollouts"), metricNames("max by (state) (c2f_rollouts)"));
        assertEquals(Set.of("c2f_a", "c2f_b"), metricNames("sum(c2f_a) / clamp_min(sum(c2f_b), 1)"));
    }
}
