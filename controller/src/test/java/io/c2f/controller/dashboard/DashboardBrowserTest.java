package io.c2f.controller.dashboard;

import io.c2f.controller.testing.SyntheticBundleRequest;
import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.auth.ApiTokens;
import io.c2f.controller.auth.Role;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.retune.RetuneSettings;
import io.c2f.controller.rollout.RolloutSettings;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.controller.testing.HeadlessChromium;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.PhaseLatency;
import io.c2f.proto.v1.Telemetry;
import io.c2f.controller.testing.TestControllers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium against a real controller (embedded broker, H2, token
 * auth) and fake devices publishing births and generations over MQTT: the overview lists the
 * fleet and picks up a new device live, a device page's latency chart grows with new telemetry
 * without a reload and shows the retuning decision with its reason, and a rollout page shows its
 * waves and its abort button aborts the rollout. Screenshots go to target/screenshots.
 */
@Timeout(180)
class DashboardBrowserTest {
    private static final String ADMIN = TestControllers.ADMIN;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path SHOTS = Path.of("target", "screenshots");

    @TempDir
    Path dir;

    private static void shot(WebDriver driver, String name) throws Exception {
        Files.createDirectories(SHOTS);
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    private static JsonObject call(HttpRequest<Buffer> r, JsonObject body, int status) throws Exception {
        r.bearerTokenAuthentication(ADMIN);
        HttpResponse<Buffer> resp = result(body == null ? r.send() : r.sendJsonObject(body));
        assertEquals(status, resp.statusCode(), resp.bodyAsString());
        String text = resp.bodyAsString();
        return text == null || text.isEmpty() ? new JsonObject() : resp.bodyAsJsonObject();
    }

    /** n generations: 20 full-resolution steps of ~stepMs, or a C2F split of low and high steps. */
    private static void generations(FakeDevice dev, String id, long firstSeq, int n, String schedule, int lowSteps,
                                    int highSteps, double stepMs, Random rnd) throws Exception {
        for (int i = 0; i < n; i++) {
            double f = Math.exp(0.06 * rnd.nextGaussian());
            double low = lowSteps * stepMs * 0.25 * f;
            double high = highSteps * stepMs * f;
            GenerationRecord.Builder g = GenerationRecord.newBuilder().setRequestId(id + "-" + (firstSeq + i))
                    .setScheduleId(schedule).setStepsLow(lowSteps).setStepsHigh(highSteps)
                    .setTotalMillis(low + high + 25).setBatch(1).setDelegate("xnnpack")
                    .addPhases(PhaseLatency.newBuilder().setPhase("high").setMillis(high).setSteps(highSteps))
                    .addPhases(PhaseLatency.newBuilder().setPhase("encode").setMillis(25));
            if (lowSteps > 0) {
                g.addPhases(PhaseLatency.newBuilder().setPhase("low").setMillis(low).setSteps(lowSteps));
            }
            dev.publish(Channel.TELEMETRY, Telemetry.newBuilder().setDeviceId(id).setTelemetrySeq(firstSeq + i)
                    .setGeneration(g).build());
        }
    }

    private static JsonObject bundleRequest(Path dir) throws Exception {
        return SyntheticBundleRequest.of(100_000, 3, "unet-s", "1.3.0");
    }

    private static int rows(WebDriver d) {
        return d.findElements(By.cssSelector("#devices tbody tr[data-device-id]")).size();
    }

    @Test
    void overviewDevicePageAndRolloutAbortInChromium() throws Exception {
        HeadlessChromium.assumeInstalled();
        Vertx vertx = Vertx.vertx();
        Controller c = TestControllers.start(vertx, dir, ControllerMetrics.NOOP, new Controller.Options(ApiTokens.of(Map.of("ops", ApiTokens.entry(Role.ADMIN, ADMIN)), "test"),
                RetuneSettings.defaults().withTiming(20, 120_000, 0, 200), 1, new RolloutSettings(200, 2000, 5000, 32)));
        WebClient http = WebClient.create(vertx);
        int port = c.httpPort();
        String base = "http://127.0.0.1:" + port;
        List<FakeDevice> devices = new ArrayList<>();
        WebDriver driver = null;
        try {
            for (String id : List.of("rpi-01", "rpi-02", "rpi-03")) {
                FakeDevice d = new FakeDevice(c.mqttUrl(), "lab", id);
                devices.add(d);
                d.connect(1);
                d.birth();
            }
            until(() -> http.get(port, "127.0.0.1", "/api/v1/devices").bearerTokenAuthentication(ADMIN).send()
                    .map(r -> r.bodyAsJsonObject().getJsonArray("devices").size()), n -> n == 3, WAIT, "3 devices");
            // rpi-01 runs 20 full-resolution steps (~845 ms); rpi-03 a C2F split (~440 ms)
            Random rnd = new Random(7);
            generations(devices.get(0), "rpi-01", 0, 30, "uniform-k20-32", 0, 20, 41.0, rnd);
            generations(devices.get(2), "rpi-03", 0, 12, "c2f-8-4", 8, 8, 45.0, rnd);
            call(http.put(port, "127.0.0.1", "/api/v1/devices/rpi-03/target"), new JsonObject().put("p95Millis", 600), 200);

            driver = HeadlessChromium.start(dir.resolve("chromium-profile"));
            WebDriverWait wait = new WebDriverWait(driver, WAIT);
            // live updates re-render rows: an element found a moment ago may be replaced before it is read
            wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
            JavascriptExecutor js = (JavascriptExecutor) driver;

            // overview: tokens are configured, so the page asks for one first
            driver.get(base + "/");
            WebElement tokenInput = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input")));
            tokenInput.sendKeys(ADMIN);
            driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();
            WebDriver d0 = driver;
            wait.until(x -> rows(d0) == 3);
            wait.until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "live"));
            assertTrue(driver.findElement(By.cssSelector("tr[data-device-id=rpi-01]")).getText().contains("xnnpack"));
            wait.until(ExpectedConditions.textMatches(By.cssSelector("tr[data-device-id=rpi-03] td:nth-child(6)"),
                    java.util.regex.Pattern.compile("\\d+ ms")));

            // a device born while the page is open appears without a reload
            js.executeScript("window.__noReload = true");
            FakeDevice late = new FakeDevice(c.mqttUrl(), "lab", "jetson-04");
            devices.add(late);
            late.connect(1);
            late.birth();
            wait.until(x -> rows(d0) == 4);
            assertEquals(Boolean.TRUE, js.executeScript("return window.__noReload === true"));
            System.out.println("overview rows live: " + rows(driver));

            // filter and sort
            driver.findElement(By.id("f-text")).sendKeys("jetson");
            wait.until(x -> rows(d0) == 1);
            driver.findElement(By.id("f-text")).clear();
            driver.findElement(By.id("f-text")).sendKeys(" ");
            driver.findElement(By.id("f-text")).clear();
            js.executeScript("document.getElementById('f-text').dispatchEvent(new Event('input'))");
            wait.until(x -> rows(d0) == 4);
            driver.findElement(By.cssSelector("th[data-key=id] button")).click(); // descending, sorted by the server
            wait.until(ExpectedConditions.attributeToBe(By.cssSelector("th[data-key=id]"), "aria-sort", "descending"));
            wait.until(x -> "rpi-03".equals(d0.findElements(By.cssSelector("#devices tbody tr")).get(0)
                    .getAttribute("data-device-id")));
            driver.findElement(By.cssSelector("th[data-key=id] button")).click();
            wait.until(ExpectedConditions.attributeToBe(By.cssSelector("th[data-key=id]"), "aria-sort", "ascending"));

            // a retuning decision for rpi-01: model + catalog + a 500 ms target it cannot meet at 20 steps
            call(http.post(port, "127.0.0.1", "/api/v1/models"), new JsonObject().put("id", "syn").put("source", "synthetic"), 201);
            Path catalog = Path.of("..", "schedules", "catalog").toAbsolutePath().normalize();
            call(http.post(port, "127.0.0.1", "/api/v1/models/syn/schedules"),
                    new JsonObject().put("catalogDir", TestControllers.intoModelsDir(dir, catalog)), 200);
            call(http.put(port, "127.0.0.1", "/api/v1/devices/rpi-01/target"),
                    new JsonObject().put("p95Millis", 500).put("modelId", "syn"), 200);
            until(() -> http.get(port, "127.0.0.1", "/api/v1/devices/rpi-01/schedule-history")
                    .bearerTokenAuthentication(ADMIN).send().map(r -> r.bodyAsJsonObject().getJsonArray("decisions").size()),
                    n -> n == 1, WAIT, "a retune decision");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("tr[data-device-id=rpi-01]"), "500 ms"));
            wait.until(x -> d0.findElement(By.cssSelector("tr[data-device-id=rpi-01] td:nth-child(6)"))
                    .getAttribute("class").contains("over"));
            shot(driver, "overview-initial");

            // device page: the chart of the last generations grows as telemetry arrives
            driver.get(base + "/devices/rpi-01");
            WebDriver d1 = driver;
            wait.until(ExpectedConditions.attributeToBe(By.id("recent-chart"), "data-points", "30"));
            wait.until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "live"));
            js.executeScript("window.__noReload = true");
            String before = driver.findElement(By.cssSelector("#recent-chart polyline")).getAttribute("points");
            generations(devices.get(0), "rpi-01", 30, 8, "uniform-k10-32", 0, 10, 41.0, rnd);
            wait.until(ExpectedConditions.attributeToBe(By.id("recent-chart"), "data-points", "38"));
            String after = driver.findElement(By.cssSelector("#recent-chart polyline")).getAttribute("points");
            assertTrue(!before.equals(after), "the polyline changed");
            assertEquals(38, after.trim().split(" ").length);
            assertEquals(Boolean.TRUE, js.executeScript("return window.__noReload === true"));
            wait.until(x -> Integer.parseInt(d1.findElement(By.id("minute-chart")).getAttribute("data-points")) >= 1);
            WebElement history = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("history")));
            wait.until(ExpectedConditions.textToBePresentInElement(history, "DOWNGRADE"));
            assertTrue(driver.findElement(By.id("phases")).getText().contains("high resolution"));
            WebElement chain = driver.findElement(By.id("chain"));
            wait.until(ExpectedConditions.textToBePresentInElement(chain, "not tried: tflite-xnnpack is active"));
            assertTrue(chain.getText().contains("tflite-xnnpack"), chain.getText());
            assertTrue(driver.findElement(By.id("facts")).getText().contains("tflite (tflite-xnnpack)"),
                    driver.findElement(By.id("facts")).getText());
            assertTrue(driver.findElement(By.id("facts")).getText().contains("none announced (whole bundles)"),
                    "a birth without capabilities: " + driver.findElement(By.id("facts")).getText());
            System.out.println("device chart points: 30 -> 38; history: "
                    + driver.findElement(By.cssSelector("#history tbody tr")).getText());
            shot(driver, "device");

            // rollout page: waves, jobs, abort
            JsonObject bundle = call(http.post(port, "127.0.0.1", "/api/v1/bundles"), bundleRequest(dir), 201);
            JsonObject rollout = call(http.post(port, "127.0.0.1", "/api/v1/rollouts"), new JsonObject()
                    .put("bundleId", bundle.getString("id"))
                    .put("target", new JsonObject().put("devices", new JsonArray().add("rpi-02").add("rpi-03").add("jetson-04")))
                    .put("waves", new JsonObject().put("canary", 1).put("growth", 2.0)), 201);
            String rid = rollout.getString("id");
            // the overview shows the canary installing and, live, a device that drops off
            driver.get(base + "/");
            wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("tr[data-device-id=jetson-04][data-status=INSTALLING]")));
            wait.until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "live"));
            devices.get(1).dropConnection();
            wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("tr[data-device-id=rpi-02][data-status=OFFLINE]")));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-rollout-id='" + rid + "']")));
            shot(driver, "overview");
            driver.get(base + "/rollouts/" + rid);
            WebDriver d2 = driver;
            wait.until(x -> d2.findElements(By.cssSelector("#waves li")).size() == 2);
            wait.until(ExpectedConditions.elementToBeClickable(By.id("abort")));
            wait.until(x -> d2.findElements(By.cssSelector("#jobs tbody tr[data-job-id]")).size() >= 1);
            // the canary asks for the bundle's first chunk: the page shows the bytes it was sent
            late.next(io.c2f.proto.v1.JobCommand.class, WAIT);
            late.publish(io.c2f.proto.topic.Channel.BUNDLE_GET, io.c2f.proto.v1.BundleChunkRequest.newBuilder()
                    .setRequestId("first").setBundleId(bundle.getString("id")).addIndices(0).build());
            late.next(io.c2f.proto.v1.BundleChunk.class, WAIT);
            String firstChunk = Long.toString(Math.min(bundle.getLong("chunkSize"), bundle.getLong("payloadSize")));
            wait.until(ExpectedConditions.attributeToBe(By.cssSelector(
                    "tr[data-device-id=jetson-04] td[data-bytes-sent]"), "data-bytes-sent", firstChunk));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("r-facts"), "% of the"));
            System.out.println("rollout bytes sent: " + driver.findElement(By.id("r-facts")).getText());
            shot(driver, "rollout-running");
            driver.findElement(By.id("abort-reason")).sendKeys("canary looks wrong");
            driver.findElement(By.id("abort")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(x -> List.of("ABORTING", "ABORTED").contains(d2.findElement(By.id("main")).getAttribute("data-state")));
            JsonObject after2 = call(http.get(port, "127.0.0.1", "/api/v1/rollouts/" + rid), null, 200);
            assertTrue(List.of("ABORTING", "ABORTED").contains(after2.getString("state")), after2.getString("state"));
            assertTrue(after2.getString("abortReason").contains("canary looks wrong"), after2.getString("abortReason"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("control-result"), "abort"));
            assertTrue(driver.findElement(By.id("abort")).getAttribute("disabled") != null);
            System.out.println("rollout " + rid + " after abort: " + after2.getString("state"));
            shot(driver, "rollout-aborted");

            // a phone-sized window: the tables turn into cards, nothing needs a horizontal scroll
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 900));
            driver.get(base + "/");
            wait.until(x -> rows(d2) == 4);
            Long overflow = (Long) js.executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertTrue(overflow <= 0, "horizontal overflow " + overflow + " px");
            shot(driver, "overview-phone");
        } catch (Exception | AssertionError e) {
            if (driver != null) {
                // what the page showed when it failed: its error banner and a screenshot
                System.out.println("page " + driver.getCurrentUrl() + " error banner: "
                        + driver.findElement(By.id("error")).getAttribute("textContent"));
                shot(driver, "failure");
            }
            throw e;
        } finally {
            if (driver != null) {
                driver.quit();
            }
            devices.forEach(FakeDevice::close);
            http.close();
            result(c.stop());
            result(vertx.close());
        }
    }
}
