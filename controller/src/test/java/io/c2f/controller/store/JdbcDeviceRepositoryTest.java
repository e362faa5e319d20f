package io.c2f.controller.store;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.testing.EngineDatabase;
import io.c2f.controller.testing.RegisteredFleet;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.Hardware;
import io.c2f.proto.v1.Header;
import io.c2f.proto.v1.InstalledBundle;
import io.c2f.proto.v1.IntervalAggregate;
import io.c2f.proto.v1.Telemetry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The same migrations and SQL against the embedded H2 (PostgreSQL mode) and a real PostgreSQL. */
@ExtendWith(VertxExtension.class)
class JdbcDeviceRepositoryTest {
    @TempDir
    Path dir;

    private interface Body {
        void run(DeviceRepository repo) throws Exception;
    }

    private void withRepository(Vertx vertx, String engine, Body body) throws Exception {
        EngineDatabase.with(vertx, engine, dir, db -> body.run(new JdbcDeviceRepository(db)));
    }

    private static DeviceBirth birth(String id, long bdSeq, long at) {
        Birth b = Birth.newBuilder().setHeader(Header.newBuilder().setProtocolMajor(1).setBdSeq(bdSeq))
                .setDeviceId(id).setAgentVersion("0.3.0")
                .setHardware(Hardware.newBuilder().setOs("linux").setArch("aarch64").setCpuCores(4))
                .setInstalled(InstalledBundle.newBuilder().setBundleId("unet-s").setVersion("1.0.0").setSlot("b"))
                .addLabels("edge").setScheduleId("c2f-8-4").build();
        return DeviceBirth.from("lab", b, at);
    }

    private static TelemetryRecord telemetry(String id, long seq, long droppedBefore) {
        Telemetry t = Telemetry.newBuilder().setHeader(Header.newBuilder().setProtocolMajor(1).setSentAtMs(5))
                .setDeviceId(id).setTelemetrySeq(seq).setDroppedBefore(droppedBefore)
                .setAggregate(IntervalAggregate.newBuilder().setCount(1)).build();
        return TelemetryRecord.from("lab", t, 1000 + seq);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void theCapabilitiesOfTheLastBirthAreStoredAndAnOlderAgentsBirthClearsThem(String engine, Vertx vertx)
            throws Exception {
        withRepository(vertx, engine, repo -> {
            assertEquals(List.of(), result(repo.upsertBirth(birth("dev-1", 1, 100)).compose(v -> repo.find("lab",
                    "dev-1"))).orElseThrow().capabilities());
            Birth delta = Birth.newBuilder().setHeader(Header.newBuilder().setProtocolMajor(1).setBdSeq(2))
                    .setDeviceId("dev-1").addCapabilities("bundle-delta").build();
            result(repo.upsertBirth(DeviceBirth.from("lab", delta, 200)));
            assertEquals(List.of("bundle-delta"), result(repo.find("lab", "dev-1")).orElseThrow().capabilities());
            result(repo.upsertBirth(birth("dev-1", 3, 300))); // downgraded to an agent without deltas
            assertEquals(List.of(), result(repo.find("lab", "dev-1")).orElseThrow().capabilities());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void birthCreatesThenUpdatesTheDevice(String engine, Vertx vertx) throws Exception {
        withRepository(vertx, engine, repo -> {
            result(repo.upsertBirth(birth("dev-1", 1, 100)));
            result(repo.upsertBirth(birth("dev-1", 2, 200)));
            DeviceRecord d = result(repo.find("lab", "dev-1")).orElseThrow();
            assertEquals(DeviceStatus.ONLINE, d.status());
            assertEquals(2, d.bdSeq());
            assertEquals(100, d.firstSeenMs());
            assertEquals(200, d.lastBirthMs());
            assertEquals(List.of("edge"), d.labels());
            assertEquals("unet-s", d.bundleId());
            assertEquals("b", d.bundleSlot());
            assertTrue(d.hardwareJson().contains("\"cpuCores\":4"), d.hardwareJson());
            assertTrue(result(repo.find("other-fleet", "dev-1")).isEmpty());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void offlineOnlyForTheCurrentSession(String engine, Vertx vertx) throws Exception {
        withRepository(vertx, engine, repo -> {
            result(repo.upsertBirth(birth("dev-1", 7, 100)));
            assertFalse(result(repo.markOffline("dev-1", 6, "CONNECTION_LOST", 150)), "stale bdSeq");
            assertEquals(DeviceStatus.ONLINE, result(repo.find("lab", "dev-1")).orElseThrow().status());
            assertTrue(result(repo.markOffline("dev-1", 7, "CONNECTION_LOST", 160)));
            assertFalse(result(repo.markOffline("dev-1", 7, "CONNECTION_LOST", 170)), "already offline");
            DeviceRecord d = result(repo.find("lab", "dev-1")).orElseThrow();
            assertEquals(DeviceStatus.OFFLINE, d.status());
            assertEquals("CONNECTION_LOST", d.offlineReason());
            result(repo.upsertBirth(birth("dev-1", 8, 200)));
            d = result(repo.find("lab", "dev-1")).orElseThrow();
            assertEquals(DeviceStatus.ONLINE, d.status());
            assertNull(d.offlineReason());
            result(repo.touchAll(List.of(new DeviceTouch("dev-1", 8, 300, 5000))));
            assertEquals(5000, result(repo.find("lab", "dev-1")).orElseThrow().heartbeatIntervalMs());
        });
    }

    /** Heartbeats of several devices in one call: each as a single touch would be, and never back in time. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void heartbeatsOfManyDevicesAreWrittenTogether(String engine, Vertx vertx) throws Exception {
        withRepository(vertx, engine, repo -> {
            result(repo.upsertBirth(birth("dev-1", 7, 100)));
            result(repo.upsertBirth(birth("dev-2", 3, 100)));
            result(repo.upsertBirth(birth("dev-3", 5, 100)));
            result(repo.touchAll(List.of(new DeviceTouch("dev-3", 5, 400, 2000), new DeviceTouch("dev-1", 7, 300, 5000),
                    new DeviceTouch("dev-2", 2, 500, 1000), new DeviceTouch("ghost", 1, 500, 1000))));
            assertEquals(400, result(repo.find("lab", "dev-3")).orElseThrow().lastSeenMs());
            assertEquals(2000, result(repo.find("lab", "dev-3")).orElseThrow().heartbeatIntervalMs());
            assertEquals(300, result(repo.find("lab", "dev-1")).orElseThrow().lastSeenMs());
            assertEquals(100, result(repo.find("lab", "dev-2")).orElseThrow().lastSeenMs(), "another session's heartbeat");
            assertTrue(result(repo.find("lab", "ghost")).isEmpty(), "a heartbeat creates no device");
            // its death was recorded at 600; a heartbeat from before it, written late, leaves last_seen alone
            assertTrue(result(repo.markOffline("dev-1", 7, "CONNECTION_LOST", 600)));
            result(repo.touchAll(List.of(new DeviceTouch("dev-1", 7, 350, 5000))));
            assertEquals(600, result(repo.find("lab", "dev-1")).orElseThrow().lastSeenMs());
            result(repo.touchAll(List.of()));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void telemetryIsStoredOnceAndLossesAreCounted(String engine, Vertx vertx) throws Exception {
        withRepository(vertx, engine, repo -> {
            result(repo.upsertBirth(birth("dev-1", 1, 100)));
            assertFalse(result(repo.ingestTelemetry(telemetry("dev-1", 0, 0))).duplicate());
            assertTrue(result(repo.ingestTelemetry(telemetry("dev-1", 0, 0))).duplicate(), "same seq again");
            assertEquals(0, result(repo.ingestTelemetry(telemetry("dev-1", 1, 0))).gap());
            // seq 2..3 dropped by the device's spool (announced), 4 lost in transit (not announced)
            TelemetryIngest jump = result(repo.ingestTelemetry(telemetry("dev-1", 5, 2)));
            assertEquals(2, jump.dropped());
            assertEquals(1, jump.gap());
            // the record thought lost arrives late: the gap closes
            assertEquals(-1, result(repo.ingestTelemetry(telemetry("dev-1", 4, 0))).gap());
            assertTrue(result(repo.ingestTelemetry(telemetry("dev-1", 5, 2))).duplicate());
            DeviceRecord d = result(repo.find("lab", "dev-1")).orElseThrow();
            assertEquals(4, d.telemetryReceived());
            assertEquals(6, d.telemetryNextSeq());
            assertEquals(2, d.telemetryDropped());
            assertEquals(0, d.telemetryGap());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aBatchCountsAsTheSameRecordsOneByOne(String engine, Vertx vertx) throws Exception {
        withRepository(vertx, engine, repo -> {
            result(repo.upsertBirth(birth("dev-1", 1, 100)));
            result(repo.upsertBirth(birth("dev-2", 1, 100)));
            // the sequence of the one-by-one test, two devices interleaved, a duplicate inside the batch,
            // and a device without a birth (stored, no counters)
            List<TelemetryIngest> r = result(repo.ingestTelemetryBatch(List.of(telemetry("dev-1", 0, 0),
                    telemetry("dev-2", 7, 0), telemetry("dev-1", 0, 0), telemetry("dev-1", 1, 0),
                    telemetry("dev-1", 5, 2), telemetry("nobody", 3, 1), telemetry("dev-2", 9, 0))));
            assertEquals(List.of(false, false, true, false, false, false, false),
                    r.stream().map(TelemetryIngest::duplicate).toList());
            assertEquals(new TelemetryIngest(false, 2, 1), r.get(4));
            assertEquals(new TelemetryIngest(false, 1, 0), r.get(5));
            assertEquals(new TelemetryIngest(false, 0, 1), r.get(6), "dev-2: 8 missing");
            // next batch: the late record closes dev-1's gap, a duplicate of the first batch is skipped
            r = result(repo.ingestTelemetryBatch(List.of(telemetry("dev-1", 4, 0), telemetry("dev-1", 5, 2))));
            assertEquals(List.of(new TelemetryIngest(false, 0, -1), TelemetryIngest.DUPLICATE), r);
            DeviceRecord d = result(repo.find("lab", "dev-1")).orElseThrow();
            assertEquals(4, d.telemetryReceived());
            assertEquals(6, d.telemetryNextSeq());
            assertEquals(2, d.telemetryDropped());
            assertEquals(0, d.telemetryGap());
            DeviceRecord d2 = result(repo.find("lab", "dev-2")).orElseThrow();
            assertEquals(2, d2.telemetryReceived());
            assertEquals(10, d2.telemetryNextSeq());
            assertEquals(1, d2.telemetryGap());
            assertEquals(List.of(), result(repo.ingestTelemetryBatch(List.of())));
        });
    }

    /**
     * A batch longer than one multi-row INSERT statement, with duplicates inside it (also across
     * statements), duplicates of earlier batches, gaps, late records and announced drops, gives the
     * same results and counters as the same records ingested one by one on twin devices.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aBatchOfSeveralStatementsCountsAsOneByOne(String engine, Vertx vertx) throws Exception {
        withRepository(vertx, engine, repo -> {
            java.util.SplittableRandom random = new java.util.SplittableRandom(18);
            int devices = 7;
            for (int d = 0; d < devices; d++) {
                result(repo.upsertBirth(birth("batch-" + d, 1, 100)));
                result(repo.upsertBirth(birth("single-" + d, 1, 100)));
            }
            long[] next = new long[devices];
            List<long[]> earlier = new java.util.ArrayList<>();
            List<long[]> lost = new java.util.ArrayList<>(); // skipped, not announced: may come late
            for (int round = 0; round < 2; round++) {
                List<long[]> plan = new java.util.ArrayList<>(); // {device, seq, droppedBefore}
                int size = TelemetryInserts.ROWS_PER_STATEMENT * 2 + 37;
                while (plan.size() < size) {
                    int d = random.nextInt(devices);
                    int kind = random.nextInt(20);
                    if (kind == 0 && !plan.isEmpty()) {
                        plan.add(plan.get(random.nextInt(plan.size())).clone()); // repeated in this batch
                    } else if (kind == 1 && !earlier.isEmpty()) {
                        plan.add(earlier.get(random.nextInt(earlier.size())).clone()); // stored by an earlier batch
                    } else if (kind == 2 && !lost.isEmpty()) {
                        plan.add(lost.remove(random.nextInt(lost.size()))); // arrives late, fills a gap
                    } else {
                        long skip = kind == 3 ? 1 + random.nextInt(3) : 0; // lost or dropped records
                        long dropped = kind == 3 && random.nextBoolean() ? skip : 0;
                        for (long k = 0; dropped == 0 && k < skip; k++) {
                            lost.add(new long[] {d, next[d] + k, 0});
                        }
                        next[d] += skip;
                        plan.add(new long[] {d, next[d]++, dropped});
                    }
                }
                List<TelemetryRecord> batch = plan.stream()
                        .map(p -> telemetry("batch-" + p[0], p[1], p[2])).toList();
                List<TelemetryIngest> together = result(repo.ingestTelemetryBatch(batch));
                List<TelemetryIngest> oneByOne = new java.util.ArrayList<>();
                for (long[] p : plan) {
                    oneByOne.add(result(repo.ingestTelemetry(telemetry("single-" + p[0], p[1], p[2]))));
                }
                assertEquals(oneByOne, together, "round " + round);
                assertTrue(together.stream().filter(TelemetryIngest::duplicate).count() > 20,
                        "the plan must hold duplicates");
                assertTrue(together.stream().anyMatch(t -> t.gap() > 0) && together.stream().anyMatch(t -> t.gap() < 0),
                        "the plan must hold gaps and late records");
                earlier.addAll(plan);
            }
            for (int d = 0; d < devices; d++) {
                DeviceRecord b = result(repo.find("lab", "batch-" + d)).orElseThrow();
                DeviceRecord s1 = result(repo.find("lab", "single-" + d)).orElseThrow();
                assertEquals(List.of(s1.telemetryReceived(), s1.telemetryNextSeq(), s1.telemetryDropped(),
                        s1.telemetryGap()), List.of(b.telemetryReceived(), b.telemetryNextSeq(), b.telemetryDropped(),
                        b.telemetryGap()), "counters of device " + d);
            }
        });
    }

    /**
     * Through the writer with several lanes writing at once (and one, as before): a device's records
     * land in batches that are in flight side by side with other devices' ones, its later records wait
     * for its earlier batch; duplicates, gaps, late records and drops come out exactly as ingested one
     * by one on twin devices.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"h2, 1", "h2, 2", "postgres, 1", "postgres, 2", "postgres, 3"})
    void theWriterWithSeveralLanesCountsAsOneByOne(String engine, int writers, Vertx vertx) throws Exception {
        withRepository(vertx, engine, repo -> {
            java.util.SplittableRandom random = new java.util.SplittableRandom(1818);
            int devices = 9;
            for (int d = 0; d < devices; d++) {
                result(repo.upsertBirth(birth("lane-" + d, 1, 100)));
                result(repo.upsertBirth(birth("single-" + d, 1, 100)));
            }
            List<long[]> plan = new java.util.ArrayList<>(); // {device, seq, droppedBefore}
            long[] next = new long[devices];
            List<long[]> lost = new java.util.ArrayList<>();
            while (plan.size() < 1500) {
                int d = random.nextInt(devices);
                int kind = random.nextInt(20);
                if (kind == 0 && !plan.isEmpty()) {
                    plan.add(plan.get(random.nextInt(plan.size())).clone()); // a duplicate, maybe in another batch
                } else if (kind == 2 && !lost.isEmpty()) {
                    plan.add(lost.remove(random.nextInt(lost.size()))); // arrives late, fills a gap
                } else {
                    long skip = kind == 3 ? 1 + random.nextInt(3) : 0;
                    long dropped = kind == 3 && random.nextBoolean() ? skip : 0;
                    for (long k = 0; dropped == 0 && k < skip; k++) {
                        lost.add(new long[] {d, next[d] + k, 0});
                    }
                    next[d] += skip;
                    plan.add(new long[] {d, next[d]++, dropped});
                }
            }
            CountingBatches batches = new CountingBatches();
            // small batches and no delay: many batches, several in flight at once
            TelemetryWriter writer = new TelemetryWriter(vertx, repo, batches, 25, 0, 5000, writers);
            List<TelemetryWriter.Offer> offers = result(vertx.executeBlocking(() -> null).compose(x -> {
                io.vertx.core.Promise<List<TelemetryWriter.Offer>> p = io.vertx.core.Promise.promise();
                vertx.runOnContext(v -> p.complete(plan.stream()
                        .map(r -> writer.offer(telemetry("lane-" + r[0], r[1], r[2]))).toList()));
                return p.future();
            }));
            List<TelemetryIngest> throughWriter = new java.util.ArrayList<>();
            for (TelemetryWriter.Offer o : offers) {
                throughWriter.add(result(o.stored()));
            }
            List<TelemetryIngest> oneByOne = new java.util.ArrayList<>();
            for (long[] r : plan) {
                oneByOne.add(result(repo.ingestTelemetry(telemetry("single-" + r[0], r[1], r[2]))));
            }
            assertEquals(oneByOne, throughWriter, writers + " writers");
            assertTrue(throughWriter.stream().anyMatch(t -> t.gap() > 0) && throughWriter.stream().anyMatch(t -> t.gap() < 0)
                    && throughWriter.stream().anyMatch(TelemetryIngest::duplicate), "the plan must hold gaps, late records and duplicates");
            assertTrue(batches.sizes().size() > 10, "many batches: " + batches.sizes());
            for (int d = 0; d < devices; d++) {
                DeviceRecord l = result(repo.find("lab", "lane-" + d)).orElseThrow();
                DeviceRecord s1 = result(repo.find("lab", "single-" + d)).orElseThrow();
                assertEquals(List.of(s1.telemetryReceived(), s1.telemetryNextSeq(), s1.telemetryDropped(),
                        s1.telemetryGap()), List.of(l.telemetryReceived(), l.telemetryNextSeq(), l.telemetryDropped(),
                        l.telemetryGap()), "counters of device " + d);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void theWriterBatchesAndHoldsBackWhenFull(String engine, Vertx vertx) throws Exception {
        withRepository(vertx, engine, repo -> {
            result(repo.upsertBirth(birth("dev-1", 1, 100)));
            CountingBatches batches = new CountingBatches();
            // room for 2: the first two go out as a batch, the next two fill the queue, the fifth waits
            TelemetryWriter writer = new TelemetryWriter(vertx, repo, batches, 2, 60_000, 2, 2);
            // whether each offer was queued at once, read in the same event-loop turn as the offers:
            // later, the first batch may already be written and the fifth let in
            List<Boolean> queuedAtOnce = new java.util.ArrayList<>();
            List<TelemetryWriter.Offer> offers = result(vertx.executeBlocking(() -> null).compose(x -> {
                io.vertx.core.Promise<List<TelemetryWriter.Offer>> p = io.vertx.core.Promise.promise();
                vertx.runOnContext(v -> {
                    List<TelemetryWriter.Offer> o = new java.util.ArrayList<>();
                    for (long seq = 0; seq < 5; seq++) {
                        o.add(writer.offer(telemetry("dev-1", seq, 0)));
                    }
                    o.forEach(offer -> queuedAtOnce.add(offer.queued().isComplete()));
                    p.complete(o);
                });
                return p.future();
            }));
            assertTrue(queuedAtOnce.get(3), "room in the queue");
            assertFalse(queuedAtOnce.get(4), "queue full: held back");
            result(offers.get(4).queued());
            for (TelemetryWriter.Offer o : offers.subList(0, 4)) {
                assertFalse(result(o.stored()).duplicate());
            }
            // the fifth waits alone for a full batch (or the minute of delay); closing writes it at once
            assertFalse(offers.get(4).stored().isComplete());
            result(vertx.executeBlocking(() -> null).compose(x -> {
                io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
                vertx.runOnContext(v -> writer.close().onComplete(p));
                return p.future();
            }));
            assertFalse(result(offers.get(4).stored()).duplicate());
            assertEquals(5, result(repo.find("lab", "dev-1")).orElseThrow().telemetryReceived());
            assertEquals(List.of(2, 2, 1), batches.sizes(), "batches by size, the last one by close");
            assertEquals(1, batches.full());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void listsByStatusInPages(String engine, Vertx vertx) throws Exception {
        withRepository(vertx, engine, repo -> {
            for (int i = 0; i < 5; i++) {
                result(repo.upsertBirth(birth("dev-" + i, 1, 100)));
            }
            result(repo.markOffline("dev-3", 1, "HEARTBEAT_TIMEOUT", 200));
            assertEquals(List.of("dev-0", "dev-1"), ids(result(repo.list("lab", null, null, 2))));
            assertEquals(List.of("dev-2", "dev-3"), ids(result(repo.list("lab", null, "dev-1", 2))));
            assertEquals(List.of("dev-3"), ids(result(repo.list("lab", DeviceStatus.OFFLINE, null, 10))));
            assertEquals(4, result(repo.list("lab", DeviceStatus.ONLINE, null, 10)).size());
            result(repo.ping());
        });
    }

    private static List<String> ids(List<DeviceRecord> records) {
        return records.stream().map(DeviceRecord::id).toList();
    }

    /** Search, sort and keyset paging in SQL: same answers on both engines, wildcards taken literally. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void queryPagesSearchesAndSortsOnBothEngines(String engine, Vertx vertx) throws Exception {
        withRepository(vertx, engine, repo -> {
            int n = 60;
            result(RegisteredFleet.register(repo, "lab", n));
            result(repo.upsertBirth(new DeviceBirth("dev-other", "other", 1, 5, "0.9.0", "{}", "[]", List.of("site_1"), null,
                    null, null, null, "c2f-8-4", List.of()))); // another fleet's device: never listed
            for (DeviceSort sort : DeviceSort.values()) {
                for (boolean desc : new boolean[] {false, true}) {
                    List<String> walked = new ArrayList<>();
                    DeviceCursor after = null;
                    for (int guard = 0; guard < n; guard++) {
                        List<DeviceRecord> page = result(repo.query("lab", new DeviceQuery(null, null, sort, desc, after, 7)));
                        page.forEach(d -> walked.add(d.id()));
                        if (page.size() < 7) {
                            break;
                        }
                        after = DeviceCursor.parse(sort, DeviceCursor.after(sort, page.get(6)).encode());
                    }
                    assertEquals(n, walked.size(), sort + (desc ? " desc" : ""));
                    assertEquals(n, new java.util.HashSet<>(walked).size(), sort + " each device once");
                }
            }
            List<DeviceRecord> bySchedule = result(repo.query("lab", new DeviceQuery(null, null, DeviceSort.SCHEDULE, false,
                    null, 1000)));
            for (int i = 1; i < bySchedule.size(); i++) {
                String a = Objects.toString(bySchedule.get(i - 1).scheduleId(), "");
                String b = Objects.toString(bySchedule.get(i).scheduleId(), "");
                assertTrue(a.compareTo(b) < 0 || a.equals(b) && bySchedule.get(i - 1).id().compareTo(bySchedule.get(i).id()) < 0,
                        a + " then " + b);
            }
            assertEquals(List.of("dev-00042"), ids(result(repo.query("lab", new DeviceQuery(null, "00042", DeviceSort.ID,
                    false, null, 10)))));
            assertEquals(n / 2, result(repo.query("lab", new DeviceQuery(null, "C2F-", DeviceSort.ID, false, null, 100))).size());
            assertEquals(List.of(), result(repo.query("lab", new DeviceQuery(null, "%", DeviceSort.ID, false, null, 100))));
            assertEquals(List.of(), result(repo.query("lab", new DeviceQuery(null, "dev_", DeviceSort.ID, false, null, 100))));
            assertEquals(List.of(), result(repo.query("lab", new DeviceQuery(null, "' or '1'='1", DeviceSort.ID, false, null,
                    100))));
            assertEquals(n, result(repo.query("lab", new DeviceQuery(null, "site_", DeviceSort.ID, false, null, 100))).size());
            assertEquals(12, result(repo.query("lab", new DeviceQuery(DeviceStatus.OFFLINE, null, DeviceSort.LAST_SEEN, true,
                    null, 100))).size());
        });
    }
}
