package io.c2f.controller.dashboard;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.testing.HeadlessChromium;
import io.c2f.controller.testing.RegisteredFleet;
import io.c2f.controller.testing.TestControllers;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
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
 * The fleet page in a real headless Chromium with {@value #N} devices registered: it shows one page
 * of 50 with the whole fleet's counts, the search box narrows on the server, a column header sorts,
 * the pager moves on, and a reload keeps the query (it lives in the address). Screenshot in
 * target/screenshots/fleet-page.png.
 */
@Timeout(180)
class FleetPageBrowserTest {
    private static final int N = 1200;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** The ids of the rows shown, read in one script (live refreshes replace the rows at any moment). */
    @SuppressWarnings("unchecked")
    private static List<String> rowIds(WebDriver d) {
        return (List<String>) ((JavascriptExecutor) d).executeScript(
                "return [...document.querySelectorAll('#devices tbody tr[data-device-id]')].map(r => r.dataset.deviceId)");
    }

    /** Waits until the table shows the answer to a query containing all these parameters. */
    private static void shows(WebDriverWait wait, WebDriver d, String... params) {
        wait.until(x -> {
            String q = d.findElement(By.id("devices")).getAttribute("data-query");
            return q != null && List.of(params).stream().allMatch(p -> ("&" + q + "&").contains("&" + p + "&"));
        });
    }

    @Test
    void firstPageSearchSortAndPagingAtAThousandDevices() throws Exception {
        HeadlessChromium.assumeInstalled();
        Vertx vertx = Vertx.vertx();
        Controller c = TestControllers.start(vertx, dir, TestControllers.adminAndReader());
        WebDriver driver = null;
        try {
            result(RegisteredFleet.register(c.repository(), "lab", N));
            driver = HeadlessChromium.start(dir.resolve("chromium-profile"));
            WebDriver d = driver;
            WebDriverWait wait = new WebDriverWait(driver, WAIT);
            wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
            String base = "http://127.0.0.1:" + c.httpPort();

            driver.get(base + "/");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input"))).sendKeys(TestControllers.READER);
            driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();
            wait.until(ExpectedConditions.attributeToBe(By.id("devices"), "data-rendered", "true"));
            assertEquals(IntStream.range(0, 50).mapToObj(RegisteredFleet::id).toList(), rowIds(driver));
            String counts = driver.findElement(By.id("counts")).getText();
            assertTrue(counts.contains("1,200 total") && counts.contains("960 online") && counts.contains("240 offline"), counts);
            assertTrue(driver.findElement(By.id("page-info")).getText().startsWith("page 1 of 24"),
                    driver.findElement(By.id("page-info")).getText());
            assertEquals(Boolean.TRUE, ((JavascriptExecutor) driver).executeScript(
                    "return performance.getEntriesByName('c2f-fleet-rendered').length === 1"));

            // search: narrowed by the server, counts still of the whole fleet
            WebElement search = driver.findElement(By.id("f-text"));
            search.sendKeys("dev-0004");
            shows(wait, d, "q=dev-0004");
            assertEquals(IntStream.range(40, 50).mapToObj(RegisteredFleet::id).toList(), rowIds(driver));
            assertTrue(driver.findElement(By.id("counts")).getText().contains("1,200 total · "), driver.findElement(By.id("counts")).getText());
            assertTrue(driver.findElement(By.id("counts")).getText().endsWith("10 match"), driver.findElement(By.id("counts")).getText());
            assertTrue(driver.findElement(By.id("page-next")).getAttribute("disabled") != null);
            search.clear();
            ((JavascriptExecutor) driver).executeScript("document.getElementById('f-text').dispatchEvent(new Event('input'))");
            wait.until(x -> rowIds(d).size() == 50 && !d.findElement(By.id("devices")).getAttribute("data-query").contains("q="));

            // sort by last seen, newest first: two clicks on the header
            List<String> newest = IntStream.range(0, N).boxed()
                    .sorted(Comparator.comparingLong((Integer i) -> RegisteredFleet.lastSeenMs(i, N)).reversed())
                    .map(RegisteredFleet::id).toList();
            driver.findElement(By.cssSelector("th[data-key=last_seen] button")).click();
            shows(wait, d, "sort=last_seen", "order=asc");
            driver.findElement(By.cssSelector("th[data-key=last_seen] button")).click();
            shows(wait, d, "sort=last_seen", "order=desc");
            assertEquals("descending", driver.findElement(By.cssSelector("th[data-key=last_seen]")).getAttribute("aria-sort"));
            assertEquals(newest.subList(0, 50), rowIds(driver));

            // next page, then a reload keeps sort and page
            driver.findElement(By.id("page-next")).click();
            shows(wait, d, "sort=last_seen", "order=desc", "page=2");
            assertEquals(newest.subList(50, 100), rowIds(driver));
            assertTrue(driver.findElement(By.id("page-info")).getText().startsWith("page 2 of 24 (51–100 of 1,200)"),
                    driver.findElement(By.id("page-info")).getText());
            assertTrue(driver.getCurrentUrl().contains("page=2"), driver.getCurrentUrl());
            driver.navigate().refresh();
            shows(wait, d, "sort=last_seen", "order=desc", "page=2");
            assertEquals(newest.subList(50, 100), rowIds(driver));

            // the status filter and the last page
            new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("f-status"))).selectByValue("OFFLINE");
            shows(wait, d, "status=OFFLINE", "page=1");
            driver.findElement(By.id("page-last")).click();
            shows(wait, d, "status=OFFLINE", "page=5");
            List<String> offlineNewest = newest.stream().filter(id -> RegisteredFleet.offline(Integer.parseInt(id.substring(4))))
                    .toList();
            assertEquals(offlineNewest.subList(200, 240), rowIds(driver));
            Files.createDirectories(Path.of("target", "screenshots"));
            Files.write(Path.of("target", "screenshots", "fleet-page.png"),
                    ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));

            // an address edited by hand: unknown values fall back to the defaults instead of a 400
            driver.get(base + "/?sort=bogus&status=ASLEEP&page=3");
            shows(wait, d, "sort=id", "order=asc", "page=3");
            assertEquals(IntStream.range(100, 150).mapToObj(RegisteredFleet::id).toList(), rowIds(driver));
        } catch (Exception | AssertionError e) {
            if (driver != null) {
                System.out.println("page " + driver.getCurrentUrl() + " error banner: "
                        + driver.findElement(By.id("error")).getAttribute("textContent") + "; table shows "
                        + driver.findElement(By.id("devices")).getAttribute("data-query"));
            }
            throw e;
        } finally {
            if (driver != null) {
                driver.quit();
            }
            result(c.stop());
            result(vertx.close());
        }
    }
}
