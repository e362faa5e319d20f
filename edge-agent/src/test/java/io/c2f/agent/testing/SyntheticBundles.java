package io.c2f.agent.testing;

import io.c2f.agent.engine.ModelSession;
import io.c2f.agent.sim.SimulatedEngine;
import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.image.PngImages;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.proto.v1.BetaSchedule;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.HealthProbe;
import io.c2f.proto.v1.Interpolation;
import io.c2f.proto.v1.MacsAtResolution;
import io.c2f.proto.v1.ModelInfo;
import io.c2f.proto.v1.NoiseScheduleSpec;
import io.c2f.proto.v1.Sampler;
import io.c2f.proto.v1.Schedule;
import io.c2f.proto.v1.SwitchMethod;
import java.util.List;

/** Bundles for the simulated engine: 8x8 and 16x16 graphs, two schedules, a real probe reference. */
public final class SyntheticBundles {
    private SyntheticBundles() {
    }

    private static io.c2f.proto.v1.Resolution res(int s) {
        return io.c2f.proto.v1.Resolution.newBuilder().setHeight(s).setWidth(s).build();
    }

    public static Schedule schedule(String id, List<Integer> steps, int switchIndex) {
        return Schedule.newBuilder().setScheduleId(id).addAllTimesteps(steps).setSwitchIndex(switchIndex)
                .setLowResolution(res(8)).setHighResolution(res(16))
                .setSwitchMethod(SwitchMethod.SWITCH_METHOD_UPSAMPLE_XT_VARIANCE_CORRECTED)
                .setInterpolation(Interpolation.INTERPOLATION_NEAREST).setSampler(Sampler.SAMPLER_DDIM).build();
    }

    public static BundleManifest.Builder manifest(String version) throws Exception {
        BundleManifest.Builder m = BundleManifest.newBuilder().setBundleId("synthetic").setVersion(version)
                .setMinAgentVersion("0.1.0")
                .setModel(ModelInfo.newBuilder().setName("synthetic").addResolutions(res(8)).addResolutions(res(16))
                        .setNoiseSchedule(NoiseScheduleSpec.newBuilder().setKind(BetaSchedule.BETA_SCHEDULE_LINEAR)
                                .setTrainTimesteps(1000).setBetaStart(1e-4).setBetaEnd(0.02))
                        .addMacsPerForward(MacsAtResolution.newBuilder().setResolution(res(8)).setMacs(1_000_000))
                        .addMacsPerForward(MacsAtResolution.newBuilder().setResolution(res(16)).setMacs(4_000_000)))
                .addSchedules(schedule("c2f-k6", List.of(900, 700, 500, 300, 150, 50), 3))
                .addSchedules(schedule("full-k4", List.of(750, 500, 250, 0), 0))
                .setDefaultScheduleId("c2f-k6");
        // the probe reference, computed the way the controller would: same model, seed, schedule
        ModelSession s = SimulatedEngine.open(m.build(), () -> 0);
        ImageBatch ref = new C2fExecutor(s.denoiser(), s.noiseSchedule()).run(s.schedules().get("c2f-k6"),
                new long[] {1234}).images();
        m.setProbe(HealthProbe.newBuilder().setSeed(1234).setScheduleId("c2f-k6")
                .setReferencePng(com.google.protobuf.ByteString.copyFrom(PngImages.encode(ref, 0))).setMinPsnrDb(40));
        return m;
    }

}
