package io.c2f.controller.model;

import io.c2f.models.tensor.Resolution;
import java.util.List;
import java.util.Map;

/**
 * A registered model.
 *
 * @param id catalog id (1-128 characters of [A-Za-z0-9._-])
 * @param source where it was loaded from: a {@code .tflite} path on the controller, or {@code synthetic[:kind]}
 * @param modelSha256 sha256 of the model file (what devices report for their installed bundle)
 * @param resolutions the graphs it has, smallest first
 * @param macsPerForward multiply-accumulates of one denoiser call per resolution
 * @param trainTimesteps T of its noise schedule
 */
public record ModelRecord(String id, String source, String modelSha256, List<Resolution> resolutions,
                          Map<Resolution, Long> macsPerForward, int trainTimesteps, long registeredMs) {
    public ModelRecord {
        resolutions = List.copyOf(resolutions);
        macsPerForward = Map.copyOf(macsPerForward);
    }

    /** MACs of a low step over MACs of a high step (1 for a single-resolution model). */
    public double lowToHighCostRatio() {
        if (resolutions.size() < 2) {
            return 1;
        }
        Long low = macsPerForward.get(resolutions.get(0));
        Long high = macsPerForward.get(resolutions.get(resolutions.size() - 1));
        return low == null || high == null || high == 0 ? 0.25 : (double) low / high;
    }
}
