package io.c2f.schedules.bench;

import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.LowPhaseTime;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.c2f.SwitchNoise;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.tensor.Resolution;
import io.c2f.schedules.Baselines;
import io.c2f.schedules.Schedule;
import io.c2f.schedules.ScheduleJson;
import io.c2f.models.engine.DenoiserSource;
import io.c2f.schedules.rank.RankAnalysis;
import io.c2f.schedules.trd.AutoSwitch;
import io.c2f.schedules.trd.ReferenceStore;
import io.c2f.schedules.trd.ReferenceFidelity;
import io.c2f.schedules.trd.ReferenceFidelity.Fidelity;
import io.c2f.schedules.trd.TrdConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every switch variant on the same time steps (not a test):
 * {@code SwitchAblation --model FILE.tflite|synthetic [--k 10] [--switch N|auto] [--heldout 64]
 * [--reference-steps 100] [--timesteps-from CATALOG_DIR] [--threads N] [--reference-cache DIR|none]
 * [--data PREPARED_DIR]} (with {@code --data}, also the shape/detail Fréchet distance and detail ratios of
 * each variant's samples against the held-out images, as {@link ScheduleBenchmark} prints them).
 * For each K: full-resolution DDIM on the same time steps, then C2F with each switch method x
 * interpolation x switch noise x low-phase time, all on uniform steps (or on the time steps and switch
 * index of {@code trd-k<K>-c2f.json} in the catalog given), each with MSE / PSNR against the
 * many-step reference from the same noise and MACs per image. Only the switch differs between rows,
 * so the table isolates its effect.
 */
public final class SwitchAblation {
    private SwitchAblation() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int[] ks = ScheduleBenchmark.parseKs(o.getOrDefault("k", "10"));
        int heldoutN = Integer.parseInt(o.getOrDefault("heldout", "64"));
        int refSteps = Integer.parseInt(o.getOrDefault("reference-steps", "100"));
        DenoiserSource source = DenoiserSource.forModel(o.getOrDefault("model", "synthetic"),
                o.containsKey("threads") ? Integer.parseInt(o.get("threads")) : DenoiserSource.defaultThreads());
        Path catalog = o.containsKey("timesteps-from") ? Path.of(o.get("timesteps-from")) : null;
        int trainT = source.noiseSchedule().trainTimesteps();
        Resolution high = source.highResolution();
        Resolution low = source.lowResolution().orElseThrow(() -> new IllegalArgumentException(
                "model " + source + " has no low resolution"));
        long[] heldout = TrdConfig.seeds(TrdConfig.HELDOUT_SEED_BASE, heldoutN);
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        System.out.printf(Locale.ROOT, "%s UTC, %d CPUs, load average %.2f%n", Instant.now(),
                os.getAvailableProcessors(), os.getSystemLoadAverage());
        try (Denoiser d = source.open()) {
            ReferenceFidelity fid = new ReferenceFidelity(d, source.noiseSchedule(), refSteps, high,
                    ReferenceStore.named(o.get("reference-cache")), source.modelSha256());
            fid.reference(heldout);
            QualityScorer scorer = new QualityScorer(fid, heldout, new C2fExecutor(d, source.noiseSchedule()),
                    o.containsKey("data") ? QualityScorer.RealImages.load(Path.of(o.get("data"))) : null);
            String sw = o.getOrDefault("switch", "auto");
            Integer switchT = catalog == null && sw.equals("auto")
                    ? AutoSwitch.timestep(source, d, System.out) : null;
            System.out.printf(Locale.ROOT, "model %s (%s); reference %d-step DDIM; %d held-out seeds%n", source,
                    d.engine(), refSteps, heldoutN);
            System.out.println("| K | time steps | switch index | method | interpolation | noise | low time "
                    + "| held-out MSE | PSNR dB | MACs/image |" + scorer.headerColumns());
            System.out.println("|---|---|---|---|---|---|---|---|---|---|" + scorer.separatorColumns());
            for (int k : ks) {
                C2fPlan base;
                String origin;
                if (catalog != null) {
                    Schedule s = ScheduleJson.read(catalog.resolve("trd-k" + k + "-c2f.json"));
                    base = s.plan();
                    origin = s.id();
                } else {
                    int index = switchT != null ? RankAnalysis.switchIndexFor(
                            Baselines.uniform(k, trainT, high, 0f).timesteps(), switchT) : Integer.parseInt(sw);
                    base = Baselines.c2fUniform(k, trainT, index, low, high, SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED,
                            Interpolation.NEAREST, 0f);
                    origin = "uniform";
                }
                row(k, origin, "full resolution", C2fPlan.fullResolution(base.timesteps(), high, 0f), scorer);
                for (C2fPlan p : variants(base)) {
                    row(k, origin, null, p, scorer);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s UTC, load average %.2f%n", Instant.now(), os.getSystemLoadAverage());
    }

    /** The plan with every combination of the switch's options. */
    static List<C2fPlan> variants(C2fPlan base) {
        List<C2fPlan> out = new ArrayList<>();
        for (LowPhaseTime time : LowPhaseTime.values()) {
            for (SwitchNoise noise : SwitchNoise.values()) {
                for (SwitchMethod method : SwitchMethod.values()) {
                    for (Interpolation interpolation : Interpolation.values()) {
                        out.add(base.withSwitch(method, interpolation, noise, time));
                    }
                }
            }
        }
        return out;
    }

    private static void row(int k, String origin, String label, C2fPlan plan, QualityScorer scorer)
            throws Exception {
        QualityScorer.Scores sc = scorer.score(plan);
        Fidelity f = sc.fidelity();
        String variant = label != null ? label + " | | | |"
                : plan.switchMethod() + " | " + plan.interpolation() + " | " + plan.switchNoise() + " | "
                        + plan.lowPhaseTime();
        System.out.printf(Locale.ROOT, "| %d | %s | %d | %s | %.4e | %.2f | %d |%s%n", k, origin,
                label != null ? 0 : plan.switchIndex(), variant, f.mse(), f.psnr(), f.macsPerImage(),
                sc.distributionColumns());
    }
}
