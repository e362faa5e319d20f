package io.c2f.agent.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.c2f.agent.fs.AtomicFiles;
import io.c2f.agent.link.LinkState;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.v1.BundleChunk;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.JobStep;
import io.c2f.proto.v1.QualityProbe;
import io.c2f.proto.v1.SignedManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleInstallerTest {
    private static final KeyPair CONTROLLER_KEY = Ed25519Keys.generate();

    @TempDir
    Path dir;
    private final ExecutorService network = Executors.newSingleThreadExecutor();
    private BundleStore store;
    private final List<JobStatusUpdate> updates = new CopyOnWriteArrayList<>();
    private final List<List<Integer>> requests = new CopyOnWriteArrayList<>();
    private final List<InstalledSlot> activated = new CopyOnWriteArrayList<>();
    private volatile boolean probePasses = true;

    /** Bundles the fake controller can serve, by id. */
    private final Map<String, BundlePayload> served = new ConcurrentHashMap<>();
    /** Chunk (bundle:index) deliveries to corrupt once. */
    private final Set<String> corruptOnce = ConcurrentHashMap.newKeySet();
    /** Which chunk indices the controller answers at all. */
    private volatile Predicate<Integer> answers = i -> true;
    /** The link drops when the controller is about to send one of these chunks (once each). */
    private final Set<Integer> linkDropsAt = ConcurrentHashMap.newKeySet();
    /** Called with each chunk index just before the controller sends it (the network thread). */
    private volatile java.util.function.IntConsumer beforeSending = i -> { };
    private BundleInstaller installer;
    private final LinkState link = new LinkState();
    private Duration patience = Duration.ofSeconds(30);

    @BeforeEach
    void setUp() throws Exception {
        link.up();
        store = new BundleStore(dir.resolve("bundles"), CONTROLLER_KEY.getPublic());
        installer = newInstaller(store);
    }

    private BundleInstaller newInstaller(BundleStore s) {
        return newInstaller(s, dir.resolve("downloads"), true);
    }

    /** @param delta whether it reuses files its slots hold (c2f.bundle.delta) */
    private BundleInstaller newInstaller(BundleStore s, Path downloads, boolean delta) {
        BundleInstaller[] self = new BundleInstaller[1];
        self[0] = new BundleInstaller(s, downloads, CONTROLLER_KEY.getPublic(), "0.2.0",
                (bundleId, indices) -> {
                    if (!link.isOnline()) {
                        throw new IllegalStateException("not connected"); // what the device link does
                    }
                    requests.add(indices);
                    network.execute(() -> serve(self[0], bundleId, indices));
                },
                slot -> QualityProbe.newBuilder().setSeed(1).setPsnrDb(probePasses ? 45 : 9).setThresholdPsnrDb(30)
                        .setPassed(probePasses).build(),
                activated::add, Duration.ofMillis(300), 3, Clock.systemUTC(), link, patience, delta);
        return self[0];
    }

    private void serve(BundleInstaller target, String bundleId, List<Integer> indices) {
        BundlePayload payload = served.get(bundleId);
        for (int i : indices) {
            if (linkDropsAt.remove(i)) {
                link.down(); // the rest of this answer is lost with the connection
                return;
            }
            if (!answers.test(i)) {
                continue;
            }
            beforeSending.accept(i);
            byte[] data = payload.chunk(i);
            if (corruptOnce.remove(bundleId + ":" + i)) {
                data[0] ^= 1;
            }
            target.onChunk(BundleChunk.newBuilder().setBundleId(bundleId).setIndex(i).setCount(payload.chunkCount())
                    .setData(ByteString.copyFrom(data)).build());
        }
    }

    @AfterEach
    void tearDown() {
        network.shutdownNow();
    }

    private static byte[] model(int seed) {
        byte[] b = new byte[20_000];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private InstallBundle bundle(String id, String version, int seed, KeyPair key) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.tflite", model(seed));
        files.put("model.json", ("{\"v\":\"" + version + "\"}").getBytes());
        return bundle(id, version, files, key);
    }

    private InstallBundle bundle(String id, String version, Map<String, byte[]> files, KeyPair key) {
        BundleManifest.Builder m = BundleManifest.newBuilder().setBundleId(id).setVersion(version)
                .setMinAgentVersion("0.1.0");
        served.put(id, BundlePayload.pack(files, 4096, m));
        return InstallBundle.newBuilder().setManifest(ManifestSigning.sign(m.build(), key)).build();
    }

    private JobStatusUpdate run(String jobId, InstallBundle command) {
        return installer.install(jobId, command, Duration.ofSeconds(30), updates::add);
    }

    @Test
    void aGoodBundleIsDownloadedProbedAndActivated() throws Exception {
        JobStatusUpdate done = run("j1", bundle("emoji", "1.0.0", 1, CONTROLLER_KEY));
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
        List<JobStep> steps = updates.stream().map(JobStatusUpdate::getStep).distinct().toList();
        assertEquals(List.of(JobStep.JOB_STEP_DOWNLOADING, JobStep.JOB_STEP_VERIFYING, JobStep.JOB_STEP_INSTALLING,
                JobStep.JOB_STEP_PROBING, JobStep.JOB_STEP_ACTIVATING), steps);
        InstalledSlot active = store.active().orElseThrow();
        assertArrayEquals(model(1), Files.readAllBytes(active.file("model.tflite")));
        assertEquals(1, activated.size());
        assertFalse(Files.exists(dir.resolve("downloads/emoji")), "download removed after install");
    }

    @Test
    void aCorruptedChunkIsRejectedAndFetchedAgain() {
        InstallBundle b = bundle("emoji", "1.0.0", 1, CONTROLLER_KEY);
        corruptOnce.add("emoji:2");
        JobStatusUpdate done = run("j1", b);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
        assertEquals(1, installer.rejectedChunks());
        assertTrue(requests.size() >= 2, "chunk 2 was asked for again");
        assertEquals(List.of(2), requests.get(requests.size() - 1));
    }

    @Test
    void aBadSignatureIsRejectedBeforeAnyDownload() throws Exception {
        JobStatusUpdate done = run("j1", bundle("emoji", "1.0.0", 1, Ed25519Keys.generate()));
        assertEquals(JobState.JOB_STATE_REJECTED, done.getState());
        assertEquals(ErrorCode.ERROR_CODE_VERIFICATION_FAILED, done.getError().getCode());
        assertTrue(requests.isEmpty());
        assertTrue(store.activeSlot().isEmpty());
    }

    @Test
    void aFileWhoseShaDoesNotMatchTheManifestFails() throws Exception {
        InstallBundle good = bundle("emoji", "1.0.0", 1, CONTROLLER_KEY);
        BundleManifest m = BundleManifest.parseFrom(good.getManifest().getManifest());
        BundleManifest lying = m.toBuilder().setFiles(0, m.getFiles(0).toBuilder()
                .setSha256("0".repeat(64))).build();
        JobStatusUpdate done = run("j1", InstallBundle.newBuilder()
                .setManifest(ManifestSigning.sign(lying, CONTROLLER_KEY)).build());
        assertEquals(JobState.JOB_STATE_FAILED, done.getState());
        assertEquals(JobStep.JOB_STEP_VERIFYING, done.getStep());
        assertTrue(done.getError().getMessage().contains("file model.tflite has sha256"), done.getError().getMessage());
        assertTrue(store.activeSlot().isEmpty());
    }

    private InstallBundle bundleWithFiles(String id, String version, Map<String, byte[]> files) {
        BundleManifest.Builder m = BundleManifest.newBuilder().setBundleId(id).setVersion(version)
                .setMinAgentVersion("0.1.0");
        served.put(id, BundlePayload.pack(files, 4096, m));
        return InstallBundle.newBuilder().setManifest(ManifestSigning.sign(m.build(), CONTROLLER_KEY)).build();
    }

    @Test
    void anOnnxFileWhoseShaDoesNotMatchTheManifestIsRefusedAndTheRunningBundleStays() throws Exception {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", bundle("emoji", "1.0.0", 1, CONTROLLER_KEY)).getState());
        Slot before = store.activeSlot().orElseThrow();
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.tflite", model(2));
        files.put("model.onnx", model(3));
        InstallBundle good = bundleWithFiles("emoji2", "2.0.0", files);
        BundleManifest m = BundleManifest.parseFrom(good.getManifest().getManifest());
        // the manifest names other .onnx bytes than the payload carries (swapped model, or a forged listing)
        BundleManifest lying = m.toBuilder().setFiles(1, m.getFiles(1).toBuilder().setSha256("ab".repeat(32))).build();
        JobStatusUpdate done = run("j2", InstallBundle.newBuilder()
                .setManifest(ManifestSigning.sign(lying, CONTROLLER_KEY)).build());
        assertEquals(JobState.JOB_STATE_FAILED, done.getState());
        assertEquals(JobStep.JOB_STEP_VERIFYING, done.getStep());
        assertTrue(done.getError().getMessage().contains("file model.onnx has sha256"), done.getError().getMessage());
        assertEquals(before, store.activeSlot().orElseThrow());
        assertArrayEquals(model(1), Files.readAllBytes(store.active().orElseThrow().file("model.tflite")));
        assertEquals(1, activated.size(), "nothing new was activated");
    }

    @Test
    void aBundleCannotPlantTheSlotsEnginePinNorAnOrderPinAnythingButAnEngineName() throws Exception {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", bundle("emoji", "1.0.0", 1, CONTROLLER_KEY)).getState());
        Slot before = store.activeSlot().orElseThrow();
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.tflite", model(2));
        files.put("engine.pin", "onnx".getBytes());
        JobStatusUpdate planted = run("j2", bundleWithFiles("emoji2", "2.0.0", files));
        assertEquals(JobState.JOB_STATE_FAILED, planted.getState(), planted.toString());
        assertTrue(planted.getError().getMessage().contains("carries a file named like the slot's own engine.pin"),
                planted.getError().getMessage());
        assertEquals(before, store.activeSlot().orElseThrow());
        assertEquals("", store.active().orElseThrow().enginePin());

        JobStatusUpdate badPin = installer.install("j3", bundle("emoji3", "3.0.0", 3, CONTROLLER_KEY), "../../x",
                Duration.ofSeconds(30), updates::add);
        assertEquals(JobState.JOB_STATE_REJECTED, badPin.getState());
        assertEquals(ErrorCode.ERROR_CODE_INVALID_ARGUMENT, badPin.getError().getCode());
        assertEquals("order pins engine \"../../x\", which is not an engine name ([a-z0-9_-]{1,32})",
                badPin.getError().getMessage());
        assertEquals(before, store.activeSlot().orElseThrow());
    }

    @Test
    void downgradesAreRefusedUnlessTheJobIsARollback() throws Exception {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", bundle("emoji", "1.1.0", 1, CONTROLLER_KEY)).getState());
        JobStatusUpdate refused = run("j2", bundle("emoji-old", "1.0.0", 2, CONTROLLER_KEY));
        assertEquals(JobState.JOB_STATE_REJECTED, refused.getState());
        assertEquals(ErrorCode.ERROR_CODE_DOWNGRADE_REFUSED, refused.getError().getCode());
        assertEquals("bundle version 1.0.0 is older than the installed 1.1.0 and the job is not a rollback",
                refused.getError().getMessage());

        InstallBundle rollback = bundle("emoji-old", "1.0.0", 2, CONTROLLER_KEY).toBuilder().setRollback(true).build();
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j3", rollback).getState());
        assertEquals("1.0.0", store.active().orElseThrow().manifest().getVersion());
    }

    @Test
    void aFailingHealthProbeKeepsTheOldBundleRunning() throws Exception {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", bundle("emoji", "1.0.0", 1, CONTROLLER_KEY)).getState());
        Slot before = store.activeSlot().orElseThrow();
        probePasses = false;
        JobStatusUpdate done = run("j2", bundle("emoji", "2.0.0", 2, CONTROLLER_KEY));
        assertEquals(JobState.JOB_STATE_FAILED, done.getState());
        assertEquals(JobStep.JOB_STEP_PROBING, done.getStep());
        assertTrue(done.getError().getMessage().contains("PSNR 9.00 dB below the threshold 30.00 dB"),
                done.getError().getMessage());
        assertEquals(before, store.activeSlot().orElseThrow());
        assertArrayEquals(model(1), Files.readAllBytes(store.active().orElseThrow().file("model.tflite")));
        assertEquals(1, activated.size());
    }

    @Test
    void anInterruptedDownloadResumesWithOnlyTheMissingChunks() throws Exception {
        InstallBundle b = bundle("emoji", "1.0.0", 1, CONTROLLER_KEY);
        answers = i -> i < 2; // the link dies after two chunks
        JobStatusUpdate first = run("j1", b);
        assertEquals(JobState.JOB_STATE_FAILED, first.getState());
        assertEquals(ErrorCode.ERROR_CODE_TIMEOUT, first.getError().getCode());
        assertTrue(store.activeSlot().isEmpty());

        // the agent restarts: new store and installer over the same directories
        requests.clear();
        answers = i -> true;
        store = new BundleStore(dir.resolve("bundles"), CONTROLLER_KEY.getPublic());
        installer = newInstaller(store);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", b).getState());
        int chunks = served.get("emoji").chunkCount();
        List<Integer> expected = new ArrayList<>();
        for (int i = 2; i < chunks; i++) {
            expected.add(i);
        }
        assertEquals(expected, requests.get(0), "only the missing chunks were asked for");
    }

    @Test
    void aCrashWhileWritingASlotLeavesTheActiveBundleIntact() throws Exception {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", bundle("emoji", "1.0.0", 1, CONTROLLER_KEY)).getState());
        Slot active = store.activeSlot().orElseThrow();
        // what a power cut in the middle of installIntoInactive leaves behind
        Path half = dir.resolve("bundles/slot-" + active.other().id() + ".tmp");
        Files.createDirectories(half);
        Files.write(half.resolve("model.tflite"), new byte[] {1, 2, 3});
        BundleStore restarted = new BundleStore(dir.resolve("bundles"), CONTROLLER_KEY.getPublic());
        assertFalse(Files.exists(half), "the half-written slot is removed at start");
        InstalledSlot still = restarted.active().orElseThrow();
        assertEquals(active, still.slot());
        assertArrayEquals(model(1), Files.readAllBytes(still.file("model.tflite")));
    }

    @Test
    void aTamperedInstalledFileIsDetectedWhenTheSlotIsLoaded() throws Exception {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", bundle("emoji", "1.0.0", 1, CONTROLLER_KEY)).getState());
        Path file = store.active().orElseThrow().file("model.tflite");
        Files.write(file, new byte[] {9});
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> store.active());
        assertTrue(e.getMessage().contains("file model.tflite has sha256"), e.getMessage());
    }

    @Test
    void anAgentTooOldForTheBundleRejectsIt() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.tflite", model(1));
        BundleManifest.Builder m = BundleManifest.newBuilder().setBundleId("x").setVersion("1.0.0")
                .setMinAgentVersion("9.0.0");
        served.put("x", BundlePayload.pack(files, 4096, m));
        SignedManifest signed = ManifestSigning.sign(m.build(), CONTROLLER_KEY);
        JobStatusUpdate done = run("j1", InstallBundle.newBuilder().setManifest(signed).build());
        assertEquals(JobState.JOB_STATE_REJECTED, done.getState());
        assertEquals("bundle x needs agent 9.0.0, this agent is 0.2.0", done.getError().getMessage());
    }

    @Test
    void theSameBundleAgainSucceedsWithoutWork() {
        InstallBundle b = bundle("emoji", "1.0.0", 1, CONTROLLER_KEY);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", b).getState());
        AtomicInteger before = new AtomicInteger(requests.size());
        JobStatusUpdate again = run("j1", b);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, again.getState());
        assertEquals(before.get(), requests.size());
    }

    private Path chunkFile(String bundleId, int index) {
        return dir.resolve("downloads").resolve(bundleId).resolve(String.format("chunk-%06d", index));
    }

    private static void flipAByte(Path file) throws java.io.IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x40;
        Files.write(file, b);
    }

    @Test
    void aDownloadPausesWhileTheLinkIsDownAndResumesWithOnlyTheMissingChunks() throws Exception {
        InstallBundle b = bundle("emoji", "1.0.0", 1, CONTROLLER_KEY);
        int chunks = served.get("emoji").chunkCount();
        linkDropsAt.addAll(List.of(2, 4));
        // two outages of 1.5 s each against a job timeout of 2 s: paused time does not count
        java.util.concurrent.CompletableFuture<JobStatusUpdate> job = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> installer.install("j1", b, Duration.ofSeconds(2), updates::add));
        List<Integer> askedAfter = new ArrayList<>();
        for (int outage = 0; outage < 2; outage++) {
            long until = System.nanoTime() + 10_000_000_000L;
            while (link.isOnline() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertFalse(link.isOnline(), "the link dropped mid-download");
            // longer than the 3 rounds of 300 ms that fail a download nobody answers
            Thread.sleep(1500);
            assertFalse(job.isDone(), "the job waits for the link: " + (job.isDone() ? job.get() : ""));
            List<Integer> stored = new ArrayList<>();
            for (int i = 0; i < chunks; i++) {
                if (Files.exists(chunkFile("emoji", i))) {
                    stored.add(i);
                }
            }
            assertEquals(outage == 0 ? List.of(0, 1) : List.of(0, 1, 2, 3), stored);
            int before = requests.size();
            int updatesBefore = updates.size();
            link.up();
            until = System.nanoTime() + 10_000_000_000L;
            while (updates.size() == updatesBefore && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            JobStatusUpdate reReported = updates.get(updatesBefore);
            assertEquals(JobStep.JOB_STEP_DOWNLOADING, reReported.getStep(), "progress re-reported after the outage");
            assertEquals(100 * stored.size() / chunks, reReported.getProgressPercent());
            while (requests.size() == before && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            askedAfter.addAll(requests.get(before));
        }

        JobStatusUpdate done = job.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
        assertTrue(updates.stream().allMatch(u -> u.getState() == JobState.JOB_STATE_IN_PROGRESS
                || u == done), "no final state before the success: " + updates);
        assertEquals(List.of(2, 3, 4, 4), askedAfter, "only the chunks missing were asked for after each outage");
        assertArrayEquals(model(1), Files.readAllBytes(store.active().orElseThrow().file("model.tflite")));
    }

    @Test
    void anOutageLongerThanTheJobsStepTimeoutFailsTheJobWithThePreciseError() throws Exception {
        InstallBundle b = bundle("emoji", "1.0.0", 1, CONTROLLER_KEY);
        int chunks = served.get("emoji").chunkCount();
        linkDropsAt.add(2);
        JobStatusUpdate done = installer.install("j1", b, Duration.ofSeconds(1), updates::add); // patience 30 s
        assertEquals(JobState.JOB_STATE_FAILED, done.getState(), done.toString());
        assertEquals(ErrorCode.ERROR_CODE_TIMEOUT, done.getError().getCode());
        String message = done.getError().getMessage();
        assertTrue(message.startsWith("download of emoji 1.0.0 paused for "), message);
        assertTrue(message.endsWith(" while the broker was unreachable, as long as the job's step timeout of 1.0 s "
                + "after which the controller times the job out; " + (chunks - 2) + " of " + chunks + " chunks "
                + "missing, the 2 stored are kept for the next attempt"), message);
    }

    @Test
    void anOutageLongerThanThePatienceFailsTheJobWithThePreciseError() throws Exception {
        patience = Duration.ofMillis(500);
        installer = newInstaller(store);
        InstallBundle b = bundle("emoji", "1.0.0", 1, CONTROLLER_KEY);
        int chunks = served.get("emoji").chunkCount();
        linkDropsAt.add(2);
        JobStatusUpdate done = run("j1", b); // the link never comes back
        assertEquals(JobState.JOB_STATE_FAILED, done.getState(), done.toString());
        assertEquals(JobStep.JOB_STEP_DOWNLOADING, done.getStep());
        assertEquals(ErrorCode.ERROR_CODE_TIMEOUT, done.getError().getCode());
        String message = done.getError().getMessage();
        assertTrue(message.startsWith("download of emoji 1.0.0 paused 1 time(s) for "), message);
        assertTrue(message.contains(" in all while the broker was unreachable, more than the download patience of "
                + "0.5 s; " + (chunks - 2) + " of " + chunks + " chunks missing, the 2 stored are kept for the next "
                + "attempt"), message);
        assertTrue(Files.exists(chunkFile("emoji", 0)) && Files.exists(chunkFile("emoji", 1)), "stored chunks kept");
        assertTrue(store.activeSlot().isEmpty());

        // the next job, with the link back, fetches only the rest
        link.up();
        requests.clear();
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j2", b).getState());
        assertFalse(requests.get(0).contains(0) || requests.get(0).contains(1), requests.toString());
    }

    @Test
    void aStoredChunkCorruptedOnDiskIsDiscardedOnResumeAndFetchedAgain() throws Exception {
        InstallBundle b = bundle("emoji", "1.0.0", 1, CONTROLLER_KEY);
        BundlePayload payload = served.get("emoji");
        BundleManifest m = BundleManifest.parseFrom(b.getManifest().getManifest());
        // an earlier run stored chunks 0-2; then chunk 1 rots on disk and chunk 2 is cut short
        ChunkDownload earlier = new ChunkDownload(dir.resolve("downloads"), b.getManifest(), m);
        for (int i = 0; i < 3; i++) {
            earlier.accept(i, payload.chunk(i));
        }
        flipAByte(chunkFile("emoji", 1));
        Files.write(chunkFile("emoji", 2), java.util.Arrays.copyOf(payload.chunk(2), 100));

        ChunkDownload reopened = new ChunkDownload(dir.resolve("downloads"), b.getManifest(), m);
        assertEquals(List.of(1, 2), reopened.discardedOnOpen());
        assertFalse(reopened.missing().contains(0), "chunk 0 still stored: " + reopened.missing());
        assertTrue(reopened.missing().containsAll(List.of(1, 2)), reopened.missing().toString());

        JobStatusUpdate done = run("j1", b);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i < payload.chunkCount(); i++) {
            expected.add(i);
        }
        assertEquals(expected, requests.get(0), "the discarded chunks are fetched again, chunk 0 is not");
        InstalledSlot slot = store.active().orElseThrow(); // re-verified: signature and every file's sha256
        assertArrayEquals(model(1), Files.readAllBytes(slot.file("model.tflite")));
    }

    @Test
    void aChunkCorruptedOnDiskBeforeAssemblyIsFetchedAgain() throws Exception {
        InstallBundle b = bundle("emoji", "1.0.0", 1, CONTROLLER_KEY);
        int last = served.get("emoji").chunkCount() - 1;
        beforeSending = i -> {
            if (i == last) {
                beforeSending = j -> { };
                try {
                    flipAByte(chunkFile("emoji", 1)); // stored and verified, then damaged before assembly
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        JobStatusUpdate done = run("j1", b);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
        assertEquals(List.of(1), requests.get(requests.size() - 1), "only the damaged chunk is fetched again");
        assertArrayEquals(model(1), Files.readAllBytes(store.active().orElseThrow().file("model.tflite")));
    }

    @Test
    void storageThatKeepsDamagingChunksFailsTheInstallInsteadOfFetchingForever() throws Exception {
        InstallBundle b = bundle("emoji", "1.0.0", 1, CONTROLLER_KEY);
        beforeSending = i -> { // each send, another stored chunk turns to zeros
            Path victim = chunkFile("emoji", i == 0 ? 1 : 0);
            try {
                if (Files.exists(victim)) {
                    Files.write(victim, new byte[(int) Files.size(victim)]);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        JobStatusUpdate done = run("j1", b);
        assertEquals(JobState.JOB_STATE_FAILED, done.getState(), done.toString());
        assertEquals(JobStep.JOB_STEP_VERIFYING, done.getStep());
        assertEquals(ErrorCode.ERROR_CODE_VERIFICATION_FAILED, done.getError().getCode());
        assertTrue(done.getError().getMessage().startsWith("stored chunks of emoji 1.0.0 failed verification on disk "
                + "3 times in a row (last: ["), done.getError().getMessage());
        assertTrue(store.activeSlot().isEmpty());
    }

    // delta updates: files the slots hold are reused, only chunks they do not cover are fetched

    /** Chunk size 4096: model.tflite (20,000 B) covers chunks 0-3; chunk 4 also holds model.json. */
    private static final List<Integer> MODEL_CHUNKS = List.of(0, 1, 2, 3);

    @Test
    void aNewBundleWithTheSameModelFetchesOnlyTheChunksTheModelDoesNotCoverAndInstallsTheSameSlot()
            throws Exception {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", bundle("emoji-1", "1.0.0", 1, CONTROLLER_KEY)).getState());
        requests.clear();
        InstallBundle v2 = bundle("emoji-2", "2.0.0", 1, CONTROLLER_KEY); // same model, other model.json
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j2", v2).getState(), updates.toString());
        assertEquals(List.of(List.of(4)), requests, "only the chunk model.json touches");

        // byte for byte what an agent that downloaded all of it installs
        BundleStore fresh = new BundleStore(dir.resolve("fresh/bundles"), CONTROLLER_KEY.getPublic());
        requests.clear();
        JobStatusUpdate full = newInstaller(fresh, dir.resolve("fresh/downloads"), true)
                .install("j3", v2, Duration.ofSeconds(30), updates::add);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, full.getState(), full.toString());
        assertEquals(List.of(List.of(0, 1, 2, 3, 4)), requests, "nothing held: every chunk");
        assertSameTree(fresh.active().orElseThrow().dir(), store.active().orElseThrow().dir());
    }

    @Test
    void anAgentWithDeltasOffFetchesEveryChunk() throws Exception {
        installer = newInstaller(store, dir.resolve("downloads"), false);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", bundle("emoji-1", "1.0.0", 1, CONTROLLER_KEY)).getState());
        requests.clear();
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j2", bundle("emoji-2", "2.0.0", 1, CONTROLLER_KEY)).getState());
        assertEquals(List.of(List.of(0, 1, 2, 3, 4)), requests);
        assertArrayEquals(model(1), Files.readAllBytes(store.active().orElseThrow().file("model.tflite")));
    }

    @Test
    void aHeldFileCorruptedOnDiskIsNotReusedButFetched() throws Exception {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", bundle("emoji-1", "1.0.0", 1, CONTROLLER_KEY)).getState());
        flipAByte(store.active().orElseThrow().file("model.tflite")); // its manifest still names the old sha256
        requests.clear();
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j2", bundle("emoji-2", "2.0.0", 1, CONTROLLER_KEY)).getState());
        assertEquals(List.of(List.of(0, 1, 2, 3, 4)), requests, "the damaged file covers nothing");
        assertArrayEquals(model(1), Files.readAllBytes(store.active().orElseThrow().file("model.tflite")));
    }

    @Test
    void aHeldFileDamagedAfterTheDownloadPlannedOnItIsFetchedBeforeAssembly() throws Exception {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", bundle("emoji-1", "1.0.0", 1, CONTROLLER_KEY)).getState());
        Path held = store.active().orElseThrow().file("model.tflite");
        beforeSending = i -> { // verified when the download opened, damaged before it is read into the payload
            beforeSending = j -> { };
            try {
                flipAByte(held);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        requests.clear();
        JobStatusUpdate done = run("j2", bundle("emoji-2", "2.0.0", 1, CONTROLLER_KEY));
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
        assertEquals(List.of(List.of(4), MODEL_CHUNKS), requests, "the model's chunks are fetched after all");
        InstalledSlot slot = store.active().orElseThrow(); // re-verified whole
        assertArrayEquals(model(1), Files.readAllBytes(slot.file("model.tflite")));
    }

    @Test
    void aDeltaInterruptedByARestartResumesWithTheStoredChunksAndTheFilesStillHeld() throws Exception {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", bundle("emoji-1", "1.0.0", 1, CONTROLLER_KEY)).getState());
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.tflite", model(1)); // chunks 0-3 held
        files.put("model.onnx", model(9)); // new: chunks 4-9
        files.put("model.json", "{\"v\":\"2\"}".getBytes());
        InstallBundle v2 = bundle("emoji-2", "2.0.0", files, CONTROLLER_KEY);
        answers = i -> i < 6; // the link dies after chunks 4 and 5
        requests.clear();
        JobStatusUpdate first = run("j2", v2);
        assertEquals(JobState.JOB_STATE_FAILED, first.getState(), first.toString());
        assertEquals(List.of(4, 5, 6, 7, 8, 9), requests.get(0));

        // the agent restarts over the same directories
        answers = i -> true;
        requests.clear();
        store = new BundleStore(dir.resolve("bundles"), CONTROLLER_KEY.getPublic());
        installer = newInstaller(store);
        JobStatusUpdate done = run("j2", v2);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.toString());
        assertEquals(List.of(List.of(6, 7, 8, 9)), requests, "neither the held model nor the stored chunks again");
        InstalledSlot slot = store.active().orElseThrow();
        assertArrayEquals(model(1), Files.readAllBytes(slot.file("model.tflite")));
        assertArrayEquals(model(9), Files.readAllBytes(slot.file("model.onnx")));
    }

    @Test
    void aFileIsFoundByItsHashNotItsNameAndALinkInASlotIsNeverFollowed() throws Exception {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j1", bundle("emoji-1", "1.0.0", 1, CONTROLLER_KEY)).getState());
        Path slotDir = store.active().orElseThrow().dir();
        // a tampered slot: model.tflite replaced by a link to a file elsewhere with the same bytes
        Path outside = dir.resolve("outside.bin");
        Files.write(outside, model(1));
        Files.delete(slotDir.resolve("model.tflite"));
        Files.createSymbolicLink(slotDir.resolve("model.tflite"), outside);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("weights/renamed.bin", model(1));
        files.put("model.json", "{}".getBytes());
        requests.clear();
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j2", bundle("emoji-2", "2.0.0", files, CONTROLLER_KEY))
                .getState());
        assertEquals(List.of(List.of(0, 1, 2, 3, 4)), requests, "the link is not a held file");

        // nor is a file behind a linked folder (the slot's "weights" now leads outside)
        Path weights = store.active().orElseThrow().dir().resolve("weights");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.write(elsewhere.resolve("renamed.bin"), model(1));
        AtomicFiles.deleteTree(weights);
        Files.createSymbolicLink(weights, elsewhere);
        Files.delete(slotDir.resolve("model.tflite")); // the other slot's link, out of the way
        requests.clear();
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j2b", bundle("emoji-2b", "2.1.0", files, CONTROLLER_KEY))
                .getState());
        assertEquals(List.of(List.of(0, 1, 2, 3, 4)), requests, "the linked folder is not followed");

        // the same bytes under another name in a real slot file are reused
        Map<String, byte[]> again = new LinkedHashMap<>();
        again.put("other-name.tflite", model(1));
        again.put("model.json", "{\"v\":3}".getBytes());
        requests.clear();
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("j3", bundle("emoji-3", "3.0.0", again, CONTROLLER_KEY))
                .getState());
        assertEquals(List.of(List.of(4)), requests);
        assertArrayEquals(model(1), Files.readAllBytes(store.active().orElseThrow().file("other-name.tflite")));
    }

    private static void assertSameTree(Path expected, Path actual) throws java.io.IOException {
        List<Path> names;
        try (var walk = Files.walk(expected)) {
            names = walk.filter(Files::isRegularFile).map(expected::relativize).sorted().toList();
        }
        List<Path> actualNames;
        try (var walk = Files.walk(actual)) {
            actualNames = walk.filter(Files::isRegularFile).map(actual::relativize).sorted().toList();
        }
        assertEquals(names, actualNames);
        for (Path n : names) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(n)), Files.readAllBytes(actual.resolve(n)),
                    n.toString());
        }
    }
}
