package io.c2f.controller.catalog;

import io.c2f.controller.model.ModelException;
import io.c2f.controller.model.ModelRecord;
import io.c2f.schedules.Schedule;
import io.c2f.schedules.ScheduleFormatException;
import io.c2f.schedules.ScheduleJson;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks schedules against a model before they enter its catalog: time steps within its T,
 * resolutions it has; MACs per image filled from the model when the provenance has none.
 */
public final class ScheduleCatalog {
    private ScheduleCatalog() {
    }

    /** Reads every {@code *.json} of a catalog directory (ScheduleJson format) and checks them against the model. */
    public static List<CatalogEntry> readCatalog(ModelRecord model, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelException("catalog directory " + dir + " does not exist");
        }
        List<Schedule> schedules;
        try {
            schedules = ScheduleJson.readCatalog(dir);
        } catch (ScheduleFormatException | UncheckedIOException e) {
            throw new ModelException(e.getMessage(), e);
        }
        List<CatalogEntry> out = new ArrayList<>();
        for (Schedule s : schedules) {
            out.add(entry(model, s));
        }
        return out;
    }

    /** Parses one schedule in the catalog JSON format. */
    public static CatalogEntry parse(ModelRecord model, String json, String source) {
        try {
            return entry(model, ScheduleJson.parse(json, source));
        } catch (ScheduleFormatException e) {
            throw new ModelException(e.getMessage(), e);
        }
    }

    /**
     * Checks a schedule against the model (time steps within T, resolutions the model has) and
     * fills MACs per image from the model when the provenance has none.
     */
    public static CatalogEntry entry(ModelRecord model, Schedule s) {
        try {
            s.plan().validateFor(model.trainTimesteps(), model.resolutions());
        } catch (RuntimeException e) {
            throw new ModelException("schedule " + s.id() + " does not fit model " + model.id() + ": " + e.getMessage(), e);
        }
        int low = s.plan().switchIndex();
        int high = s.plan().steps() - low;
        long macs = s.provenance().getMacsPerImage();
        if (macs == 0) {
            long lowMacs = low == 0 ? 0 : model.macsPerForward().getOrDefault(s.plan().low(), 0L);
            long highMacs = model.macsPerForward().getOrDefault(s.plan().high(), 0L);
            macs = low * lowMacs + high * highMacs;
            s = s.withProvenance(s.provenance().toBuilder().setMacsPerImage(macs).build());
        }
        return new CatalogEntry(model.id(), s.id(), low, high, s.provenance().getHeldoutLoss(), macs,
                s.provenance().getMethod().name(), s);
    }
}
