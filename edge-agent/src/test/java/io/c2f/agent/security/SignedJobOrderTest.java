package io.c2f.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.agent.core.EdgeAgent;
import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.sim.SimulatedEngine;
import io.c2f.agent.testing.BrokerKind;
import io.c2f.agent.testing.SyntheticBundles;
import io.c2f.agent.testing.TestController;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.bundle.JobOrders;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.codec.HeaderFactory;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.codec.WireCodec;
import io.c2f.proto.testing.RawMqttClient;
import io.c2f.proto.testing.TestBroker;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.ApplySchedule;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.DeviceState;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorReply;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.SignedJobOrder;
import io.c2f.proto.v1.SignedManifest;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, finding 3: everything an agent acts on is covered by the controller's signature. A
 * real agent (simulated engine) on a real broker gets its jobs from a test controller; the attacks
 * are published on the device's job topic by a raw MQTT client of the test's own. The agent acts
 * only on a signed order for itself, in time, never twice, and only a signed rollback lowers its
 * version; every refusal is a typed error and changes nothing.
 */
@Timeout(120)
class SignedJobOrderTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final KeyPair KEY = Ed25519Keys.generate();
    private static final String DEVICE = "dev-1";

    @TempDir
    Path dir;
    private TestBroker broker;
    private TestController controller;
    private EdgeAgent agent;
    private final Map<String, SignedManifest> manifests = new LinkedHashMap<>();
    private final Map<String, BundlePayload> payloads = new LinkedHashMap<>();

    @BeforeEach
    void start() throws Exception {
        BrokerKind kind = BrokerKind.MOSQUITTO.available() ? BrokerKind.MOSQUITTO : BrokerKind.MOQUETTE;
        broker = kind.start(dir.resolve("broker"));
        controller = new TestController(broker.uri(), "t");
        for (String v : List.of("1.0.0", "2.0.0")) {
            BundleManifest.Builder m = SyntheticBundles.manifest(v);
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("model.tflite", new byte[20_000 + v.hashCode() % 100]);
            payloads.put(v, BundlePayload.pack(files, 8192, m));
            manifests.put(v, ManifestSigning.sign(m.build(), KEY));
        }
        startAgent();
    }

    private void startAgent() throws Exception {
        Properties p = new Properties();
        p.setProperty("c2f.fleet", "t");
        p.setProperty("c2f.device.id", DEVICE);
        p.setProperty("c2f.broker.url", broker.uri());
        p.setProperty("c2f.heartbeat.interval", "300ms");
        agent = new EdgeAgent(AgentConfig.from(p, dir), new SimulatedEngine(() -> 0), KEY.getPublic(), Clock.systemUTC());
        agent.start();
        controller.await(in -> in.address().channel() == Channel.BIRTH, WAIT);
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
        controller.close();
        broker.close();
    }

    private static JobCommand install(String jobId, SignedManifest m, boolean rollback) {
        return JobCommand.newBuilder().setJobId(jobId).setInstallBundle(InstallBundle.newBuilder().setManifest(m)
                .setRollback(rollback)).build();
    }

    /** A job the test controller signs and sends, run to its end. */
    private JobStatusUpdate run(String jobId, String version, boolean rollback) throws Exception {
        controller.serveBundle("synthetic", payloads.get(version));
        controller.sendJob(KEY, DEVICE, install(jobId, manifests.get(version), rollback));
        return finalStatus(jobId);
    }

    private JobStatusUpdate finalStatus(String jobId) throws Exception {
        return controller.await(in -> in.address().channel() == Channel.JOB_STATUS
                && in.as(JobStatusUpdate.class).getJobId().equals(jobId)
                && in.as(JobStatusUpdate.class).getState() != JobState.JOB_STATE_IN_PROGRESS, WAIT)
                .as(JobStatusUpdate.class);
    }

    /** Publishes a job command on the device's job topic from a raw client of the test's own. */
    private void attack(JobCommand cmd) throws Exception {
        URI uri = URI.create(broker.uri());
        int[] rc = new int[1];
        try (RawMqttClient raw = RawMqttClient.connect(uri.getHost(), uri.getPort(),
                RawMqttClient.Connect.as("intruder", null, null), rc)) {
            assertEquals(0, rc[0], "the test broker lets the intruder in");
            HeaderFactory h = new HeaderFactory("intruder");
            JobCommand stamped = cmd.toBuilder().setHeader(h.next()).build();
            int id = raw.publish(Topics.fleet("t").device(DEVICE, Channel.JOB_NOTIFY),
                    WireCodec.encode(Channel.JOB_NOTIFY, stamped), 1, false);
            assertTrue(raw.awaitPubAck(id, WAIT), "the broker took the attack");
        }
    }

    private ErrorReply refusal(String jobId) throws Exception {
        return controller.await(in -> in.address().channel() == Channel.DEVICE_ERROR
                && in.as(ErrorReply.class).getRequestId().equals(jobId), WAIT).as(ErrorReply.class);
    }

    /** The version the agent reports running in a heartbeat sent from now on ("" for none). */
    private String runningVersion() throws Exception {
        long now = System.currentTimeMillis();
        Inbound s = controller.await(in -> in.address().channel() == Channel.STATE
                && in.as(DeviceState.class).getHeader().getSentAtMs() > now, WAIT);
        DeviceState state = s.as(DeviceState.class);
        return state.hasInstalled() ? state.getInstalled().getVersion() : "";
    }

    @Test
    void aManifestReplayedWithTheUnsignedRollbackFlagIsRefusedAndOnlyASignedRollbackDowngrades() throws Exception {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("job-1", "2.0.0", false).getState());

        // the finding's attack: a genuine order for 1.0.0 without rollback, the command's own flag set
        controller.serveBundle("synthetic", payloads.get("1.0.0"));
        JobCommand genuine = controller.signedJob(KEY, DEVICE, install("job-2", manifests.get("1.0.0"), false));
        attack(genuine.toBuilder().setInstallBundle(genuine.getInstallBundle().toBuilder().setRollback(true)).build());
        JobStatusUpdate refused = finalStatus("job-2");
        assertEquals(JobState.JOB_STATE_REJECTED, refused.getState(), refused.toString());
        assertEquals(ErrorCode.ERROR_CODE_DOWNGRADE_REFUSED, refused.getError().getCode(), refused.toString());
        assertEquals("2.0.0", runningVersion());

        // the same downgrade as a signed rollback is what a rollout's rollback sends
        JobStatusUpdate rolledBack = run("job-3", "1.0.0", true);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, rolledBack.getState(), rolledBack.toString());
        assertEquals("1.0.0", runningVersion());
    }

    @Test
    void aReplayedOrderIsNotActedOnAgainAlsoAfterARestart() throws Exception {
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("job-1", "2.0.0", false).getState());
        controller.serveBundle("synthetic", payloads.get("1.0.0"));
        JobCommand rollback = controller.sendJob(KEY, DEVICE, install("job-2", manifests.get("1.0.0"), true));
        assertEquals(JobState.JOB_STATE_SUCCEEDED, finalStatus("job-2").getState());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("job-3", "2.0.0", false).getState());

        controller.serveBundle("synthetic", payloads.get("1.0.0"));
        attack(rollback);
        ErrorReply replay = refusal("job-2");
        assertEquals(ErrorCode.ERROR_CODE_UNAUTHORIZED, replay.getError().getCode());
        assertEquals("job_id", replay.getError().getField());
        assertTrue(replay.getError().getMessage().contains("accepted and finished before"), replay.toString());
        // what a controller re-sending the job learns: its recorded outcome, not a second run
        assertEquals(JobState.JOB_STATE_SUCCEEDED, finalStatus("job-2").getState());
        assertEquals("2.0.0", runningVersion());

        agent.close();
        startAgent();
        attack(rollback);
        assertEquals(ErrorCode.ERROR_CODE_UNAUTHORIZED, refusal("job-2").getError().getCode());
        assertEquals("2.0.0", runningVersion());
        assertTrue(controller.chunkRequests().size() <= 3 * 3, "no download for the replays: " + controller.chunkRequests());
    }

    @Test
    void ordersForAnotherDeviceExpiredAlteredOrUnsignedAreRefusedAndChangeNothing() throws Exception {
        controller.serveBundle("synthetic", payloads.get("1.0.0"));
        SignedManifest m = manifests.get("1.0.0");
        Instant now = Instant.now();

        attack(JobOrders.installCommand(JobOrders.envelope("t", "dev-2", "a-1", now, Duration.ofMinutes(5)), m, false,
                KEY));
        assertRefused("a-1", ErrorCode.ERROR_CODE_UNAUTHORIZED, "order.device_id");

        attack(JobOrders.installCommand(JobOrders.envelope("other", DEVICE, "a-2", now, Duration.ofMinutes(5)), m, false,
                KEY));
        assertRefused("a-2", ErrorCode.ERROR_CODE_UNAUTHORIZED, "order.fleet");

        attack(JobOrders.installCommand(JobOrders.envelope("t", DEVICE, "a-3", now.minus(Duration.ofMinutes(20)),
                Duration.ofMinutes(15)), m, false, KEY));
        assertRefused("a-3", ErrorCode.ERROR_CODE_UNAUTHORIZED, "order.expires_at_ms");

        JobCommand genuine = JobOrders.installCommand(JobOrders.envelope("t", DEVICE, "a-4", now, Duration.ofMinutes(5)),
                m, false, KEY);
        io.c2f.proto.v1.JobOrder o = io.c2f.proto.v1.JobOrder.parseFrom(genuine.getOrder().getOrder());
        SignedJobOrder altered = genuine.getOrder().toBuilder().setOrder(o.toBuilder()
                .setInstallBundle(o.getInstallBundle().toBuilder().setRollback(true)).build().toByteString()).build();
        attack(genuine.toBuilder().setOrder(altered).build());
        assertRefused("a-4", ErrorCode.ERROR_CODE_VERIFICATION_FAILED, "order.signature");

        attack(install("a-5", m, true));
        assertRefused("a-5", ErrorCode.ERROR_CODE_UNAUTHORIZED, "order");

        JobCommand signedByOther = JobOrders.installCommand(JobOrders.envelope("t", DEVICE, "a-6", now,
                Duration.ofMinutes(5)), m, false, Ed25519Keys.generate());
        attack(signedByOther);
        assertRefused("a-6", ErrorCode.ERROR_CODE_VERIFICATION_FAILED, "order.signature");

        // a genuine order with another manifest in the command than the one it names
        JobCommand swapped = JobOrders.installCommand(JobOrders.envelope("t", DEVICE, "a-7", now, Duration.ofMinutes(5)),
                manifests.get("2.0.0"), false, KEY);
        attack(swapped.toBuilder().setInstallBundle(InstallBundle.newBuilder().setManifest(m)).build());
        assertRefused("a-7", ErrorCode.ERROR_CODE_VERIFICATION_FAILED, "install_bundle.manifest");

        // a schedule change is an order too
        attack(JobCommand.newBuilder().setJobId("a-8").setApplySchedule(ApplySchedule.newBuilder()
                .setSchedule(SyntheticBundles.schedule("x", List.of(900, 500, 100), 1))).build());
        assertRefused("a-8", ErrorCode.ERROR_CODE_UNAUTHORIZED, "order");

        assertEquals("", runningVersion(), "nothing installed");
        assertTrue(controller.chunkRequests().isEmpty(), "nothing downloaded: " + controller.chunkRequests());
        // and a genuine order still works afterwards (the refusals did not burn its job id)
        assertEquals(JobState.JOB_STATE_SUCCEEDED, run("a-4", "1.0.0", false).getState());
    }

    private void assertRefused(String jobId, ErrorCode code, String field) throws Exception {
        ErrorReply e = refusal(jobId);
        assertEquals(code, e.getError().getCode(), e.toString());
        assertEquals(field, e.getError().getField(), e.toString());
        assertTrue(!e.getError().getMessage().isEmpty());
    }
}
