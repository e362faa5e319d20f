package io.c2f.models.engine;

import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.synthetic.LowRankGaussianDenoiser;
import io.c2f.models.synthetic.TwoScaleGaussianDenoiser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The analytic synthetic models, 16x16 / 32x32 on the DDPM schedule: "two-scale" (the default for
 * {@code synthetic}) and "low-rank". Their "model hash" is the sha256 of their name and parameters,
 * so schedules found on them are never mistaken for a real model's.
 */
final class SyntheticDenoiserSource implements DenoiserSource {
    private final String name;
    private final NoiseSchedule schedule = NoiseSchedule.ddpmLinear();

    private SyntheticDenoiserSource(String name) {
        this.name = name;
    }

    static SyntheticDenoiserSource named(String model) {
        String kind = model.equals("synthetic") ? "two-scale" : model.substring("synthetic:".length());
        if (!kind.equals("two-scale") && !kind.equals("low-rank")) {
            throw new IllegalArgumentException("--model " + model + ": unknown synthetic model '" + kind
                    + "' (two-scale, low-rank)");
        }
        return new SyntheticDenoiserSource(kind);
    }

    @Override
    public Denoiser open() {
        return name.equals("two-scale") ? TwoScaleGaussianDenoiser.cifarLike(schedule)
                : LowRankGaussianDenoiser.cifarLike(schedule);
    }

    @Override
    public NoiseSchedule noiseSchedule() {
        return schedule;
    }

    @Override
    public String modelSha256() {
        String description = name.equals("two-scale") ? "synthetic:two-scale:16x16/32x32:vL=0.25:lambdaD=0.01"
                : "synthetic:low-rank:16x16/32x32:r=12:v0=0.3:decay=0.75:lambdaD=0.002:seed=20260101";
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(description.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Resolution highResolution() {
        return Resolution.square(32);
    }

    @Override
    public Optional<Resolution> lowResolution() {
        return Optional.of(Resolution.square(16));
    }

    @Override
    public String toString() {
        return "synthetic:" + name;
    }
}
