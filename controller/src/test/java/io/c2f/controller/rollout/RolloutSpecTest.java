package io.c2f.controller.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.bundle.RequestException;
import io.c2f.controller.job.Job;
import io.c2f.controller.job.JobKind;
import io.c2f.controller.job.JobStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutSpecTest {
    private static RolloutSpec spec(JsonObject waves, JsonObject abort) {
        JsonObject o = new JsonObject().put("bundleId", "b-1.0.0").put("target", new JsonObject().put("all", true));
        if (waves != null) {
            o.put("waves", waves);
        }
        if (abort != null) {
            o.put("abort", abort);
        }
        return RolloutSpec.fromJson(o);
    }

    @Test
    void wavesGrowExponentiallyFromTheCanary() {
        assertEquals(List.of(1, 2, 4, 8, 5), spec(null, null).waves().sizes(20));
        assertEquals(List.of(2, 6, 18, 4), spec(new JsonObject().put("canary", 2).put("growth", 3), null).waves()
                .sizes(30));
        assertEquals(List.of(10, 20, 40, 30), spec(new JsonObject().put("canaryPercent", 10), null).waves().sizes(100));
        assertEquals(List.of(1, 2, 3, 3, 1), spec(new JsonObject().put("maxWaveSize", 3), null).waves().sizes(10));
        assertEquals(List.of(1, 1, 1), spec(new JsonObject().put("growth", 1), null).waves().sizes(3));
        assertEquals(List.of(1), spec(new JsonObject().put("canary", 5), null).waves().sizes(1));
        // round trip through the stored JSON
        RolloutSpec s = spec(new JsonObject().put("canary", 2), new JsonObject().put("minProbePsnrDb", 30));
        assertEquals(s, RolloutSpec.fromJson(s.toJson()));
    }

    @Test
    void aRolloutPinsAnEngineOrLeavesItToTheDevice() {
        JsonObject o = new JsonObject().put("bundleId", "b-1.0.0").put("target", new JsonObject().put("all", true));
        assertEquals("", RolloutSpec.fromJson(o).engine());
        RolloutSpec pinned = RolloutSpec.fromJson(o.copy().put("engine", "onnx"));
        assertEquals("onnx", pinned.engine());
        assertEquals(pinned, RolloutSpec.fromJson(pinned.toJson()), "the pin survives the stored JSON");
        RequestException e = assertThrows(RequestException.class,
                () -> RolloutSpec.fromJson(o.copy().put("engine", "tensorrt")));
        assertEquals("engine must be one of [onnx, tflite] (or left out for each device's own choice)", e.getMessage());
        assertThrows(RequestException.class, () -> RolloutSpec.fromJson(o.copy().put("engine", 1)));
    }

    @Test
    void refusesBadRequestsNamingTheField() {
        RequestException e = assertThrows(RequestException.class, () -> spec(new JsonObject().put("growth", 0.5), null));
        assertTrue(e.getMessage().startsWith("waves.growth"), e.getMessage());
        e = assertThrows(RequestException.class, () -> spec(null, new JsonObject().put("maxFailurePercent", 101)));
        assertTrue(e.getMessage().startsWith("abort.maxFailurePercent"), e.getMessage());
        e = assertThrows(RequestException.class, () -> RolloutSpec.fromJson(new JsonObject().put("bundleId", "b")));
        assertTrue(e.getMessage().startsWith("target is required"), e.getMessage());
        e = assertThrows(RequestException.class, () -> RolloutSpec.fromJson(new JsonObject().put("bundleId", "b")
                .put("target", new JsonObject().put("devices", new JsonArray().add("a/b")))));
        assertTrue(e.getMessage().startsWith("target.devices[0]"), e.getMessage());
        e = assertThrows(RequestException.class, () -> RolloutSpec.fromJson(new JsonObject().put("bundleId", "b")
                .put("target", new JsonObject().put("all", true).put("labels", new JsonObject().put("a", "b")))));
        assertTrue(e.getMessage().contains("exactly one"), e.getMessage());
    }

    @Test
    void labelsMatchKeyValuePairs() {
        RolloutSpec.Target t = new RolloutSpec.Target(List.of(), java.util.Map.of("site", "lab", "sim", "true"), false);
        assertTrue(t.matchesLabels(List.of("sim=true", "site=lab", "speed=fast")));
        assertFalse(t.matchesLabels(List.of("sim=true", "site=field")));
        assertFalse(t.matchesLabels(List.of()));
    }

    private static Job job(String device, JobStatus state, Double psnr) {
        Job q = Job.queued("j-" + device, "r", 0, device, JobKind.INSTALL, "b", null, 1000, 1000, 0);
        return new Job(q.id(), q.rolloutId(), q.waveIndex(), device, q.kind(), q.bundleId(), null, state, null, 0,
                state == JobStatus.FAILED ? "UNSUPPORTED" : null, state == JobStatus.FAILED ? "model does not load" : null,
                psnr, psnr == null ? null : true, 1000, 1000, 1, 0, 0L, 0L, 0, 0L);
    }

    @Test
    void abortCountsFailuresAndLowProbesAmongFinishedJobs() {
        RolloutSpec s = spec(null, new JsonObject().put("maxFailurePercent", 25).put("minFinished", 2)
                .put("minProbePsnrDb", 30));
        assertNull(RolloutReconciler.abortReason(s, List.of(job("a", JobStatus.FAILED, null))), "below minFinished");
        assertNull(RolloutReconciler.abortReason(s, List.of(job("a", JobStatus.FAILED, null),
                job("b", JobStatus.SUCCEEDED, 35.0), job("c", JobStatus.SUCCEEDED, 35.0),
                job("d", JobStatus.SUCCEEDED, 35.0), job("e", JobStatus.IN_PROGRESS, null))), "1 of 4 is 25%");
        String reason = RolloutReconciler.abortReason(s, List.of(job("a", JobStatus.SUCCEEDED, 12.5),
                job("b", JobStatus.SUCCEEDED, 35.0), job("c", JobStatus.TIMED_OUT, null)));
        assertTrue(reason.startsWith("2 of 3 finished jobs failed (67% > 25%); first: a: probe PSNR 12.50 dB"), reason);
    }
}
