package io.c2f.agent.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
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
    private BundleInstaller installer;

    @BeforeEach
    void setUp() throws Exception {
        store = new BundleStore(dir.resolve("bundles"), CONTROLLER_KEY.getPublic());
        installer = newInstaller(store);
    }

    private BundleInstaller newInstaller(BundleStore s) {
        BundleInstaller[] self = new BundleInstaller[1];
        self[0] = new BundleInstaller(s, dir.resolve("downloads"), CONTROLLER_KEY.getPublic(), "0.2.0",
                (bundleId, indices) -> {
                    requests.add(indices);
                    network.execute(() -> serve(self[0], bundleId, indices));
                },
                slot -> QualityProbe.newBuilder().setSeed(1).setPsnrDb(probePasses ? 45 : 9).setThresholdPsnrDb(30)
                        .setPassed(probePasses).build(),
                activated::add, Duration.ofMillis(300), 3, Clock.systemUTC());
        return self[0];
    }

    private void serve(BundleInstaller target, String bundleId, List<Integer> indices) {
        BundlePayload payload = served.get(bundleId);
        for (int i : indices) {
            if (!answers.test(i)) {
                continue;
            }
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
}
