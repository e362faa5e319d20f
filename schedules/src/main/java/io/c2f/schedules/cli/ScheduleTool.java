package io.c2f.schedules.cli;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.LowPhaseTime;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.c2f.SwitchNoise;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.diffusion.DenoiserException;
import io.c2f.models.engine.DenoiserSource;
import io.c2f.models.tensor.Resolution;
import io.c2f.schedules.Baselines;
import io.c2f.schedules.Schedule;
import io.c2f.schedules.ScheduleJson;
import io.c2f.schedules.rank.RankAnalysis;
import io.c2f.schedules.rank.RankCurve;
import io.c2f.schedules.rank.RankReport;
import io.c2f.proto.v1.Provenance;
import io.c2f.proto.v1.SearchMethod;
import io.c2f.schedules.trd.AutoSwitch;
import io.c2f.schedules.trd.ReferenceFidelity;
import io.c2f.schedules.trd.ReferenceStore;
import io.c2f.schedules.trd.TrdConfig;
import io.c2f.schedules.trd.TrdResult;
import io.c2f.schedules.trd.TrdSearch;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Command line for schedule search and rank analysis on any {@link DenoiserSource}.
 * <pre>
 * search --k 4,6,8 [--model synthetic] [--mode full|c2f|both] [--switch auto|N]
 *        [--switch-method renoise|upsample-xt] [--interpolation nearest|bilinear]
 *        [--switch-noise continuous|fresh] [--low-time snr|same] [--reference-steps 100]
 *        [--calibration 16] [--heldout 64] [--heldout-first 1000000] [--budget-s 600] [--max-evaluations N]
 *        [--start-shifts 4] [--min-move 1] [--baselines true|false]
 *        [--threads N] [--reference-cache DIR|none] [--out DIR]
 * rank   [--model synthetic] [--seeds 32] [--steps 50] [--switch auto|N] [--switch-noise continuous|fresh]
 *        [--low-time snr|same] [--threads N] [--out DIR]
 * </pre>
 * The rank analysis's C2F curve switches as the searches do (by default a noise-continuous switch and
 * the low phase at SNR-matched times).
 * {@code --threads} (TFLite interpreter threads) defaults to the CPU count.
 * {@code --switch auto} takes the switch time step recommended by a rank analysis (32 seeds, 50
 * uniform steps; see {@link RankAnalysis}) and converts it to each K's uniform start.
 * {@code --budget-s} bounds each search's wall clock (the best plan so far is kept; results then
 * depend on machine speed), {@code --max-evaluations} its candidate count (deterministic).
 * {@code --baselines true} (default) also writes, per K, the uniform and quadratic full-resolution
 * schedules and the C2F uniform start with their measured calibration and held-out losses, so a
 * catalog carries its own comparison. References are read from and written to
 * {@code --reference-cache} (default {@code ~/.cache/c2f/references}; see {@link ReferenceStore}).
 */
public final class ScheduleTool {
    private static final Set<String> SEARCH_OPTIONS = Set.of("model", "k", "mode", "switch", "switch-method",
            "switch-noise", "low-time", "interpolation", "reference-steps", "calibration", "heldout", "heldout-first",
            "budget-s", "start-shifts", "min-move", "max-evaluations", "baselines",
            "threads", "reference-cache", "out");
    private static final Set<String> RANK_OPTIONS = Set.of("model", "seeds", "steps", "switch", "switch-noise",
            "low-time", "threads", "out");

    private ScheduleTool() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command; returns the exit code (0 ok, 2 usage error, 1 failure). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || !(args[0].equals("search") || args[0].equals("rank"))) {
            err.println("usage: ScheduleTool search|rank [options]  (see the class javadoc)");
            return 2;
        }
        try {
            Map<String, String> o = options(Arrays.copyOfRange(args, 1, args.length),
                    args[0].equals("search") ? SEARCH_OPTIONS : RANK_OPTIONS);
            DenoiserSource source = DenoiserSource.forModel(o.getOrDefault("model", "synthetic"),
                    intOption(o, "threads", DenoiserSource.defaultThreads()));
            Path outDir = Path.of(o.getOrDefault("out", "schedules-out"));
            Files.createDirectories(outDir);
            try (Denoiser denoiser = source.open()) {
                if (args[0].equals("search")) {
                    search(o, source, denoiser, outDir, out);
                } else {
                    rank(o, source, denoiser, outDir, out);
                }
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException | DenoiserException | RuntimeException e) {
            err.println("failed: " + e);
            return 1;
        }
    }

    static Map<String, String> options(String[] args, Set<String> known) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
            }
            String key = args[i].substring(2);
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key + "; known: " + known);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option --" + key + " needs a value");
            }
            o.put(key, args[++i]);
        }
        return o;
    }

    private static long longOption(Map<String, String> o, String key, long dflt) {
        String v = o.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be an integer, got '" + v + "'");
        }
    }

    private static int intOption(Map<String, String> o, String key, int dflt) {
        long v = longOption(o, key, dflt);
        if (v != (int) v) {
            throw new IllegalArgumentException("--" + key + " must be an integer, got '" + o.get(key) + "'");
        }
        return (int) v;
    }

    private static Resolution lowOf(DenoiserSource source) {
        return source.lowResolution().orElseThrow(() -> new IllegalArgumentException(
                "model " + source + " has no low resolution: C2F is not possible"));
    }

    private static void search(Map<String, String> o, DenoiserSource source, Denoiser denoiser, Path outDir,
                               PrintStream out) throws DenoiserException, IOException {
        String ks = o.get("k");
        if (ks == null) {
            throw new IllegalArgumentException("search needs --k, e.g. --k 4,6,8");
        }
        int[] steps;
        try {
            steps = Arrays.stream(ks.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--k must be a comma-separated list of integers, got '" + ks + "'");
        }
        int trainSteps = source.noiseSchedule().trainTimesteps();
        for (int k : steps) {
            if (k < 1 || k > trainSteps) {
                throw new IllegalArgumentException(k < 1 ? "step count K must be >= 1, got " + k
                        : "step count K = " + k + " is larger than the model's T = " + trainSteps);
            }
        }
        String mode = o.getOrDefault("mode", "both");
        if (!List.of("full", "c2f", "both").contains(mode)) {
            throw new IllegalArgumentException("--mode must be full, c2f or both, got '" + mode + "'");
        }
        SwitchMethod method = switch (o.getOrDefault("switch-method", "upsample-xt")) {
            case "renoise" -> SwitchMethod.RENOISE_X0;
            case "upsample-xt" -> SwitchMethod.UPSAMPLE_XT_VARIANCE_CORRECTED;
            default -> throw new IllegalArgumentException("--switch-method must be renoise or upsample-xt");
        };
        Interpolation interpolation = switch (o.getOrDefault("interpolation", "nearest")) {
            case "nearest" -> Interpolation.NEAREST;
            case "bilinear" -> Interpolation.BILINEAR;
            default -> throw new IllegalArgumentException("--interpolation must be nearest or bilinear");
        };
        SwitchNoise switchNoise = switchNoise(o);
        LowPhaseTime lowTime = lowPhaseTime(o);
        String baselinesOption = o.getOrDefault("baselines", "true");
        if (!baselinesOption.equals("true") && !baselinesOption.equals("false")) {
            throw new IllegalArgumentException("--baselines must be true or false, got '" + baselinesOption + "'");
        }
        boolean baselines = baselinesOption.equals("true");
        TrdConfig defaults = TrdConfig.defaults(); // what an option left out stands for
        TrdConfig cfg = defaults
                .withReferenceSteps(intOption(o, "reference-steps", defaults.referenceSteps()))
                .withSeeds(TrdConfig.seeds(0, intOption(o, "calibration", defaults.calibrationSeeds().length)),
                        TrdConfig.seeds(longOption(o, "heldout-first", TrdConfig.HELDOUT_SEED_BASE),
                                intOption(o, "heldout", defaults.heldoutSeeds().length)))
                .withBudget(Duration.ofSeconds(intOption(o, "budget-s", (int) defaults.budget().toSeconds())))
                .withMaxEvaluations(intOption(o, "max-evaluations", defaults.maxEvaluations()))
                .withStartShifts(intOption(o, "start-shifts", defaults.startShifts()))
                .withMinMove(intOption(o, "min-move", defaults.minMove()));
        TrdSearch search = new TrdSearch(denoiser, source.noiseSchedule(), cfg,
                ReferenceStore.named(o.get("reference-cache")), source.modelSha256());
        int trainT = source.noiseSchedule().trainTimesteps();
        Resolution high = source.highResolution();
        boolean c2f = !mode.equals("full");
        Resolution low = c2f ? lowOf(source) : null;
        String sw = o.getOrDefault("switch", "auto");
        Integer switchTimestep = null;
        if (c2f && sw.equals("auto")) {
            switchTimestep = AutoSwitch.timestep(source, denoiser, out);
        }
        ReferenceFidelity fid = search.fidelity(high);
        for (long[] seeds : List.of(cfg.calibrationSeeds(), cfg.heldoutSeeds())) {
            double before = fid.referenceSeconds();
            int loaded = fid.loadedFromStore();
            fid.reference(seeds);
            out.printf(Locale.ROOT, "reference for %d seeds: %s%n", seeds.length, fid.loadedFromStore() > loaded
                    ? "read from the reference cache"
                    : String.format(Locale.ROOT, "%d-step DDIM, %.1f s", cfg.referenceSteps(),
                            fid.referenceSeconds() - before));
        }
        StringBuilder summary = new StringBuilder("schedule_id,k,switch_index,timesteps,calibration_loss,"
                + "heldout_loss,start_heldout_loss,macs_per_image,search_seconds,evaluations\n");
        for (int k : steps) {
            if (!mode.equals("c2f")) {
                TrdResult r = search.searchFull(k, high, "trd-k" + k + "-full", source.modelSha256(), p -> { });
                report(r, outDir, out, summary);
                if (baselines) {
                    writeBaseline(startSchedule("uniform-k" + k + "-full", SearchMethod.SEARCH_METHOD_UNIFORM, r,
                            denoiser), outDir, out);
                    writeBaseline(measured("quadratic-k" + k + "-full", SearchMethod.SEARCH_METHOD_QUADRATIC,
                            Baselines.quadratic(k, trainT, high, 0f), fid, cfg, denoiser, source.modelSha256()),
                            outDir, out);
                }
            }
            if (c2f) {
                int s = switchTimestep != null
                        ? RankAnalysis.switchIndexFor(Baselines.uniform(k, trainT, high, 0f).timesteps(), switchTimestep)
                        : intOption(o, "switch", 1);
                TrdResult r = search.searchC2f(k, s, low, high, method, interpolation, switchNoise, lowTime,
                        "trd-k" + k + "-c2f", source.modelSha256(), p -> { });
                report(r, outDir, out, summary);
                if (baselines) {
                    writeBaseline(startSchedule("uniform-k" + k + "-c2f", SearchMethod.SEARCH_METHOD_UNIFORM, r,
                            denoiser), outDir, out);
                }
            }
        }
        Files.writeString(outDir.resolve("search-summary.csv"), summary, StandardCharsets.UTF_8);
    }

    /** The start of a search (a baseline) with the losses the search measured for it. */
    private static Schedule startSchedule(String id, SearchMethod method, TrdResult r, Denoiser denoiser) {
        var trd = r.schedule().provenance();
        return new Schedule(id, r.start(), Provenance.newBuilder()
                .setMethod(method)
                .setModelSha256(trd.getModelSha256())
                .setCalibrationLoss(r.startCalibrationLoss())
                .setHeldoutLoss(r.startHeldoutLoss())
                .setMacsPerImage(ReferenceFidelity.macsPerImage(r.start(), denoiser))
                .setCalibrationSeeds(trd.getCalibrationSeeds())
                .setHeldoutSeeds(trd.getHeldoutSeeds())
                .setReferenceSteps(trd.getReferenceSteps())
                .setCreatedAtMs(System.currentTimeMillis())
                .setNotes("start of " + r.schedule().id() + " (" + describe(r.start()) + "), losses measured by "
                        + "that search against the same reference")
                .build());
    }

    /** A fixed plan with its calibration and held-out losses measured now. */
    private static Schedule measured(String id, SearchMethod method, C2fPlan plan, ReferenceFidelity fid,
                                     TrdConfig cfg, Denoiser denoiser, String modelSha256) throws DenoiserException {
        return new Schedule(id, plan, Provenance.newBuilder()
                .setMethod(method)
                .setModelSha256(modelSha256)
                .setCalibrationLoss(fid.loss(plan, cfg.calibrationSeeds()))
                .setHeldoutLoss(fid.loss(plan, cfg.heldoutSeeds()))
                .setMacsPerImage(ReferenceFidelity.macsPerImage(plan, denoiser))
                .setCalibrationSeeds(cfg.calibrationSeeds().length)
                .setHeldoutSeeds(cfg.heldoutSeeds().length)
                .setReferenceSteps(cfg.referenceSteps())
                .setCreatedAtMs(System.currentTimeMillis())
                .setNotes(describe(plan) + ", losses against the " + cfg.referenceSteps() + "-step reference; engine "
                        + denoiser.engine())
                .build());
    }

    private static String describe(C2fPlan p) {
        return (p.hasLowPhase() ? "C2F, switch index " + p.switchIndex() + ", " + p.low() + " -> " + p.high()
                : "full resolution " + p.high()) + ", steps " + Arrays.toString(p.timesteps());
    }

    private static void writeBaseline(Schedule s, Path outDir, PrintStream out) {
        Path file = ScheduleJson.write(outDir, s);
        out.printf(Locale.ROOT, "%s: calibration MSE %.4e, held-out MSE %.4e, %d MACs/image -> %s%n", s.id(),
                s.provenance().getCalibrationLoss(), s.provenance().getHeldoutLoss(),
                s.provenance().getMacsPerImage(), file);
    }

    private static void report(TrdResult r, Path outDir, PrintStream out, StringBuilder summary) {
        Path file = ScheduleJson.write(outDir, r.schedule());
        C2fPlan p = r.plan();
        var prov = r.schedule().provenance();
        out.printf(Locale.ROOT, "%s: steps %s switch %d, calibration MSE %.4e (start %.4e), held-out MSE %.4e "
                        + "(start %.4e), %d MACs/image, search %.1f s (%d evaluations, %d batched calls%s) -> %s%n",
                r.schedule().id(), Arrays.toString(p.timesteps()), p.switchIndex(), r.calibrationLoss(),
                r.startCalibrationLoss(), r.heldoutLoss(), r.startHeldoutLoss(), prov.getMacsPerImage(),
                r.searchSeconds(), r.evaluations(), r.denoiserSteps(), r.stoppedByBudget() ? ", stopped by budget" : "",
                file);
        summary.append(String.format(Locale.ROOT, "%s,%d,%d,%s,%.6e,%.6e,%.6e,%d,%.3f,%d%n", r.schedule().id(),
                p.steps(), p.switchIndex(), Arrays.toString(p.timesteps()).replace(", ", " "), r.calibrationLoss(),
                r.heldoutLoss(), r.startHeldoutLoss(), prov.getMacsPerImage(), r.searchSeconds(), r.evaluations()));
    }

    private static void rank(Map<String, String> o, DenoiserSource source, Denoiser denoiser, Path outDir,
                             PrintStream out) throws DenoiserException, IOException {
        int n = intOption(o, "seeds", RankAnalysis.MIN_SEEDS);
        int k = intOption(o, "steps", 50);
        int trainT = source.noiseSchedule().trainTimesteps();
        RankAnalysis ra = new RankAnalysis(denoiser, source.noiseSchedule());
        long[] seeds = TrdConfig.seeds(AutoSwitch.RANK_SEED_BASE, n);
        RankCurve full = ra.analyse("full", Baselines.uniform(k, trainT, source.highResolution(), 0f), seeds);
        int s = RankAnalysis.recommendedSwitchIndex(full);
        int ts = RankAnalysis.recommendedSwitchTimestep(full);
        List<RankCurve> curves = List.of(full);
        if (source.lowResolution().isPresent()) {
            String sw = o.getOrDefault("switch", "auto");
            int c2fSwitch = sw.equals("auto") ? s : intOption(o, "switch", s);
            curves = List.of(full, ra.analyse("c2f", Baselines.c2fUniform(k, trainT, c2fSwitch,
                    source.lowResolution().get(), source.highResolution(), Baselines.DEFAULT_SWITCH_METHOD,
                    Interpolation.NEAREST, 0f).withSwitch(Baselines.DEFAULT_SWITCH_METHOD, Interpolation.NEAREST,
                    switchNoise(o), lowPhaseTime(o)), seeds));
        }
        Files.writeString(outDir.resolve("rank.csv"), RankReport.csv(curves), StandardCharsets.UTF_8);
        Files.write(outDir.resolve("rank.png"), RankReport.png(curves, trainT, ts,
                "PCA rank along the trajectory: " + source + ", N = " + n + ", " + k + " uniform steps"));
        out.printf(Locale.ROOT, "recommended switch: index %d of %d uniform steps, t = %d; wrote %s and %s%n", s, k,
                ts, outDir.resolve("rank.csv"), outDir.resolve("rank.png"));
    }

    private static SwitchNoise switchNoise(Map<String, String> o) {
        return switch (o.getOrDefault("switch-noise", "continuous")) {
            case "continuous" -> SwitchNoise.CONTINUOUS;
            case "fresh" -> SwitchNoise.FRESH;
            default -> throw new IllegalArgumentException("--switch-noise must be continuous or fresh");
        };
    }

    private static LowPhaseTime lowPhaseTime(Map<String, String> o) {
        return switch (o.getOrDefault("low-time", "snr")) {
            case "same" -> LowPhaseTime.SAME;
            case "snr" -> LowPhaseTime.SNR_MATCHED;
            default -> throw new IllegalArgumentException("--low-time must be same or snr");
        };
    }
}
