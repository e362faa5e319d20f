package io.c2f.proto;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.Accelerator;
import io.c2f.proto.v1.ApplySchedule;
import io.c2f.proto.v1.BetaSchedule;
import io.c2f.proto.v1.Birth;
import io.c2f.proto.v1.BundleChunk;
import io.c2f.proto.v1.BundleChunkRequest;
import io.c2f.proto.v1.BundleFile;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.CancelJob;
import io.c2f.proto.v1.ControllerState;
import io.c2f.proto.v1.Death;
import io.c2f.proto.v1.DeathReason;
import io.c2f.proto.v1.DelegateInfo;
import io.c2f.proto.v1.DelegateStatus;
import io.c2f.proto.v1.DeviceFacts;
import io.c2f.proto.v1.DeviceState;
import io.c2f.proto.v1.DeviceStatus;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.EnrolmentAnswer;
import io.c2f.proto.v1.EnrolmentRequest;
import io.c2f.proto.v1.EnrolmentStatus;
import io.c2f.proto.v1.ErrorDetail;
import io.c2f.proto.v1.ErrorReply;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.proto.v1.GeneratedImage;
import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.Hardware;
import io.c2f.proto.v1.Header;
import io.c2f.proto.v1.HealthProbe;
import io.c2f.proto.v1.InstallBundle;
import io.c2f.proto.v1.InstalledBundle;
import io.c2f.proto.v1.Interpolation;
import io.c2f.proto.v1.IntervalAggregate;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.JobState;
import io.c2f.proto.v1.JobStatusUpdate;
import io.c2f.proto.v1.JobStep;
import io.c2f.proto.v1.MacsAtResolution;
import io.c2f.proto.v1.ModelInfo;
import io.c2f.proto.v1.NoiseScheduleSpec;
import io.c2f.proto.v1.PhaseLatency;
import io.c2f.proto.v1.PredictionType;
import io.c2f.proto.v1.Provenance;
import io.c2f.proto.v1.QualityProbe;
import io.c2f.proto.v1.RebirthRequest;
import io.c2f.proto.v1.Resolution;
import io.c2f.proto.v1.Sampler;
import io.c2f.proto.v1.Schedule;
import io.c2f.proto.v1.SearchMethod;
import io.c2f.proto.v1.Signature;
import io.c2f.proto.v1.SignedManifest;
import io.c2f.proto.v1.SwitchMethod;
import io.c2f.proto.v1.Telemetry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One fully populated, deterministic example per channel (and, across them, of every message type
 * in the contract). The golden vectors under src/test/resources/golden are these, encoded.
 */
public final class ExampleMessages {
    public static final String FLEET = "demo";
    public static final String DEVICE = "cam-042";
    private static final String SHA_A = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static final String SHA_B = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

    private ExampleMessages() {
    }

    public static Header header(String sender, long seq) {
        return Header.newBuilder().setProtocolMajor(1).setProtocolMinor(0).setSenderId(sender)
                .setBdSeq(7).setSeq(seq).setSentAtMs(1_764_000_000_000L + seq).build();
    }

    static Resolution res(int side) {
        return Resolution.newBuilder().setHeight(side).setWidth(side).build();
    }

    static Hardware hardware() {
        return Hardware.newBuilder().setOs("Linux 6.1").setArch("aarch64").setCpuCores(6)
                .setMemoryBytes(8L << 30).setCpuModel("ARMv8 Processor rev 1 (v8l)")
                .addAccelerators(Accelerator.newBuilder().setKind("gpu").setName("NVIDIA Tegra Orin")
                        .setDriver("OpenCL 3.0"))
                .build();
    }

    static List<DelegateInfo> delegates() {
        return List.of(
                DelegateInfo.newBuilder().setName("gpu").setStatus(DelegateStatus.DELEGATE_STATUS_FAILED)
                        .setReason("library /opt/tflite/libtensorflowlite_gpu_delegate.so not found").build(),
                DelegateInfo.newBuilder().setName("xnnpack").setStatus(DelegateStatus.DELEGATE_STATUS_ACTIVE)
                        .setReason("ran the probe inference").build(),
                DelegateInfo.newBuilder().setName("cpu").setStatus(DelegateStatus.DELEGATE_STATUS_AVAILABLE)
                        .setReason("not tried: an earlier delegate is active").build());
    }

    static InstalledBundle installed() {
        return InstalledBundle.newBuilder().setBundleId("emoji32-c2f").setVersion("1.2.0")
                .setModelSha256(SHA_A).setSlot("b").build();
    }

    public static Schedule schedule() {
        return Schedule.newBuilder().setScheduleId("emoji32-c2f-k10")
                .addAllTimesteps(List.of(999, 899, 799, 699, 599, 499, 399, 299, 199, 99))
                .setSwitchIndex(5).setLowResolution(res(16)).setHighResolution(res(32))
                .setSwitchMethod(SwitchMethod.SWITCH_METHOD_RENOISE_X0)
                .setInterpolation(Interpolation.INTERPOLATION_NEAREST)
                .setSampler(Sampler.SAMPLER_DDIM).setEta(0.0f)
                .setProvenance(Provenance.newBuilder().setMethod(SearchMethod.SEARCH_METHOD_TRD)
                        .setModelSha256(SHA_A).setCalibrationLoss(0.0123).setHeldoutLoss(0.0141)
                        .setMacsPerImage(1_234_567_890L).setCalibrationSeeds(16).setHeldoutSeeds(64)
                        .setReferenceSteps(250).setSearchSeconds(41.5).setCreatedAtMs(1_764_000_000_000L)
                        .setNotes("example"))
                .build();
    }

    static GenerationRecord generation() {
        return GenerationRecord.newBuilder().setRequestId("req-1").setScheduleId("emoji32-c2f-k10")
                .setBundleId("emoji32-c2f").setSeed(42).setStepsLow(5).setStepsHigh(5)
                .addPhases(PhaseLatency.newBuilder().setPhase("low").setMillis(21.5).setSteps(5)
                        .setResolution(res(16)).setMacs(1_000_000L))
                .addPhases(PhaseLatency.newBuilder().setPhase("high").setMillis(80.25).setSteps(5)
                        .setResolution(res(32)).setMacs(4_000_000L))
                .setTotalMillis(103.0).setDelegate("xnnpack").setMacs(5_000_000L)
                .setProbe(probe()).setStartedAtMs(1_764_000_000_100L).setBatch(1)
                .build();
    }

    static QualityProbe probe() {
        return QualityProbe.newBuilder().setSeed(1234).setScheduleId("emoji32-c2f-k10").setPsnrDb(48.5)
                .setMse(1.4e-5).setPassed(true).setThresholdPsnrDb(30.0).build();
    }

    static BundleManifest manifest() {
        return BundleManifest.newBuilder().setBundleId("emoji32-c2f").setVersion("1.2.0")
                .setMinAgentVersion("0.1.0")
                .addFiles(BundleFile.newBuilder().setPath("model.tflite").setSha256(SHA_A).setSizeBytes(3_000_000))
                .setModel(ModelInfo.newBuilder().setName("emoji32").setArchitecture("ddpm-unet")
                        .addResolutions(res(16)).addResolutions(res(32))
                        .setNoiseSchedule(NoiseScheduleSpec.newBuilder().setKind(BetaSchedule.BETA_SCHEDULE_LINEAR)
                                .setTrainTimesteps(1000).setBetaStart(1e-4).setBetaEnd(0.02))
                        .setPrediction(PredictionType.PREDICTION_TYPE_EPSILON).setParameters(1_500_000)
                        .addMacsPerForward(MacsAtResolution.newBuilder().setResolution(res(16))
                                .setMacs(100_000_000L).setSignature("res16x16"))
                        .addMacsPerForward(MacsAtResolution.newBuilder().setResolution(res(32))
                                .setMacs(400_000_000L).setSignature("res32x32"))
                        .setModelSha256(SHA_A).setChannels(3).setWeightType("fp16")
                        .putResolutionLabels(16, 1).putResolutionLabels(32, 0))
                .addSchedules(schedule()).setDefaultScheduleId("emoji32-c2f-k10")
                .setProbe(HealthProbe.newBuilder().setSeed(1234).setScheduleId("emoji32-c2f-k10")
                        .setReferencePng(ByteString.copyFrom(new byte[] {(byte) 0x89, 'P', 'N', 'G'}))
                        .setMinPsnrDb(30.0))
                .setChunkSize(65536).setChunkCount(2).addChunkSha256(SHA_A).addChunkSha256(SHA_B)
                .setPayloadSha256(SHA_B).setPayloadSize(100_000).setCreatedAtMs(1_764_000_000_000L)
                .build();
    }

    /** The example for a channel. */
    public static Message of(Channel channel) {
        String dev = DEVICE;
        String ctl = "controller-1";
        return switch (channel) {
            case BIRTH -> Birth.newBuilder().setHeader(header(dev, 0)).setDeviceId(dev).setAgentVersion("0.1.0")
                    .setHardware(hardware()).addAllDelegates(delegates()).setInstalled(installed())
                    .setScheduleId("emoji32-c2f-k10").addLabels("site=lab").addLabels("tier=orin")
                    .setNextTelemetrySeq(1001).build();
            case DEATH -> Death.newBuilder().setHeader(header(dev, 0)).setDeviceId(dev)
                    .setReason(DeathReason.DEATH_REASON_CONNECTION_LOST).build();
            case STATE -> DeviceState.newBuilder().setHeader(header(dev, 3)).setDeviceId(dev)
                    .setStatus(DeviceStatus.DEVICE_STATUS_GENERATING).setQueueDepth(2).setUptimeMs(3_600_000)
                    .setInstalled(installed()).setScheduleId("emoji32-c2f-k10").setActiveJobId("job-9")
                    .setTelemetrySpooled(12).setTelemetryDropped(1).setDetail("ok")
                    .setHeartbeatIntervalMs(10_000).build();
            case TELEMETRY -> Telemetry.newBuilder().setHeader(header(dev, 4)).setDeviceId(dev)
                    .setTelemetrySeq(1001).setDroppedBefore(0).setGeneration(generation()).build();
            case JOB_STATUS -> JobStatusUpdate.newBuilder().setHeader(header(dev, 5)).setJobId("job-9")
                    .setDeviceId(dev).setState(JobState.JOB_STATE_FAILED).setStep(JobStep.JOB_STEP_PROBING)
                    .setProgressPercent(90)
                    .setError(ErrorDetail.newBuilder().setCode(ErrorCode.ERROR_CODE_VERIFICATION_FAILED)
                            .setMessage("probe PSNR 12.1 dB below threshold 30.0 dB").setField("probe"))
                    .setProbe(probe().toBuilder().setPassed(false).setPsnrDb(12.1))
                    .putDetails("slot", "a").build();
            case BUNDLE_GET -> BundleChunkRequest.newBuilder().setHeader(header(dev, 6)).setRequestId("get-1")
                    .setBundleId("emoji32-c2f").addIndices(0).addIndices(1).build();
            case GENERATE_RESULT -> GenerateResult.newBuilder().setHeader(header(dev, 7)).setRequestId("req-1")
                    .addImages(GeneratedImage.newBuilder().setSeed(42)
                            .setPng(ByteString.copyFrom(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}))
                            .setWidth(32).setHeight(32).setRecord(generation()))
                    .build();
            case DEVICE_ERROR -> ErrorReply.newBuilder().setHeader(header(dev, 8)).setRequestId("req-2")
                    .setRequestTopic("c2f/v1/demo/device/cam-042/generate/request")
                    .setError(ErrorDetail.newBuilder().setCode(ErrorCode.ERROR_CODE_BUSY)
                            .setMessage("generation queue full (8 of 8)"))
                    .build();
            case JOB_NOTIFY -> JobCommand.newBuilder().setHeader(header(ctl, 1)).setJobId("job-9")
                    .setRolloutId("rollout-3").setStepTimeoutMs(600_000)
                    .setInstallBundle(InstallBundle.newBuilder()
                            .setManifest(SignedManifest.newBuilder().setManifest(manifest().toByteString())
                                    .setSignature(Signature.newBuilder().setAlgorithm("Ed25519")
                                            .setKeyId("0011223344556677")
                                            .setValue(ByteString.copyFrom(new byte[64]))))
                            .setRollback(false))
                    .build();
            case BUNDLE_DATA -> BundleChunk.newBuilder().setHeader(header(ctl, 2)).setRequestId("get-1")
                    .setBundleId("emoji32-c2f").setIndex(1).setCount(2).setSha256(SHA_B)
                    .setData(ByteString.copyFromUtf8("chunk bytes")).build();
            case GENERATE_REQUEST -> GenerateRequest.newBuilder().setHeader(header(ctl, 3)).setRequestId("req-1")
                    .setSeed(42).setScheduleId("").setCount(1).setDeadlineMs(1_764_000_060_000L).build();
            case REBIRTH -> RebirthRequest.newBuilder().setHeader(header(ctl, 4)).setReason("controller restarted")
                    .build();
            case CONTROLLER_ERROR -> ErrorReply.newBuilder().setHeader(header(ctl, 5)).setRequestId("get-1")
                    .setRequestTopic("c2f/v1/demo/device/cam-042/bundle/get")
                    .setError(ErrorDetail.newBuilder().setCode(ErrorCode.ERROR_CODE_NOT_FOUND)
                            .setMessage("bundle 'nope' is not known").setField("bundle_id"))
                    .build();
            case FLEET_REBIRTH -> RebirthRequest.newBuilder().setHeader(header(ctl, 6)).setReason("controller started")
                    .build();
            case ENROL_REQUEST -> EnrolmentRequest.newBuilder().setHeader(header(dev, 0)).setDeviceId(dev)
                    .setRequestId("enrol-1").setTokenId("tok-lab").setCredential("c2VjcmV0LWNyZWRlbnRpYWwtb2YtY2FtLTA0Mi0zMmJ5dGVz")
                    .setAgentVersion("0.1.0").setHardware(hardware()).addLabels("site=lab")
                    .setTokenProof(ByteString.copyFrom(new byte[32])).build();
            case ENROL_ANSWER -> EnrolmentAnswer.newBuilder().setHeader(header(ctl, 8)).setDeviceId(dev)
                    .setRequestId("enrol-1").setStatus(EnrolmentStatus.ENROLMENT_STATUS_REJECTED)
                    .setReason("device id 'cam-042' is already enrolled")
                    .setError(ErrorDetail.newBuilder().setCode(ErrorCode.ERROR_CODE_INVALID_ARGUMENT)
                            .setMessage("device id 'cam-042' is already enrolled").setField("device_id"))
                    .addLabels("site=lab").build();
            case CONTROLLER_STATE -> ControllerState.newBuilder().setHeader(header(ctl, 7)).setOnline(true)
                    .setInstanceId(ctl).build();
        };
    }

    /** Extra examples for message types no channel example reaches. */
    public static List<Message> extras() {
        List<Message> extras = new ArrayList<>();
        extras.add(JobCommand.newBuilder().setHeader(header("controller-1", 9)).setJobId("job-10")
                .setApplySchedule(ApplySchedule.newBuilder().setSchedule(schedule())
                        .setReason("p95 812 ms over target 500 ms: cheaper schedule k6"))
                .build());
        // a catalog schedule with the sample quality a benchmark measured for it
        Schedule s = schedule();
        extras.add(s.toBuilder().setProvenance(s.getProvenance().toBuilder().setSampleQuality(
                io.c2f.proto.v1.SampleQuality.newBuilder().setShapeDetailFrechet(1.325).setShapeDetailFrechetFloor(0.664)
                        .setShapeDetailFrechetCeiling(66.56).setLaplacianRatio(0.574).setBandEnergyRatio(0.576)
                        .setSamples(149).setSampleSeedFirst(5_000_000L).setRealImages("emoji heldout-32x32 (149 images)")))
                .build());
        // a model manifest listing one file per engine, same weights (model_files)
        extras.add(manifest().getModel().toBuilder()
                .addModelFiles(io.c2f.proto.v1.ModelFile.newBuilder().setEngine("tflite").setPath("model.tflite")
                        .setSha256(SHA_A).setSizeBytes(3_000_000))
                .addModelFiles(io.c2f.proto.v1.ModelFile.newBuilder().setEngine("onnx").setPath("model.onnx")
                        .setSha256(SHA_B).setSizeBytes(2_700_000))
                .build());
        extras.add(JobCommand.newBuilder().setHeader(header("controller-1", 10)).setJobId("job-11")
                .setCancel(CancelJob.newBuilder().setJobId("job-9").setReason("rollout aborted"))
                .build());
        // the signed order of a rollback (what an agent acts on) and the command carrying it
        io.c2f.proto.v1.JobOrder order = io.c2f.proto.v1.JobOrder.newBuilder().setJobId("job-12")
                .setRolloutId("rollout-3").setDeviceId(DEVICE).setFleet(FLEET).setIssuedAtMs(1_764_000_000_000L)
                .setExpiresAtMs(1_764_000_900_000L).setStepTimeoutMs(600_000)
                .setInstallBundle(io.c2f.proto.v1.InstallOrder.newBuilder().setBundleId("emoji32-c2f").setVersion("1.0.0")
                        .setManifestSha256(SHA_B).setRollback(true))
                .build();
        extras.add(order);
        extras.add(JobCommand.newBuilder().setHeader(header("controller-1", 11)).setJobId("job-12")
                .setInstallBundle(InstallBundle.newBuilder().setManifest(SignedManifest.newBuilder()
                        .setManifest(manifest().toByteString())))
                .setOrder(io.c2f.proto.v1.SignedJobOrder.newBuilder().setOrder(order.toByteString())
                        .setSignature(Signature.newBuilder().setAlgorithm("Ed25519").setKeyId("0011223344556677")
                                .setValue(ByteString.copyFrom(new byte[64]))))
                .build());
        extras.add(Telemetry.newBuilder().setHeader(header(DEVICE, 11)).setDeviceId(DEVICE).setTelemetrySeq(1002)
                .setAggregate(IntervalAggregate.newBuilder().setWindowStartMs(1).setWindowEndMs(60_001)
                        .setCount(20).setP50Millis(100).setP95Millis(120).setP99Millis(150).setMeanMillis(104)
                        .setMaxMillis(151).setFailures(1).setScheduleId("emoji32-c2f-k10"))
                .build());
        extras.add(Telemetry.newBuilder().setHeader(header(DEVICE, 12)).setDeviceId(DEVICE).setTelemetrySeq(1003)
                .setDroppedBefore(4)
                .setFacts(DeviceFacts.newBuilder().setHardware(hardware()).addAllDelegates(delegates())
                        .setResidentMemoryBytes(180L << 20).setCpuLoad(0.75))
                .build());
        extras.add(manifest());
        return extras;
    }

    /** Every channel's example, in channel order. */
    public static Map<Channel, Message> all() {
        Map<Channel, Message> map = new EnumMap<>(Channel.class);
        for (Channel c : Channel.values()) {
            map.put(c, of(c));
        }
        return map;
    }
}
