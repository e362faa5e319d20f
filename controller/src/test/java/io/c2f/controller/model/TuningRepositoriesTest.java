package io.c2f.controller.model;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.catalog.CatalogEntry;
import io.c2f.controller.catalog.CatalogRepository;
import io.c2f.controller.catalog.ScheduleCatalog;
import io.c2f.controller.metrics.MicrometerControllerMetrics;
import io.c2f.controller.retune.RetuneRecord;
import io.c2f.controller.retune.RetuneRepository;
import io.c2f.controller.retune.TuningTarget;
import io.c2f.controller.search.SearchJob;
import io.c2f.controller.search.SearchRepository;
import io.c2f.controller.search.SearchRequest;
import io.c2f.controller.search.SearchService;
import io.c2f.controller.store.DeviceBirth;
import io.c2f.controller.store.JdbcDeviceRepository;
import io.c2f.controller.telemetry.LatencyRepository;
import io.c2f.controller.telemetry.MinuteBucket;
import io.c2f.controller.testing.EngineDatabase;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.Header;
import io.c2f.proto.v1.InstalledBundle;
import io.c2f.models.tensor.Resolution;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The V3 repositories (latency history, models and catalogs, targets and decisions, searches) on H2 and PostgreSQL. */
@ExtendWith(VertxExtension.class)
class TuningRepositoriesTest {
    @TempDir
    Path dir;

    private void withDatabase(Vertx vertx, String engine, EngineDatabase.Body body) throws Exception {
        EngineDatabase.with(vertx, engine, dir, body);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void latencyHistoryMergesAndExpires(String engine, Vertx vertx) throws Exception {
        withDatabase(vertx, engine, db -> {
            LatencyRepository repo = new LatencyRepository(db);
            result(repo.store(new MinuteBucket("d1", 60_000, 10, 1000, 150, 300, 600, 100, 140, 150)));
            result(repo.store(new MinuteBucket("d1", 60_000, 30, 3000, 200, 900, 1800, 100, 180, 200)));
            result(repo.store(new MinuteBucket("d1", 120_000, 5, 500, 110, 0, 450, 100, 110, 110)));
            List<MinuteBucket> h = result(repo.history("d1", 0, 100));
            assertEquals(2, h.size());
            MinuteBucket m = h.get(0);
            assertEquals(40, m.count());
            assertEquals(4000, m.totalSumMs(), 1e-9);
            assertEquals(200, m.totalMaxMs(), 1e-9);
            assertEquals(170, m.p95Ms(), 1e-9); // (140 * 10 + 180 * 30) / 40
            assertEquals(1, result(repo.deleteBefore(100_000)));
            assertEquals(List.of(120_000L), result(repo.history("d1", 0, 100)).stream().map(MinuteBucket::minuteMs).toList());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void modelsCatalogTargetsDecisionsAndASearch(String engine, Vertx vertx) throws Exception {
        withDatabase(vertx, engine, db -> {
            ModelRepository models = new ModelRepository(db);
            CatalogRepository catalogs = new CatalogRepository(db);
            ModelRecord m = result(vertx.executeBlocking(() -> ModelRegistry.inspect("syn", "synthetic", 5)));
            assertEquals(List.of(Resolution.square(16), Resolution.square(32)), m.resolutions());
            assertTrue(m.lowToHighCostRatio() > 0 && m.lowToHighCostRatio() < 1, "ratio " + m.lowToHighCostRatio());
            result(models.save(m));
            result(models.save(m)); // re-registering updates
            assertEquals(m, result(models.find("syn")).orElseThrow());
            assertEquals(1, result(models.findBySha256(m.modelSha256())).size());

            List<CatalogEntry> cat = ScheduleCatalog.readCatalog(m, Path.of("..", "schedules", "catalog"));
            assertEquals(4, cat.size());
            assertTrue(cat.stream().allMatch(e -> e.macsPerImage() == e.stepsHigh() * m.macsPerForward().get(Resolution.square(32))),
                    "MACs filled from the model");
            result(catalogs.saveSchedules(cat, 10));
            result(catalogs.saveSchedules(cat.subList(0, 1), 11)); // replacing one keeps the rest
            List<CatalogEntry> stored = result(catalogs.catalog("syn"));
            assertEquals(4, stored.size());
            assertEquals(cat.get(0).schedule(), stored.stream().filter(e -> e.scheduleId().equals(cat.get(0).scheduleId()))
                    .findFirst().orElseThrow().schedule());
            ModelException refused = assertThrows(ModelException.class,
                    () -> ScheduleCatalog.parse(m, "{\"scheduleId\": \"x\", \"timesteps\": [1500, 3], "
                            + "\"highResolution\": {\"height\": 32, \"width\": 32}}", "body"));
            assertTrue(refused.getMessage().contains("does not fit model syn"), refused.getMessage());

            // targets: a known online device, model matched by its bundle's sha256
            JdbcDeviceRepository devices = new JdbcDeviceRepository(db);
            result(devices.upsertBirth(DeviceBirth.from("lab", Birth.newBuilder()
                    .setHeader(Header.newBuilder().setProtocolMajor(1).setBdSeq(1)).setDeviceId("d1")
                    .setInstalled(InstalledBundle.newBuilder().setBundleId("b").setModelSha256(m.modelSha256()))
                    .setScheduleId("uniform-k20-32").addLabels("edge").build(), 1)));
            RetuneRepository retune = new RetuneRepository(db);
            assertFalse(result(retune.setTarget("lab", "nobody", 100.0, null, 1)));
            assertTrue(result(retune.setTarget("lab", "d1", 250.0, null, 1)));
            List<TuningTarget> targets = result(retune.targets("lab"));
            assertEquals(List.of(new TuningTarget("d1", 250.0, "syn", m.modelSha256(), "uniform-k20-32", "[\"edge\"]")),
                    targets);
            result(retune.record(new RetuneRecord(0, "d1", 100, "uniform-k20-32", "uniform-k10-32", 240.5, 300.0, 250,
                    "DOWNGRADE: test", "job-1")));
            result(retune.record(new RetuneRecord(0, "d1", 200, "uniform-k10-32", "uniform-k20-32", 190.0, null, 250,
                    "UPGRADE: test", "job-2")));
            List<RetuneRecord> h = result(retune.history("d1", 10));
            assertEquals(List.of("job-2", "job-1"), h.stream().map(RetuneRecord::jobId).toList());
            assertNull(h.get(0).observedP95Ms());
            assertEquals(300.0, h.get(1).observedP95Ms());
            assertTrue(result(retune.setTarget("lab", "d1", null, null, 2)));
            assertTrue(result(retune.targets("lab")).isEmpty());

            // a small TRD search job on the synthetic model, with progress and results in the catalog
            MicrometerControllerMetrics metrics = new MicrometerControllerMetrics();
            try (SearchService searches = new SearchService(vertx, models, catalogs, new SearchRepository(db), metrics,
                    Clock.systemUTC(), 1, "test")) {
                SearchJob job = result(searches.submit(m, new SearchRequest(List.of(4), "c2f", 2, 20, 2, 2, 20, 60)));
                assertEquals("QUEUED", job.state());
                SearchJob done = until(() -> searches.find(job.id()).map(o -> o.orElseThrow()), SearchJob::finished,
                        Duration.ofSeconds(40), "search finished");
                System.out.println(engine + " search: " + done);
                assertEquals("SUCCEEDED", done.state(), done.message());
                assertEquals(1.0, done.progress());
                assertEquals(List.of("syn-trd-k4-c2f"), done.results());
                CatalogEntry found = result(catalogs.catalog("syn")).stream()
                        .filter(e -> e.scheduleId().equals("syn-trd-k4-c2f")).findFirst().orElseThrow();
                // TRD may move the switch index by one from the start at 2
                assertEquals(4, found.steps());
                assertTrue(found.stepsLow() >= 1 && found.stepsLow() <= 3, "switch " + found.stepsLow());
                assertTrue(found.heldoutLoss() > 0, "measured held-out loss");
                assertEquals("SEARCH_METHOD_TRD", found.method());
                assertTrue(metrics.scrape().contains("c2f_schedule_search_seconds_count{outcome=\"succeeded\"} 1"),
                        metrics.scrape());
            }
        });
    }
}
