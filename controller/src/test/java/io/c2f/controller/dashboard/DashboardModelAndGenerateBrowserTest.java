package io.c2f.controller.dashboard;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.auth.ApiTokens;
import io.c2f.controller.auth.Role;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.controller.testing.HeadlessChromium;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.controller.testing.TestControllers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The model page and the generate form in a real headless Chromium against a real controller: the
 * shipped emoji32-c2f model registered with its card, its real rank analysis and a real (short) TRD
 * catalog attached through the API (test resources, see rank/README.md); the page shows the card,
 * the rank plot with the recommended switch and the catalog chart with full and C2F series. On a
 * device page, the form sends a generate request that a fake device answers with a PNG, and the
 * image appears without a reload, and again among the thumbnails. Screenshots: target/screenshots.
 */
@Timeout(180)
class DashboardModelAndGenerateBrowserTest {
    private static final String ADMIN = TestControllers.ADMIN;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final Path ZOO_MODEL = Path.of("..", "models", "zoo", "emoji32-c2f", "model.tflite").toAbsolutePath().normalize();
    private static final Path RANK_CSV = Path.of("src", "test", "resources", "rank", "emoji32-c2f-rank.csv");
    private static final Path CATALOG = Path.of("src", "test", "resources", "catalog", "emoji32-c2f").toAbsolutePath();

    @TempDir
    Path dir;

    /** A screenshot of the whole page (Chromium's DevTools capture beyond the viewport). */
    private static void shot(WebDriver driver, String name) throws Exception {
        Files.createDirectories(SHOTS);
        ChromeDriver cd = (ChromeDriver) driver;
        Long h = (Long) cd.executeScript("return Math.ceil(document.documentElement.scrollHeight)");
        Map<String, Object> full = cd.executeCdpCommand("Page.captureScreenshot", Map.of("captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", 1360, "height", Math.min(h, 4000), "scale", 1)));
        Files.write(SHOTS.resolve(name + ".png"), java.util.Base64.getDecoder().decode((String) full.get("data")));
    }

    private static JsonObject call(HttpRequest<Buffer> r, JsonObject body, int status) throws Exception {
        r.bearerTokenAuthentication(ADMIN);
        HttpResponse<Buffer> resp = result(body == null ? r.send() : r.sendJsonObject(body));
        assertEquals(status, resp.statusCode(), resp.bodyAsString());
        return resp.bodyAsJsonObject();
    }

    /** The test catalog copied to {@code to}, trd-k8-full and trd-k8-c2f carrying sample quality. */
    private static Path annotatedCatalog(Path to, double laplacianRatio) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(CATALOG)) {
            for (Path f : files.toList()) {
                String json = Files.readString(f);
                String name = f.getFileName().toString();
                double frechet = name.equals("trd-k8-full.json") ? 1.368 : name.equals("trd-k8-c2f.json") ? 1.446 : -1;
                if (frechet > 0) {
                    String ratio = Double.isNaN(laplacianRatio) ? "\"NaN\"" : Double.toString(laplacianRatio);
                    json = json.replace("\"provenance\": {", "\"provenance\": {\"sampleQuality\": {\"shapeDetailFrechet\": "
                            + frechet + ", \"shapeDetailFrechetFloor\": 0.664, \"shapeDetailFrechetCeiling\": 66.56, "
                            + "\"laplacianRatio\": " + ratio + ", \"bandEnergyRatio\": 0.58, \"samples\": 149, "
                            + "\"realImages\": \"emoji heldout-32x32 (149 images)\"},");
                }
                Files.writeString(to.resolve(name), json);
            }
        }
        return to;
    }

    @Test
    void modelPageAndGenerateFormInChromium() throws Exception {
        HeadlessChromium.assumeInstalled();
        Vertx vertx = Vertx.vertx();
        Controller c = TestControllers.start(vertx, dir, ApiTokens.of(Map.of("ops", ApiTokens.entry(Role.ADMIN, ADMIN)), "test"));
        WebClient http = WebClient.create(vertx);
        int port = c.httpPort();
        String base = "http://127.0.0.1:" + port;
        WebDriver driver = null;
        List<GenerateRequest> got = new CopyOnWriteArrayList<>();
        try (FakeDevice dev = new FakeDevice(c.mqttUrl(), "lab", "rpi-01")) {
            dev.connect(1);
            dev.birth();
            dev.answerGenerates(req -> {
                got.add(req);
                return FakeDevice.pngPerSeed(req);
            });
            call(http.post(port, "127.0.0.1", "/api/v1/models"), new JsonObject().put("id", "emoji32-c2f")
                    .put("source", TestControllers.intoModelsDir(dir, ZOO_MODEL)), 201);
            // the short catalog, two of its files with sample quality as ScheduleBenchmark --annotate-catalog
            // writes it (fixture values: this test checks the page, not the measures)
            Path annotated = annotatedCatalog(dir.resolve("annotated"), 0.58);
            call(http.post(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/schedules"),
                    new JsonObject().put("catalogDir", TestControllers.intoModelsDir(dir, annotated, "emoji32-c2f-catalog")), 200);
            // a catalog whose sample quality is not a number is refused whole, naming file and field
            JsonObject refused = call(http.post(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/schedules"),
                    new JsonObject().put("catalogDir", TestControllers.intoModelsDir(dir,
                            annotatedCatalog(dir.resolve("bad"), Double.NaN), "bad-catalog")), 422);
            assertTrue(refused.encode().contains("trd-k8-c2f.json") && refused.encode()
                    .contains("provenance.sample_quality.laplacian_ratio"), refused.encode());
            assertEquals(4, call(http.get(port, "127.0.0.1", "/api/v1/models/emoji32-c2f"), null, 200)
                    .getJsonArray("schedules").size(), "the catalog is as it was");
            call(http.put(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/rank"),
                    new JsonObject().put("csv", Files.readString(RANK_CSV)), 200);
            until(() -> http.get(port, "127.0.0.1", "/api/v1/devices").bearerTokenAuthentication(ADMIN).send()
                    .map(r -> r.bodyAsJsonObject().getJsonArray("devices").size()), n -> n == 1, WAIT, "1 device");

            driver = HeadlessChromium.start(dir.resolve("chromium-profile"));
            WebDriverWait wait = new WebDriverWait(driver, WAIT);
            JavascriptExecutor js = (JavascriptExecutor) driver;
            WebDriver d = driver;

            // overview -> model page through the models list
            driver.get(base + "/");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input"))).sendKeys(ADMIN);
            driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();
            wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#models a[href='/models/emoji32-c2f']"))).click();
            wait.until(ExpectedConditions.urlToBe(base + "/models/emoji32-c2f"));

            // rank plot: 50 steps of the full curve, the switch marked at the recommended t = 460
            wait.until(ExpectedConditions.attributeToBe(By.id("rank-chart"), "data-points", "50"));
            assertEquals("460", driver.findElement(By.id("rank-chart")).getAttribute("data-switch-timestep"));
            WebElement mark = driver.findElement(By.id("switch-mark"));
            assertTrue(driver.findElement(By.cssSelector("#rank-chart .switch-label")).getText().contains("recommended switch t = 460"));
            assertEquals(6, driver.findElements(By.cssSelector("#rank-chart polyline")).size(), "full and c2f, 3 lines each");
            // the mark sits where t = 460 lies between T - 1 (left) and 0 (right)
            double x = Double.parseDouble(mark.getAttribute("x1"));
            assertEquals(70 + (999.0 - 460) / 999 * (960 - 70 - 16), x, 0.5);
            assertTrue(driver.findElement(By.cssSelector("#rank-chart svg")).getAttribute("aria-label").contains("recommended switch at t = 460"));

            // catalog chart: 4 schedules, 2 full-resolution circles and 2 C2F triangles, labelled
            wait.until(ExpectedConditions.attributeToBe(By.id("catalog-chart"), "data-points", "4"));
            assertEquals(2, driver.findElements(By.cssSelector("#catalog-chart g[data-series=full] circle")).size());
            assertEquals(2, driver.findElements(By.cssSelector("#catalog-chart g[data-series=c2f] path")).size());
            String k8 = driver.findElement(By.cssSelector("#catalog-chart g.pt[data-schedule-id=trd-k8-full]")).getAttribute("aria-label");
            assertTrue(k8.contains("full resolution, 0 + 8 steps") && k8.contains("MSE 0.0199"), k8);
            assertEquals(4, driver.findElements(By.cssSelector("#catalog tbody tr[data-schedule-id]")).size());
            // the same chart for a measure against real images: only the two annotated schedules, a line at 1
            new Select(driver.findElement(By.id("catalog-measure"))).selectByValue("laplacian");
            wait.until(ExpectedConditions.attributeToBe(By.id("catalog-chart"), "data-points", "2"));
            assertEquals("0.58", driver.findElement(By.cssSelector("#catalog-chart g.pt[data-schedule-id=trd-k8-full]"))
                    .getAttribute("data-value"));
            assertTrue(driver.findElement(By.cssSelector("#catalog-chart svg")).getAttribute("aria-label")
                    .contains("Laplacian ratio over MACs per image for 2 schedules"));
            assertEquals(1, driver.findElements(By.id("measure-reference")).size(), "real images' ratio 1 is drawn");
            assertTrue(driver.findElement(By.id("catalog-caption")).getText().contains("2 schedule(s) without this measure"));
            new Select(driver.findElement(By.id("catalog-measure"))).selectByValue("frechet");
            wait.until(ExpectedConditions.attributeToBe(By.id("catalog-chart"), "data-measure", "frechet"));
            assertTrue(driver.findElement(By.cssSelector("#catalog-chart g.pt[data-schedule-id=trd-k8-c2f]"))
                    .getAttribute("aria-label").contains("shape/detail Fréchet 1.45"));
            assertEquals("1.37", driver.findElement(By.cssSelector(
                    "#catalog tbody tr[data-schedule-id=trd-k8-full] td:nth-child(7)")).getText());
            assertEquals("0.58, 0.58", driver.findElement(By.cssSelector(
                    "#catalog tbody tr[data-schedule-id=trd-k8-full] td:nth-child(8)")).getText());
            new Select(driver.findElement(By.id("catalog-measure"))).selectByValue("mse");
            wait.until(ExpectedConditions.attributeToBe(By.id("catalog-chart"), "data-points", "4"));

            // the card, rendered from the MODEL_CARD.md beside the model file, tables included
            WebElement card = driver.findElement(By.id("card"));
            assertTrue(card.findElement(By.tagName("h1")).getText().startsWith("emoji32-c2f"));
            assertTrue(card.findElements(By.tagName("table")).size() >= 3);
            assertTrue(card.getAttribute("data-source").endsWith("MODEL_CARD.md"));
            System.out.println("model page: rank points 50, switch x " + x + ", catalog points 4, card tables "
                    + card.findElements(By.tagName("table")).size());
            shot(driver, "model-full");
            // the view docs/ shows: facts, catalog chart and table, rank plot
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1360, 1560));
            Files.write(SHOTS.resolve("model.png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1360, 1100));

            // device page: generate with a chosen seed and schedule; the image appears without a reload
            driver.get(base + "/devices/rpi-01");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("thumbs"), "No image generated"));
            wait.until(x2 -> d.findElements(By.cssSelector("#gen-schedule option[value=trd-k8-c2f]")).size() == 1);
            js.executeScript("window.__noReload = true");
            WebElement seedInput = driver.findElement(By.id("gen-seed"));
            seedInput.clear();
            seedInput.sendKeys("-3");
            driver.findElement(By.id("gen-submit")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("gen-status"), "Seed must be a whole number"));
            assertEquals(0, got.size(), "nothing sent for a bad seed");
            seedInput.clear();
            seedInput.sendKeys("1234");
            new Select(driver.findElement(By.id("gen-schedule"))).selectByValue("trd-k8-c2f");
            driver.findElement(By.id("gen-submit")).click();
            WebElement img = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("gen-image-0")));
            wait.until(x2 -> Long.valueOf(32).equals(js.executeScript("return arguments[0].complete && arguments[0].naturalWidth", img)));
            assertTrue(img.getAttribute("src").startsWith("blob:"), img.getAttribute("src"));
            assertTrue(img.getAttribute("alt").contains("seed 1234") && img.getAttribute("alt").contains("trd-k8-c2f"), img.getAttribute("alt"));
            assertEquals(1, got.size());
            assertEquals(1234L, got.get(0).getSeed());
            assertEquals("trd-k8-c2f", got.get(0).getScheduleId());
            // the pixels are the device's: the centre colour of the fake device's PNG for seed 1234
            Long centre = (Long) js.executeScript("const i = arguments[0], c = document.createElement('canvas'); c.width = 32; c.height = 32;"
                    + "const g = c.getContext('2d'); g.drawImage(i, 0, 0); const p = g.getImageData(16, 16, 1, 1).data;"
                    + "return (p[0] << 16) | (p[1] << 8) | p[2];", img);
            java.util.Random rnd = new java.util.Random(1234);
            assertEquals(rnd.nextInt(0xffffff), centre.intValue());
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("gen-status"), "1 image(s) from rpi-01"));
            wait.until(x2 -> d.findElements(By.cssSelector("#thumbs img")).size() == 1);
            // a second one, two images at once: thumbnails grow, still no reload
            seedInput.clear();
            seedInput.sendKeys("77");
            WebElement countInput = driver.findElement(By.id("gen-count"));
            countInput.clear();
            countInput.sendKeys("2");
            driver.findElement(By.id("gen-submit")).click();
            wait.until(x2 -> d.findElements(By.cssSelector("#thumbs img")).size() == 3);
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("gen-image-1")));
            assertEquals(Boolean.TRUE, js.executeScript("return window.__noReload === true"));
            assertFalse(driver.findElement(By.id("error")).isDisplayed());
            System.out.println("generate form: images shown " + driver.findElements(By.cssSelector("#gen-result img")).size()
                    + ", thumbnails " + driver.findElements(By.cssSelector("#thumbs img")).size());
            shot(driver, "device-generate");
        } catch (Exception | AssertionError e) {
            if (driver != null) {
                System.out.println("page " + driver.getCurrentUrl() + " error banner: "
                        + driver.findElement(By.id("error")).getAttribute("textContent"));
                shot(driver, "failure-model-generate");
            }
            throw e;
        } finally {
            if (driver != null) {
                driver.quit();
            }
            http.close();
            result(c.stop());
            result(vertx.close());
        }
    }
}
