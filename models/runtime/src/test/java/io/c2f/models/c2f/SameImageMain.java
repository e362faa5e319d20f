package io.c2f.models.c2f;

import io.c2f.models.diffusion.GaussianDataDenoiser;
import io.c2f.models.diffusion.NoiseSchedule;
import io.c2f.models.diffusion.TimestepSpacing;
import io.c2f.models.image.PngImages;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Generates a fixed C2F batch (both noise streams, per-step noise, switch, bilinear) and prints the
 * sha256 of its float32 little-endian bytes and of the first image's PNG. Run in a second JVM by
 * {@link SameImageAcrossJvmsTest}.
 */
public final class SameImageMain {
    private SameImageMain() {
    }

    static String[] digests() throws Exception {
        NoiseSchedule schedule = NoiseSchedule.ddpmLinear();
        Resolution low = Resolution.square(8);
        Resolution high = Resolution.square(16);
        GaussianDataDenoiser model = new GaussianDataDenoiser(schedule, 0.3, low, high);
        C2fPlan plan = new C2fPlan(TimestepSpacing.uniform(10, 1000), 4, low, high,
                SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED, Interpolation.BILINEAR, 0.5f);
        ImageBatch images = new C2fExecutor(model, schedule).run(plan, new long[] {2026, -1, 7}).images();
        ByteBuffer bytes = ByteBuffer.allocate(images.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(images.data());
        HexFormat hex = HexFormat.of();
        return new String[] {
            hex.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array())),
            hex.formatHex(MessageDigest.getInstance("SHA-256").digest(PngImages.encode(images, 0)))
        };
    }

    public static void main(String[] args) throws Exception {
        String[] d = digests();
        System.out.println("floats " + d[0]);
        System.out.println("png " + d[1]);
    }
}
