package io.c2f.models.training;

import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetWeights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Initial weights for training from scratch. */
final class Initialization {
    private Initialization() {
    }

    /**
     * PyTorch's defaults for Conv2d/Linear (weights and biases uniform in +-1/sqrt(fan_in), i.e.
     * kaiming_uniform with a = sqrt(5)), GroupNorm scale 1 and shift 0, and an all-zero resolution
     * label table (the labels start as a no-op and are learnt).
     */
    public static UnetWeights pytorchDefault(UnetConfig cfg, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, float[]> t = new LinkedHashMap<>();
        Map<String, int[]> shapes = cfg.parameterShapes();
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            String name = e.getKey();
            int[] shape = e.getValue();
            float[] data = new float[DjlUnet.numel(shape)];
            String module = name.substring(0, name.lastIndexOf('.'));
            boolean norm = module.endsWith("norm") || module.endsWith("norm1") || module.endsWith("norm2")
                    || module.endsWith("group_norm") || module.endsWith("norm_out");
            if (name.equals("class_embedding.weight")) {
                // zeros
            } else if (norm) {
                if (name.endsWith(".weight")) {
                    java.util.Arrays.fill(data, 1f);
                }
            } else {
                int[] w = shapes.get(module + ".weight");
                double bound = 1.0 / Math.sqrt(DjlUnet.numel(w) / (double) w[0]);
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
                }
            }
            t.put(name, data);
        }
        return UnetWeights.of(cfg, t);
    }
}
