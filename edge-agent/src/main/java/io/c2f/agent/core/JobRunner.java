package io.c2f.agent.core;

import io.c2f.agent.bundle.BundleInstaller;
import io.c2f.agent.engine.ModelSession;
import io.c2f.agent.job.AcceptedJobs;
import io.c2f.agent.job.JobOrderGate;
import io.c2f.agent.job.OrderRefusedException;
import io.c2f.agent.threads.AgentThreads;
import io.c2f.agent.threads.Lane;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.v1.ApplySchedule;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorDetail;
import io.c2f.proto.v1.ErrorReply;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobOrder;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the controller's jobs one at a time on their own lane: admits each command through the
 * signed-order gate, installs bundles and applies schedules, reports every status and remembers
 * each job's outcome (so a repeated order, or a controller that missed it, hears it again).
 */
final class JobRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private final String fleet;
    private final String deviceId;
    private final JobOrderGate orders;
    private final AcceptedJobs accepted;
    private final BundleInstaller installer;
    private final BundleSession session;
    private final Outbox outbox;
    private final Lane thread;
    private volatile String activeJob = "";
    private volatile JobStatusUpdate lastFinal;

    JobRunner(String fleet, String deviceId, JobOrderGate orders, AcceptedJobs accepted, BundleInstaller installer,
            BundleSession session, Outbox outbox, AgentThreads threads) {
        this.fleet = fleet;
        this.deviceId = deviceId;
        this.orders = orders;
        this.accepted = accepted;
        this.installer = installer;
        this.session = session;
        this.outbox = outbox;
        this.thread = threads.lane(AgentThreads.Work.JOBS, "c2f-jobs-" + deviceId);
    }

    /** Queues a job command (called on the MQTT thread; never blocks). */
    void submit(JobCommand cmd) {
        thread.execute(() -> run(cmd));
    }

    /** The job running now, or "" when none. */
    String activeJob() {
        return activeJob;
    }

    /** Sends the last final status again (the controller may have missed it while the device was away). */
    void repeatLastOutcome() {
        JobStatusUpdate last = lastFinal;
        if (last != null) {
            outbox.publish(Channel.JOB_STATUS, last);
        }
    }

    /** Runs what the command's verified signed order says; anything else of the command is ignored. */
    private void run(JobCommand cmd) {
        JobOrder order;
        try {
            order = orders.admit(cmd);
        } catch (OrderRefusedException e) {
            // the order is not the controller's (or not for now, or not for us): its job id proves
            // nothing, so the refusal goes to the device's error channel, not to that job's status
            LOG.warn("{}: job command {} refused: {}", deviceId, cmd.getJobId(), e.getMessage());
            outbox.publish(Channel.DEVICE_ERROR, ErrorReply.newBuilder().setRequestId(cmd.getJobId())
                    .setRequestTopic(Topics.fleet(fleet).device(deviceId, Channel.JOB_NOTIFY))
                    .setError(e.toErrorDetail()).build());
            // a finished job's order again: its outcome again (the controller may have missed it)
            e.earlierOutcome().ifPresent(o -> outbox.publish(Channel.JOB_STATUS, o));
            return;
        }
        String jobId = order.getJobId();
        activeJob = jobId;
        try {
            JobStatusUpdate done = switch (order.getActionCase()) {
                // the manifest is the command's (the gate checked it is the one the order names); the
                // rollback permission and the timeout are the signed order's
                case INSTALL_BUNDLE -> installer.install(jobId, InstallBundle.newBuilder()
                                .setManifest(cmd.getInstallBundle().getManifest())
                                .setRollback(order.getInstallBundle().getRollback()).build(),
                        order.getInstallBundle().getEngine(),
                        Duration.ofMillis(order.getStepTimeoutMs()), u -> outbox.publish(Channel.JOB_STATUS, u));
                case APPLY_SCHEDULE -> applySchedule(jobId, order.getApplySchedule());
                case CANCEL -> finalStatus(jobId, JobState.JOB_STATE_FAILED, ErrorCode.ERROR_CODE_UNSUPPORTED,
                        "job " + order.getCancel().getJobId() + " cannot be canceled: jobs run one at a time and it "
                                + "is already finished or running");
                case ACTION_NOT_SET -> finalStatus(jobId, JobState.JOB_STATE_REJECTED,
                        ErrorCode.ERROR_CODE_INVALID_ARGUMENT, "job carries no action");
            };
            lastFinal = outbox.stamped(done);
            try {
                accepted.finish(jobId, lastFinal);
            } catch (IOException e) {
                LOG.error("{}: cannot record the outcome of job {}: {}", deviceId, jobId, e.getMessage());
            }
        } finally {
            activeJob = "";
        }
    }

    private JobStatusUpdate applySchedule(String jobId, ApplySchedule apply) {
        ModelSession s = session.current();
        if (s == null) {
            return finalStatus(jobId, JobState.JOB_STATE_REJECTED, ErrorCode.ERROR_CODE_NOT_FOUND,
                    "no model is installed to apply schedule '" + apply.getSchedule().getScheduleId() + "' to");
        }
        try {
            session.apply(s, apply.getSchedule());
        } catch (IllegalArgumentException e) {
            return finalStatus(jobId, JobState.JOB_STATE_REJECTED, ErrorCode.ERROR_CODE_INVALID_ARGUMENT,
                    "schedule '" + apply.getSchedule().getScheduleId() + "' refused, keeping '"
                            + session.defaultScheduleId(s) + "': " + e.getMessage());
        } catch (IOException e) {
            return finalStatus(jobId, JobState.JOB_STATE_FAILED, ErrorCode.ERROR_CODE_INTERNAL,
                    "schedule applied but not stored: " + e.getMessage());
        }
        LOG.info("{}: default schedule is now {} ({})", deviceId, apply.getSchedule().getScheduleId(),
                apply.getReason());
        JobStatusUpdate ok = outbox.stamped(JobStatusUpdate.newBuilder().setJobId(jobId)
                .setState(JobState.JOB_STATE_SUCCEEDED).setProgressPercent(100)
                .putDetails("schedule_id", apply.getSchedule().getScheduleId()).build());
        outbox.publish(Channel.JOB_STATUS, ok);
        return ok;
    }

    private JobStatusUpdate finalStatus(String jobId, JobState state, ErrorCode code, String message) {
        JobStatusUpdate u = outbox.stamped(JobStatusUpdate.newBuilder().setJobId(jobId).setState(state)
                .setError(ErrorDetail.newBuilder().setCode(code).setMessage(message)).build());
        outbox.publish(Channel.JOB_STATUS, u);
        return u;
    }

    @Override
    public void close() {
        thread.close();
    }
}
