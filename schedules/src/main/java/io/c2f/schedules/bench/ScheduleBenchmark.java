package io.c2f.schedules.bench;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.tensor.Resolution;
import io.c2f.schedules.Baselines;
import io.c2f.schedules.cli.DenoiserSource;
import io.c2f.schedules.cli.ScheduleTool;
import io.c2f.schedules.rank.RankAnalysis;
import io.c2f.schedules.trd.ReferenceFidelity;
import io.c2f.schedules.trd.ReferenceFidelity.Fidelity;
import io.c2f.schedules.trd.TrdConfig;
import io.c2f.schedules.trd.TrdResult;
import io.c2f.schedules.trd.TrdSearch;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Fidelity and cost of schedules on held-out seeds (not a test):
 * {@code ScheduleBenchmark [--model synthetic] [--k 4,6,8,10,15,20] [--heldout 64] [--reference-steps 100]
 * [--switch-method renoise|upsample-xt] [--budget-s 600]}.
 * For each K: uniform, quadratic, TRD (full resolution), C2F with uniform steps and C2F + TRD (the
 * C2F switch from the rank analysis, converted to each K), each with MSE and PSNR against the
 * many-step reference from the same noise, MACs per image and, for TRD, the search time. The MACs of
 * the 100-step full-resolution sampler are printed for comparison.
 */
public final class ScheduleBenchmark {
    private ScheduleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        java.util.Map<String, String> o = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int[] ks = Arrays.stream(o.getOrDefault("k", "4,6,8,10,15,20").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int heldoutN = Integer.parseInt(o.getOrDefault("heldout", "64"));
        int refSteps = Integer.parseInt(o.getOrDefault("reference-steps", "100"));
        SwitchMethod method = o.getOrDefault("switch-method", "upsample-xt").equals("renoise") ? SwitchMethod.RENOISE_X0
                : Baselines.DEFAULT_SWITCH_METHOD;
        DenoiserSource source = DenoiserSource.forModel(o.getOrDefault("model", "synthetic"));
        int trainT = source.noiseSchedule().trainTimesteps();
        Resolution high = source.highResolution();
        Resolution low = source.lowResolution().orElse(null);
        long[] heldout = TrdConfig.seeds(TrdConfig.HELDOUT_SEED_BASE, heldoutN);
        TrdConfig cfg = TrdConfig.defaults().withReferenceSteps(refSteps)
                .withSeeds(TrdConfig.seeds(0, 16), heldout)
                .withBudget(Duration.ofSeconds(Integer.parseInt(o.getOrDefault("budget-s", "600"))));
        try (Denoiser d = source.open()) {
            TrdSearch search = new TrdSearch(d, source.noiseSchedule(), cfg);
            ReferenceFidelity fid = search.fidelity(high);
            long t0 = System.nanoTime();
            fid.reference(heldout);
            System.out.printf(Locale.ROOT, "model %s (%s), T = %d, high %s, low %s, switch method %s%n", source,
                    d.engine(), trainT, high, low, method);
            System.out.printf(Locale.ROOT, "reference: %d-step full-resolution DDIM, %d MACs/image; %d held-out seeds "
                    + "(%.1f s), 16 calibration seeds%n", refSteps,
                    ReferenceFidelity.macsPerImage(fid.referencePlan(), d), heldoutN, (System.nanoTime() - t0) / 1e9);
            System.out.printf(Locale.ROOT, "100-step full-resolution sampler: %d MACs/image%n",
                    ReferenceFidelity.macsPerImage(Baselines.uniform(100, trainT, high, 0f), d));
            Integer switchT = low == null ? null : ScheduleTool.autoSwitchTimestep(source, d, System.out);
            System.out.println("K  | schedule        | switch | held-out MSE | PSNR dB | MACs/image     | search s "
                    + "| time steps");
            for (int k : ks) {
                row(k, "uniform", Baselines.uniform(k, trainT, high, 0f), fid, heldout, Double.NaN);
                row(k, "quadratic", Baselines.quadratic(k, trainT, high, 0f), fid, heldout, Double.NaN);
                TrdResult trd = search.searchFull(k, high, "trd-k" + k + "-full", source.modelSha256(), null);
                row(k, "TRD", trd.plan(), fid, heldout, trd.searchSeconds());
                if (low != null && k >= 2) {
                    C2fPlan c2f = Baselines.c2fUniform(k, trainT, RankAnalysis.switchIndexFor(
                            Baselines.uniform(k, trainT, high, 0f).timesteps(), switchT), low, high, method,
                            Interpolation.NEAREST, 0f);
                    row(k, "C2F uniform", c2f, fid, heldout, Double.NaN);
                    TrdResult c2fTrd = search.search(c2f, "trd-k" + k + "-c2f", source.modelSha256(), null);
                    row(k, "C2F + TRD", c2fTrd.plan(), fid, heldout, c2fTrd.searchSeconds());
                }
            }
        }
    }

    private static void row(int k, String name, C2fPlan plan, ReferenceFidelity fid, long[] seeds, double searchS)
            throws Exception {
        Fidelity f = fid.measure(plan, seeds);
        System.out.printf(Locale.ROOT, "%-3d| %-15s | %6d | %12.4e | %7.2f | %14d | %8s | %s%n", k, name,
                plan.switchIndex(), f.mse(), f.psnr(), f.macsPerImage(),
                Double.isNaN(searchS) ? "" : String.format(Locale.ROOT, "%.2f", searchS),
                Arrays.toString(plan.timesteps()));
    }
}
