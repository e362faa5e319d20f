package io.c2f.controller.security;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.testing.SyntheticBundleRequest;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.bundle.Sha256;
import io.c2f.proto.v1.BundleChunk;
import io.c2f.proto.v1.BundleChunkRequest;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorReply;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, finding 3: the controller served the chunks of a bundle to a device whose job for it
 * it had already marked REJECTED. Devices on the real embedded broker get a rollout's job, fetch a
 * chunk while the job is open, end the job SUCCEEDED, REJECTED or FAILED, and ask again: refused
 * with a typed UNAUTHORIZED ErrorReply, as is a device that never had a job.
 */
@Timeout(90)
class ChunkAccessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void chunksAreServedOnlyWhileTheDeviceHasAnOpenJobForTheBundle() throws Exception {
        Vertx vertx = Vertx.vertx();
        Controller c = TestControllers.start(vertx, dir, TestControllers.adminAndReader());
        WebClient http = WebClient.create(vertx);
        Map<JobState, FakeDevice> devices = new LinkedHashMap<>();
        FakeDevice stranger = new FakeDevice(c.mqttUrl(), "lab", "stranger");
        try {
            int i = 0;
            for (JobState end : List.of(JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_REJECTED,
                    JobState.JOB_STATE_FAILED)) {
                FakeDevice d = new FakeDevice(c.mqttUrl(), "lab", "dev-" + i++);
                d.connect(1);
                d.birth();
                devices.put(end, d);
            }
            stranger.connect(1);
            stranger.birth();
            HttpResponse<io.vertx.core.buffer.Buffer> b = result(http.post(c.httpPort(), "127.0.0.1", "/api/v1/bundles")
                    .bearerTokenAuthentication(TestControllers.ADMIN)
                    .sendJsonObject(SyntheticBundleRequest.of(100_000, 1, "syn", "1.0.0")));
            assertEquals(201, b.statusCode(), b.bodyAsString());
            String bundle = b.bodyAsJsonObject().getString("id");
            JsonArray targets = new JsonArray(List.of("dev-0", "dev-1", "dev-2"));
            until(() -> http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices").bearerTokenAuthentication(
                    TestControllers.ADMIN).send().map(r -> r.bodyAsJsonObject().getJsonArray("devices").size()),
                    n -> n >= 4, WAIT, "devices registered");
            HttpResponse<io.vertx.core.buffer.Buffer> r = result(http.post(c.httpPort(), "127.0.0.1", "/api/v1/rollouts")
                    .bearerTokenAuthentication(TestControllers.ADMIN).sendJsonObject(new JsonObject()
                            .put("bundleId", bundle).put("target", new JsonObject().put("devices", targets))
                            .put("waves", new JsonObject().put("canary", 3))
                            .put("abort", new JsonObject().put("maxFailurePercent", 100))));
            assertEquals(201, r.statusCode(), r.bodyAsString());
            String rollout = r.bodyAsJsonObject().getString("id");

            int q = 0;
            for (Map.Entry<JobState, FakeDevice> e : devices.entrySet()) {
                FakeDevice d = e.getValue();
                JobCommand job = d.next(JobCommand.class, WAIT);
                // while the job is open the device gets its chunks
                d.publish(Channel.BUNDLE_GET, BundleChunkRequest.newBuilder().setRequestId("open-" + q)
                        .setBundleId(bundle).addIndices(0).build());
                BundleChunk first = d.next(BundleChunk.class, WAIT);
                assertEquals(0, first.getIndex());
                // the sha256 served is the signed manifest's, not recomputed: it must still match the bytes
                assertEquals(Sha256.hex(first.getData().toByteArray()), first.getSha256(), "chunk 0's hash");
                int last = first.getCount() - 1;
                d.publish(Channel.BUNDLE_GET, BundleChunkRequest.newBuilder().setRequestId("open-last-" + q)
                        .setBundleId(bundle).addIndices(last).build());
                BundleChunk tail = d.next(BundleChunk.class, WAIT);
                assertEquals(last, tail.getIndex());
                assertEquals(Sha256.hex(tail.getData().toByteArray()), tail.getSha256(), "the last chunk's hash");
                assertTrue(last > 0 && tail.getData().size() < first.getData().size(), "a short last chunk: "
                        + tail.getData().size());
                d.publish(Channel.JOB_STATUS, JobStatusUpdate.newBuilder().setJobId(job.getJobId())
                        .setDeviceId("dev-" + q).setState(e.getKey()).build());
                q++;
            }
            until(() -> http.get(c.httpPort(), "127.0.0.1", "/api/v1/rollouts/" + rollout)
                    .bearerTokenAuthentication(TestControllers.ADMIN).send().map(v -> v.bodyAsJsonObject()
                            .getJsonArray("jobs").stream().map(j -> ((JsonObject) j).getString("state")).sorted().toList()),
                    states -> states.equals(List.of("FAILED", "REJECTED", "SUCCEEDED")), WAIT, "jobs final");

            q = 0;
            for (FakeDevice d : List.of(devices.get(JobState.JOB_STATE_SUCCEEDED), devices.get(JobState.JOB_STATE_REJECTED),
                    devices.get(JobState.JOB_STATE_FAILED), stranger)) {
                d.publish(Channel.BUNDLE_GET, BundleChunkRequest.newBuilder().setRequestId("late-" + q++)
                        .setBundleId(bundle).addIndices(1).build());
                ErrorReply refused = d.next(ErrorReply.class, WAIT);
                assertEquals(ErrorCode.ERROR_CODE_UNAUTHORIZED, refused.getError().getCode(), refused.toString());
                assertEquals("bundle_id", refused.getError().getField());
                assertTrue(refused.getError().getMessage().contains("queued or in-progress"), refused.toString());
            }
        } finally {
            devices.values().forEach(FakeDevice::close);
            stranger.close();
            http.close();
            result(c.stop());
            result(vertx.close());
        }
    }
}
