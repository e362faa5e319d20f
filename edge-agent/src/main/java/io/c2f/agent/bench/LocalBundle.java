package io.c2f.agent.bench;

import com.google.protobuf.util.JsonFormat;
import io.c2f.agent.bundle.BundleStore;
import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.Interpolation;
import io.c2f.proto.v1.ModelInfo;
import io.c2f.proto.v1.Resolution;
import io.c2f.proto.v1.Sampler;
import io.c2f.proto.v1.Schedule;
import io.c2f.proto.v1.SwitchMethod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A zoo model directory ({@code model.json}, {@code model.tflite}, and {@code model.onnx} when
 * there is one) installed as a bundle into an agent state directory, signed with a key made for
 * the occasion, as a rollout would leave it: for benchmarks and checks that run the agent's own
 * install and engine path without a controller.
 *
 * @param slot the installed, active slot
 * @param key the key it was signed with (the agent's controller key)
 */
public record LocalBundle(InstalledSlot slot, KeyPair key) {
    /** A C2F schedule of the model: {@code steps} evenly spaced time steps, the first half at its lowest resolution. */
    public static Schedule schedule(ModelInfo info, int steps) {
        List<Resolution> rs = new ArrayList<>(info.getResolutionsList());
        rs.sort(Comparator.comparingInt(r -> r.getHeight() * r.getWidth()));
        List<Integer> timesteps = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            timesteps.add(900 - i * (900 / steps));
        }
        return Schedule.newBuilder().setScheduleId("c2f-k" + steps).addAllTimesteps(timesteps)
                .setSwitchIndex(steps / 2).setLowResolution(rs.get(0)).setHighResolution(rs.get(rs.size() - 1))
                .setSwitchMethod(SwitchMethod.SWITCH_METHOD_UPSAMPLE_XT_VARIANCE_CORRECTED)
                .setInterpolation(Interpolation.INTERPOLATION_NEAREST).setSampler(Sampler.SAMPLER_DDIM).build();
    }

    public static ModelInfo modelInfo(Path modelDir) throws IOException {
        ModelInfo.Builder info = ModelInfo.newBuilder();
        JsonFormat.parser().merge(Files.readString(modelDir.resolve("model.json"), StandardCharsets.UTF_8), info);
        return info.build();
    }

    /** Installs and activates the model of {@code modelDir} with one schedule of {@code steps} steps. */
    public static LocalBundle install(Path modelDir, Path bundlesDir, int steps) throws IOException {
        ModelInfo info = modelInfo(modelDir);
        Schedule schedule = schedule(info, steps);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.tflite", Files.readAllBytes(modelDir.resolve("model.tflite")));
        if (Files.isRegularFile(modelDir.resolve("model.onnx"))) {
            files.put("model.onnx", Files.readAllBytes(modelDir.resolve("model.onnx")));
        }
        BundleManifest.Builder m = BundleManifest.newBuilder().setBundleId(info.getName()).setVersion("1.0.0")
                .setModel(info).addSchedules(schedule).setDefaultScheduleId(schedule.getScheduleId());
        BundlePayload payload = BundlePayload.pack(files, 65536, m);
        KeyPair key = Ed25519Keys.generate();
        BundleStore store = new BundleStore(bundlesDir, key.getPublic());
        try {
            InstalledSlot slot = store.installIntoInactive(ManifestSigning.sign(m.build(), key), m.build(),
                    BundlePayload.unpack(m.build(), payload.bytes()));
            store.activate(slot.slot());
            return new LocalBundle(slot, key);
        } catch (io.c2f.proto.bundle.BundleVerificationException e) {
            throw new IllegalStateException("a bundle packed here does not unpack: " + e.getMessage(), e);
        }
    }
}
