package io.c2f.controller.telemetry;

import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.PhaseLatency;

/**
 * The latency facts of one generated image, from a {@link GenerationRecord}.
 *
 * @param atMs when the controller received it
 * @param scheduleId the schedule it ran
 * @param stepsLow denoiser steps at the low resolution
 * @param stepsHigh denoiser steps at the full resolution
 * @param lowMs time of the low-resolution phase
 * @param highMs time of the full-resolution phase
 * @param totalMs time of the whole generation (switch, encode and anything unattributed included)
 */
public record GenerationSample(long atMs, String scheduleId, int stepsLow, int stepsHigh, double lowMs,
                               double highMs, double totalMs) {
    public GenerationSample {
        if (stepsLow < 0 || stepsHigh < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got low " + stepsLow + ", high " + stepsHigh);
        }
        if (!(totalMs >= 0) || !(lowMs >= 0) || !(highMs >= 0)) {
            throw new IllegalArgumentException("latencies must be finite and >= 0, got low " + lowMs + ", high "
                    + highMs + ", total " + totalMs);
        }
    }

    /** Everything that is not a denoiser step: switch, encode, scheduling gaps. */
    public double overheadMs() {
        return Math.max(0, totalMs - lowMs - highMs);
    }

    /**
     * Reads a record; a record batching several images is divided by its batch size (per-image
     * latency is what a target is about).
     */
    public static GenerationSample from(GenerationRecord r, long atMs) {
        double low = 0;
        double high = 0;
        double phases = 0;
        for (PhaseLatency p : r.getPhasesList()) {
            phases += p.getMillis();
            if (p.getPhase().equals("low")) {
                low += p.getMillis();
            } else if (p.getPhase().equals("high")) {
                high += p.getMillis();
            }
        }
        double total = r.getTotalMillis() > 0 ? r.getTotalMillis() : phases;
        int batch = Math.max(1, r.getBatch());
        return new GenerationSample(atMs, r.getScheduleId(), r.getStepsLow(), r.getStepsHigh(), low / batch,
                high / batch, total / batch);
    }
}
