package io.c2f.schedules.bench;

import io.c2f.models.c2f.C2fExecutor;
import io.c2f.models.c2f.C2fPlan;
import io.c2f.models.c2f.C2fResult;
import io.c2f.models.diffusion.Denoiser;
import io.c2f.models.image.ImageGrid;
import io.c2f.models.tensor.ImageBatch;
import io.c2f.schedules.Baselines;
import io.c2f.schedules.Schedule;
import io.c2f.schedules.ScheduleJson;
import io.c2f.models.engine.DenoiserSource;
import io.c2f.schedules.trd.TrdConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Samples of several catalog schedules from the same seeds, one row per schedule, in one PNG (not a
 * test): {@code SampleGrid --model FILE.tflite --catalog DIR --ids a,b,c [--seeds 8]
 * [--first 1000000] [--reference-steps 100] --out FILE.png}. The first row is the many-step
 * full-resolution reference; the rows after it are the schedules in the order given, so schedules
 * of equal MACs can be looked at side by side. Prints each row's schedule and MACs per image.
 */
public final class SampleGrid {
    private SampleGrid() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        for (String required : List.of("model", "catalog", "ids", "out")) {
            if (!o.containsKey(required)) {
                throw new IllegalArgumentException("--" + required + " is required");
            }
        }
        DenoiserSource source = DenoiserSource.forModel(o.get("model"),
                o.containsKey("threads") ? Integer.parseInt(o.get("threads")) : DenoiserSource.defaultThreads());
        Path catalog = Path.of(o.get("catalog"));
        int n = Integer.parseInt(o.getOrDefault("seeds", "8"));
        long[] seeds = TrdConfig.seeds(Long.parseLong(o.getOrDefault("first", "1000000")), n);
        int refSteps = Integer.parseInt(o.getOrDefault("reference-steps", "100"));
        List<String> labels = new ArrayList<>();
        List<C2fPlan> plans = new ArrayList<>();
        labels.add(refSteps + "-step full-resolution reference");
        plans.add(Baselines.uniform(refSteps, source.noiseSchedule().trainTimesteps(), source.highResolution(), 0f));
        for (String id : o.get("ids").split(",")) {
            Path file = catalog.resolve(id.trim() + ".json");
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("catalog " + catalog + " has no " + id.trim() + ".json");
            }
            Schedule s = ScheduleJson.read(file);
            labels.add(s.id());
            plans.add(s.plan());
        }
        try (Denoiser d = source.open()) {
            C2fExecutor executor = new C2fExecutor(d, source.noiseSchedule());
            List<ImageBatch> rows = new ArrayList<>();
            for (int i = 0; i < plans.size(); i++) {
                C2fResult r = executor.run(plans.get(i), seeds);
                rows.add(r.images());
                System.out.printf(Locale.ROOT, "row %d: %s, %d MACs/image%n", i + 1, labels.get(i),
                        r.totalMacs() / n);
            }
            ImageBatch all = concat(rows);
            Path out = Path.of(o.get("out"));
            Files.write(out, ImageGrid.png(all, rows.size(), n, 2));
            System.out.println("wrote " + out + " (" + rows.size() + " rows x " + n + " seeds from " + seeds[0] + ")");
        }
    }

    private static ImageBatch concat(List<ImageBatch> batches) {
        ImageBatch first = batches.get(0);
        int size = first.data().length;
        float[] data = new float[size * batches.size()];
        for (int i = 0; i < batches.size(); i++) {
            System.arraycopy(batches.get(i).data(), 0, data, i * size, size);
        }
        return new ImageBatch(data, first.batch() * batches.size(), first.resolution(), first.channels());
    }
}
