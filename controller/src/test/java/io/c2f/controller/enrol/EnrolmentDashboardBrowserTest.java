package io.c2f.controller.enrol;

import static io.c2f.controller.enrol.EnrolmentClient.ask;
import static io.c2f.controller.enrol.EnrolmentClient.bootstrap;
import static io.c2f.controller.enrol.EnrolmentClient.credential;
import static io.c2f.controller.enrol.EnrolmentClient.request;
import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.TestControllers.ADMIN;
import static io.c2f.controller.testing.TestControllers.READER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.testing.HeadlessChromium;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.testing.RawMqttClient;
import io.c2f.proto.v1.EnrolmentStatus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Enrolment page in a real headless Chromium against a real controller: an admin creates a
 * token in the form (its secret shown once), two devices ask to enrol with it over raw MQTT, the
 * admin accepts one and rejects the other with the buttons, and revokes the token; each device gets
 * its answer. Screenshot: target/screenshots/enrolment.png.
 */
@Timeout(180)
class EnrolmentDashboardBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir
    Path dir;

    @Test
    void createTokenAcceptRejectAndRevokeInTheBrowser() throws Exception {
        HeadlessChromium.assumeInstalled();
        Vertx vertx = Vertx.vertx();
        Controller c = TestControllers.start(vertx, dir, TestControllers.adminAndReader());
        WebClient http = WebClient.create(vertx);
        URI broker = URI.create(c.mqttUrl());
        String base = "http://127.0.0.1:" + c.httpPort();
        WebDriver driver = HeadlessChromium.start(dir.resolve("chromium-profile"));
        try {
            WebDriverWait wait = new WebDriverWait(driver, WAIT);
            driver.get(base + "/enrolment");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input"))).sendKeys(ADMIN);
            driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("token-table"), "No token yet"));

            driver.findElement(By.id("tok-id")).sendKeys("web-1");
            driver.findElement(By.id("tok-labels")).sendKeys("site=lab, rack=7");
            driver.findElement(By.id("tok-submit")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-token-text")));
            EnrolmentToken token = EnrolmentToken.parse(driver.findElement(By.id("new-token-text")).getText());
            assertEquals("web-1", token.tokenId());
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#token-table tr[data-token-id='web-1']")));

            int[] code = new int[1];
            try (RawMqttClient one = bootstrap(broker, "cam-web1", token, code);
                    RawMqttClient two = bootstrap(broker, "cam-web2", token, code)) {
                assertEquals(EnrolmentStatus.ENROLMENT_STATUS_PENDING,
                        ask(one, "cam-web1", request("cam-web1", token, credential(), b -> b)).getStatus());
                assertEquals(EnrolmentStatus.ENROLMENT_STATUS_PENDING,
                        ask(two, "cam-web2", request("cam-web2", token, credential(), b -> b)).getStatus());

                driver.navigate().refresh();
                wait.until(ExpectedConditions.elementToBeClickable(
                        By.cssSelector("#pending-table button.accept[data-device-id='cam-web1']"))).click();
                wait.until(ExpectedConditions.presenceOfElementLocated(
                        By.cssSelector("#decided-table tr[data-device-id='cam-web1'][data-status='accepted']")));
                assertEquals(EnrolmentStatus.ENROLMENT_STATUS_ACCEPTED, EnrolmentClient.answer(one, "cam-web1").getStatus());
                assertTrue(driver.findElement(By.cssSelector("#decided-table tr[data-device-id='cam-web1']")).getText()
                        .contains("site=lab"), "the token's labels were added");

                driver.findElement(By.id("reject-reason")).clear();
                driver.findElement(By.id("reject-reason")).sendKeys("unknown camera");
                driver.findElement(By.cssSelector("#pending-table button.reject[data-device-id='cam-web2']")).click();
                wait.until(ExpectedConditions.presenceOfElementLocated(
                        By.cssSelector("#decided-table tr[data-device-id='cam-web2'][data-status='rejected']")));
                assertTrue(EnrolmentClient.answer(two, "cam-web2").getReason().contains("unknown camera"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pending-table"), "No device is waiting"));
            }

            driver.findElement(By.cssSelector("#token-table button.revoke[data-token-id='web-1']")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(
                    By.cssSelector("#token-table tr[data-token-id='web-1'] .token-state"), "revoked"));
            Files.createDirectories(Path.of("target", "screenshots"));
            Files.write(Path.of("target", "screenshots", "enrolment.png"),
                    ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));

            JsonArray tokens = result(http.get(c.httpPort(), "127.0.0.1", "/api/v1/enrolment-tokens")
                    .bearerTokenAuthentication(READER).send()).bodyAsJsonObject().getJsonArray("tokens");
            JsonObject t = tokens.getJsonObject(0);
            assertEquals(new JsonObject().put("site", "lab").put("rack", "7"), t.getJsonObject("labels"));
            assertEquals(1, t.getInteger("uses"));
            assertTrue(t.getString("revokedAt") != null, t.encode());
        } finally {
            driver.quit();
            http.close();
            result(c.stop());
            result(vertx.close());
        }
    }
}
