package io.c2f.agent.bundle;

import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStep;
import io.c2f.proto.v1.QualityProbe;
import java.util.Optional;

/**
 * Why an install job ends without a new bundle: its final state, the step it ended in, the error
 * code and message, and the health probe's result where the probe ran. {@link BundleInstaller}
 * turns it into the job's final status in one place.
 */
final class InstallFailure extends Exception {
    private final JobState state;
    private final JobStep step;
    private final ErrorCode code;
    private final transient QualityProbe probe;
    private String refusal = "";

    private InstallFailure(JobState state, JobStep step, ErrorCode code, String message, QualityProbe probe) {
        super(message, null, false, false);
        this.state = state;
        this.step = step;
        this.code = code;
        this.probe = probe;
    }

    /** The job is refused before anything is downloaded (every refusal is a verification). */
    static InstallFailure rejected(ErrorCode code, String message) {
        return new InstallFailure(JobState.JOB_STATE_REJECTED, JobStep.JOB_STEP_VERIFYING, code, message, null);
    }

    static InstallFailure failed(JobStep step, ErrorCode code, String message) {
        return new InstallFailure(JobState.JOB_STATE_FAILED, step, code, message, null);
    }

    static InstallFailure timedOut(JobStep step, String message) {
        return new InstallFailure(JobState.JOB_STATE_TIMED_OUT, step, ErrorCode.ERROR_CODE_TIMEOUT, message, null);
    }

    /** The new bundle runs but its probe image is too far from the reference. */
    static InstallFailure probeFailed(String message, QualityProbe probe) {
        return new InstallFailure(JobState.JOB_STATE_FAILED, JobStep.JOB_STEP_PROBING,
                ErrorCode.ERROR_CODE_VERIFICATION_FAILED, message, probe);
    }

    /** Adds the engine's machine-readable refusal (reported as details "refusal"); "" for none. */
    InstallFailure withRefusal(String why) {
        this.refusal = why;
        return this;
    }

    String refusal() {
        return refusal;
    }

    JobState state() {
        return state;
    }

    JobStep step() {
        return step;
    }

    ErrorCode code() {
        return code;
    }

    Optional<QualityProbe> probe() {
        return Optional.ofNullable(probe);
    }
}
