package io.c2f.schedules.bench;

import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.quality.BoundedDistance;
import io.c2f.models.quality.DetailMeasures;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.c2f.Interpolation;
import io.c2f.models.c2f.SwitchMethod;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.tensor.Resolution;
import io.c2f.schedules.Baselines;
import io.c2f.models.engine.DenoiserSource;
import io.c2f.schedules.frontier.FrontierPoint;
import io.c2f.schedules.frontier.FrontierTable;
import io.c2f.schedules.frontier.Measure;
import io.c2f.schedules.rank.RankAnalysis;
import io.c2f.schedules.trd.AutoSwitch;
import io.c2f.schedules.trd.ReferenceStore;
import io.c2f.schedules.trd.ReferenceFidelity;
import io.c2f.schedules.trd.ReferenceFidelity.Fidelity;
import io.c2f.schedules.trd.TrdConfig;
import io.c2f.schedules.trd.TrdResult;
import io.c2f.schedules.trd.TrdSearch;
import io.c2f.schedules.Schedule;
import io.c2f.schedules.ScheduleJson;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * Fidelity and cost of schedules on held-out seeds (not a test):
 * {@code ScheduleBenchmark [--model synthetic] [--k 4,6,8,10,15,20] [--heldout 64] [--reference-steps 100]
 * [--switch-method renoise|upsample-xt] [--budget-s 600] [--max-evaluations N] [--threads N (default: the CPU count)]
 * [--reference-cache DIR|none] [--catalog DIR] [--frontier-k 3-20|3,5,7] [--data PREPARED_DIR]
 * [--annotate-catalog true] [--reuse-catalog-scores true]}.
 * For each K: uniform, quadratic, TRD (full resolution), C2F with uniform steps and C2F + TRD (the
 * C2F switch from the rank analysis, converted to each K), each with MSE and PSNR against the
 * many-step reference from the same noise, MACs per image (and as a share of the 100-step
 * full-resolution sampler's) and, for TRD, the search time. Without {@code --catalog} the TRD
 * schedules are searched here; with it they (and the C2F uniform starts) are read from a catalog
 * written by {@code ScheduleTool search} for the same model, and the search time shown is the one
 * recorded in their provenance. Either way every fidelity number is measured here. With {@code --data}
 * (a directory written by {@code PrepareData}: {@code train-32x32.c2fd}, {@code heldout-32x32.c2fd}) each
 * schedule also draws as many samples as there are held-out images and is scored on what fidelity
 * cannot say: the shape/detail Fréchet distance to the held-out images ({@code MultiScaleFrechet}, with
 * its floor and ceiling printed once) and the detail ratios ({@code DetailRatio}). With {@code --catalog},
 * {@code --data} and {@code --annotate-catalog true} those measures are also written into each catalog
 * file whose plan was scored ({@code provenance.sample_quality}), for the controller to show. With
 * {@code --reuse-catalog-scores true} a schedule whose catalog file already carries them (same plan) is not
 * sampled again: its held-out loss and sample quality are read from the file (what {@code
 * --annotate-catalog} wrote), so a frontier run over more K only pays for what is new.
 *
 * <p>After the per-K table, the frontier table: every schedule of the run sorted by MACs per image,
 * each quality measure of {@link #MEASURES} with {@code *} where the schedule is Pareto-optimal for it
 * (no other schedule of the run is at least as good with no more MACs, see {@code ParetoFrontier}):
 * schedules are compared at equal cost, not at equal K. {@code --frontier-k} adds full-resolution
 * TRD for more K (a range {@code 3-20} or a list) to the table and to the frontier; it is off by
 * default because each extra K is one more TRD search (up to {@code --budget-s}) unless {@code
 * --catalog} has it (a K the catalog lacks is searched here). K already in {@code --k} is not repeated.
 */
public final class ScheduleBenchmark {
    /** A quality measure of the frontier table and how it is read off a schedule's scores. */
    private record BenchMeasure(FrontierTable.Column column, ToDoubleFunction<QualityScorer.Scores> value) {
    }

    /** The frontier's measures, one column each: a new measure is one more entry. */
    private static final List<BenchMeasure> MEASURES = List.of(
            new BenchMeasure(new FrontierTable.Column(Measure.higherIsBetter("PSNR dB"), "%.2f"),
                    s -> s.fidelity().psnr()),
            new BenchMeasure(new FrontierTable.Column(Measure.lowerIsBetter("held-out MSE"), "%.4e"),
                    s -> s.fidelity().mse()));

    /**
     * With {@code --data}: (b) the shape/detail Fréchet distance to the held-out images and (c) the
     * detail ratios (samples / held-out), best at 1: below 1 the samples miss detail, above 1 they
     * carry noise that real images do not have (quadratic spacing at K = 2 reaches 4).
     */
    private static final List<BenchMeasure> DATA_MEASURES = List.of(
            new BenchMeasure(new FrontierTable.Column(Measure.lowerIsBetter("shape/detail Frechet"), "%.3f"),
                    QualityScorer.Scores::shapeDetailFrechet),
            new BenchMeasure(new FrontierTable.Column(Measure.closerToOneIsBetter("Laplacian ratio"), "%.3f"),
                    s -> s.detail().laplacianRatio()),
            new BenchMeasure(new FrontierTable.Column(Measure.closerToOneIsBetter("high-frequency ratio"), "%.3f"),
                    s -> s.detail().highFrequencyRatio()));

    /**
     * What a run reads from and writes to the catalog besides the schedules: the stored scores that stand
     * in for measuring again ({@code reuseFrom}, with --reuse-catalog-scores) and where measured sample
     * quality is written back ({@code annotator}, with --annotate-catalog); either may be null.
     */
    private record CatalogScores(Path reuseFrom, CatalogAnnotator annotator) {
    }

    private ScheduleBenchmark() {
    }

    /** {@code 3-20} (inclusive) or {@code 3,5,7}. */
    static int[] parseKs(String spec) {
        if (spec.matches("\\d+-\\d+")) {
            String[] ends = spec.split("-");
            return IntStream.rangeClosed(Integer.parseInt(ends[0]), Integer.parseInt(ends[1])).toArray();
        }
        try {
            return Arrays.stream(spec.split(",")).mapToInt(Integer::parseInt).distinct().toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("K list '" + spec + "' is neither a range such as 3-20 nor a list "
                    + "such as 4,6,8", e);
        }
    }

    public static void main(String[] args) throws Exception {
        java.util.Map<String, String> o = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int[] ks = parseKs(o.getOrDefault("k", "4,6,8,10,15,20"));
        int[] frontierKs = o.containsKey("frontier-k") ? IntStream.of(parseKs(o.get("frontier-k")))
                .filter(k -> IntStream.of(ks).noneMatch(x -> x == k)).toArray() : new int[0];
        int heldoutN = Integer.parseInt(o.getOrDefault("heldout", "64"));
        int refSteps = Integer.parseInt(o.getOrDefault("reference-steps", "100"));
        SwitchMethod method = o.getOrDefault("switch-method", "upsample-xt").equals("renoise") ? SwitchMethod.RENOISE_X0
                : Baselines.DEFAULT_SWITCH_METHOD;
        DenoiserSource source = DenoiserSource.forModel(o.getOrDefault("model", "synthetic"),
                o.containsKey("threads") ? Integer.parseInt(o.get("threads")) : DenoiserSource.defaultThreads());
        Path catalog = o.containsKey("catalog") ? Path.of(o.get("catalog")) : null;
        int trainT = source.noiseSchedule().trainTimesteps();
        Resolution high = source.highResolution();
        Resolution low = source.lowResolution().orElse(null);
        long[] heldout = TrdConfig.seeds(TrdConfig.HELDOUT_SEED_BASE, heldoutN);
        TrdConfig cfg = TrdConfig.defaults().withReferenceSteps(refSteps)
                .withSeeds(TrdConfig.seeds(0, 16), heldout)
                .withBudget(Duration.ofSeconds(Integer.parseInt(o.getOrDefault("budget-s", "600"))))
                .withMaxEvaluations(Integer.parseInt(o.getOrDefault("max-evaluations",
                        Integer.toString(Integer.MAX_VALUE))));
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        System.out.printf(Locale.ROOT, "%s UTC, %d CPUs, load average %.2f%n", Instant.now(),
                os.getAvailableProcessors(), os.getSystemLoadAverage());
        try (Denoiser d = source.open()) {
            TrdSearch search = new TrdSearch(d, source.noiseSchedule(), cfg,
                    ReferenceStore.named(o.get("reference-cache")), source.modelSha256());
            ReferenceFidelity fid = search.fidelity(high);
            long t0 = System.nanoTime();
            fid.reference(heldout);
            long macs100 = ReferenceFidelity.macsPerImage(Baselines.uniform(100, trainT, high, 0f), d);
            System.out.printf(Locale.ROOT, "model %s (%s), T = %d, high %s, low %s, switch method %s%n", source,
                    d.engine(), trainT, high, low, method);
            System.out.printf(Locale.ROOT, "reference: %d-step full-resolution DDIM, %d MACs/image; %d held-out seeds "
                    + "(%s), 16 calibration seeds%n", refSteps,
                    ReferenceFidelity.macsPerImage(fid.referencePlan(), d), heldoutN, fid.loadedFromStore() > 0
                            ? "read from the reference cache"
                            : String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - t0) / 1e9));
            System.out.printf(Locale.ROOT, "100-step full-resolution sampler: %d MACs/image%n", macs100);
            QualityScorer.RealImages real = o.containsKey("data") ? QualityScorer.RealImages.load(Path.of(o.get("data"))) : null;
            QualityScorer scorer = new QualityScorer(fid, heldout, new C2fExecutor(d, source.noiseSchedule()), real);
            boolean annotate = Boolean.parseBoolean(o.getOrDefault("annotate-catalog", "false"));
            Path reuseFrom = Boolean.parseBoolean(o.getOrDefault("reuse-catalog-scores", "false")) ? catalog : null;
            if (reuseFrom != null) {
                System.out.println("scores of catalog schedules that carry sample quality: read from their files "
                        + "(--reuse-catalog-scores), marked 'stored' after the search s column");
            }
            if (annotate && (catalog == null || real == null)) {
                throw new IllegalArgumentException("--annotate-catalog needs --catalog DIR and --data DIR");
            }
            CatalogAnnotator annotator = null; // where sample quality is written back, with --annotate-catalog
            if (real != null) {
                // the floor set: as many training images as held-out ones, scored as a sampler would be
                int n = real.heldout().batch();
                long seed = QualityScorer.SAMPLE_SEED_BASE;
                ImageBatch floorSet = BoundedDistance.sample(real.train(), n, seed);
                double floor = real.frechet().distance(floorSet, real.heldout());
                BoundedDistance bounds = new BoundedDistance("shape/detail Frechet", floor, floor,
                        BoundedDistance.ceiling(real.frechet(), real.heldout(), TrdConfig.seeds(seed, n)));
                if (annotate) {
                    annotator = new CatalogAnnotator(catalog, bounds.floor(), bounds.ceiling(),
                            real.sampleSeeds().length, real.sampleSeeds()[0], Path.of(o.get("data")).getFileName()
                                    + " heldout-32x32 (" + n + " images)");
                }
                System.out.printf(Locale.ROOT, "distribution measures: %d samples per schedule (seeds %d..) against the"
                        + " %d held-out images of %s; shape/detail Frechet = multi-scale PCA-64 (axes from the %d"
                        + " training images; not FID): %s; detail ratios = samples / held-out, %d training images:"
                        + " %s%n", real.sampleSeeds().length, seed, n, o.get("data"), real.train().batch(),
                        bounds, n,
                        DetailMeasures.of(floorSet).relativeTo(real.heldoutDetail()));
            }
            CatalogScores catalogScores = new CatalogScores(reuseFrom, annotator);
            Integer switchT = low == null || catalog != null ? null
                    : AutoSwitch.timestep(source, d, System.out);
            System.out.println(catalog == null ? "TRD: searched here (search s = wall clock of the local search)"
                    : "TRD and C2F uniform: read from " + catalog + " (search s = as recorded in the provenance)");
            System.out.println("| K | schedule | switch | held-out MSE | PSNR dB | MACs/image | vs 100-step | search s "
                    + "| time steps |" + scorer.headerColumns());
            System.out.println("|---|---|---|---|---|---|---|---|---|" + scorer.separatorColumns());
            List<FrontierPoint> points = new ArrayList<>();
            for (int k : ks) {
                points.add(row(k, "uniform", "uniform-k" + k + "-full", Baselines.uniform(k, trainT, high, 0f),
                        scorer, catalogScores, Double.NaN, macs100));
                points.add(row(k, "quadratic", "quadratic-k" + k + "-full", Baselines.quadratic(k, trainT, high, 0f),
                        scorer, catalogScores, Double.NaN, macs100));
                points.add(trdFull(k, catalog, source, search, high, scorer, catalogScores, macs100, true));
                if (low != null && k >= 2) {
                    if (catalog != null) {
                        points.add(row(k, "C2F uniform", "uniform-k" + k + "-c2f", fromCatalog(catalog,
                                "uniform-k" + k + "-c2f", source).plan(), scorer, catalogScores, Double.NaN, macs100));
                        Schedule c2fTrd = fromCatalog(catalog, "trd-k" + k + "-c2f", source);
                        points.add(row(k, "C2F + TRD", c2fTrd.id(), c2fTrd.plan(), scorer, catalogScores,
                                c2fTrd.provenance().getSearchSeconds(), macs100));
                    } else {
                        C2fPlan c2f = Baselines.c2fUniform(k, trainT, RankAnalysis.switchIndexFor(
                                Baselines.uniform(k, trainT, high, 0f).timesteps(), switchT), low, high, method,
                                Interpolation.NEAREST, 0f);
                        points.add(row(k, "C2F uniform", "uniform-k" + k + "-c2f", c2f, scorer, catalogScores,
                                Double.NaN, macs100));
                        TrdResult c2fTrd = search.search(c2f, "trd-k" + k + "-c2f", source.modelSha256(), null);
                        points.add(row(k, "C2F + TRD", "trd-k" + k + "-c2f", c2fTrd.plan(), scorer, catalogScores,
                                c2fTrd.searchSeconds(), macs100));
                    }
                }
            }
            for (int k : frontierKs) {
                points.add(trdFull(k, catalog, source, search, high, scorer, catalogScores, macs100, false));
            }
            System.out.println();
            System.out.println("Frontier: every schedule above by MACs/image; * = Pareto-optimal for that measure "
                    + "(no other schedule here is at least as good with no more MACs)");
            System.out.println();
            System.out.print(FrontierTable.markdown(points, measures(scorer).stream().map(BenchMeasure::column)
                    .toList()));
        }
        System.out.printf(Locale.ROOT, "%s UTC, load average %.2f%n", Instant.now(), os.getSystemLoadAverage());
    }

    /**
     * Full-resolution TRD for K: from the catalog when given (required for the main K list, else
     * searched here when the catalog lacks it) or searched here.
     */
    private static FrontierPoint trdFull(int k, Path catalog, DenoiserSource source, TrdSearch search, Resolution high,
                                         QualityScorer scorer, CatalogScores catalogScores, long macs100,
                                         boolean catalogRequired)
            throws Exception {
        String id = "trd-k" + k + "-full";
        if (catalog != null && (catalogRequired || Files.isRegularFile(catalog.resolve(id + ".json")))) {
            Schedule trd = fromCatalog(catalog, id, source);
            return row(k, "TRD", id, trd.plan(), scorer, catalogScores, trd.provenance().getSearchSeconds(), macs100);
        }
        TrdResult trd = search.searchFull(k, high, id, source.modelSha256(), null);
        return row(k, catalog == null ? "TRD" : "TRD (searched here)", id, trd.plan(), scorer, catalogScores,
                trd.searchSeconds(), macs100);
    }

    private static Schedule fromCatalog(Path dir, String id, DenoiserSource source) {
        Path file = dir.resolve(id + ".json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("catalog " + dir + " has no " + id + ".json (run ScheduleTool search "
                    + "for this K and mode first)");
        }
        Schedule s = ScheduleJson.read(file);
        if (!s.provenance().getModelSha256().equals(source.modelSha256())) {
            throw new IllegalArgumentException(file + " was searched on model " + s.provenance().getModelSha256()
                    + ", not on " + source + " (" + source.modelSha256() + ")");
        }
        return s;
    }

    private static List<BenchMeasure> measures(QualityScorer scorer) {
        if (!scorer.hasRealImages()) {
            return MEASURES;
        }
        List<BenchMeasure> all = new ArrayList<>(MEASURES);
        all.addAll(DATA_MEASURES);
        return all;
    }

    private static FrontierPoint row(int k, String name, String id, C2fPlan plan, QualityScorer scorer,
                                     CatalogScores catalogScores, double searchS, long macs100) throws Exception {
        Optional<QualityScorer.Scores> stored = catalogScores.reuseFrom() == null || !scorer.hasRealImages()
                ? Optional.empty() : CatalogAnnotator.stored(catalogScores.reuseFrom(), id, plan);
        QualityScorer.Scores sc = stored.isPresent() ? stored.get() : scorer.score(plan);
        Fidelity f = sc.fidelity();
        String searchCell = ((Double.isNaN(searchS) ? "" : String.format(Locale.ROOT, "%.1f", searchS))
                + (stored.isPresent() ? " stored" : "")).strip();
        System.out.printf(Locale.ROOT, "| %d | %s | %d | %.4e | %.2f | %d | %.1f%% | %s | %s |%s%n", k, name,
                plan.switchIndex(), f.mse(), f.psnr(), f.macsPerImage(), 100.0 * f.macsPerImage() / macs100,
                searchCell, Arrays.toString(plan.timesteps()), sc.distributionColumns());
        if (catalogScores.annotator() != null && stored.isEmpty()) {
            catalogScores.annotator().annotate(id, plan, sc).ifPresent(file -> System.out.println(
                    "  (sample quality written to " + file + ")"));
        }
        FrontierPoint p = FrontierPoint.of(id, f.macsPerImage());
        for (BenchMeasure m : measures(scorer)) {
            p = p.with(m.column().measure(), m.value().applyAsDouble(sc));
        }
        return p;
    }
}
