package io.c2f.controller.retune;

import io.c2f.controller.catalog.CatalogEntry;
import io.c2f.schedules.frontier.FrontierPoint;
import io.c2f.schedules.frontier.Measure;
import io.c2f.schedules.frontier.ParetoFrontier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The schedules of a catalog the retuner may choose: every one that no other beats on the catalog's
 * primary quality measure with no more MACs per image ({@link ParetoFrontier}).
 *
 * <p>The primary measure is the held-out loss ({@code provenance.heldoutLoss}: MSE to the many-step
 * reference on held-out seeds, lower is better), the one every searched entry carries, measured the
 * same way for each. An entry takes part in the frontier only when it has both a measured loss (&gt; 0)
 * and MACs (&gt; 0): one without (a model-independent baseline, a model without MACs) neither dominates
 * nor is dominated, so it stays choosable, ranked by {@link CatalogEntry#BEST_FIRST} after every
 * measured entry as before.
 */
final class CatalogFrontier {
    static final Measure HELDOUT_LOSS = Measure.lowerIsBetter("held-out loss");

    private final List<CatalogEntry> choosable;
    private final Map<String, CatalogEntry> dominatedBy;

    private CatalogFrontier(List<CatalogEntry> choosable, Map<String, CatalogEntry> dominatedBy) {
        this.choosable = choosable;
        this.dominatedBy = dominatedBy;
    }

    static CatalogFrontier of(List<CatalogEntry> catalog) {
        Map<String, CatalogEntry> byId = new HashMap<>();
        List<FrontierPoint> points = new ArrayList<>();
        for (CatalogEntry e : catalog) {
            if (measured(e)) {
                byId.put(e.scheduleId(), e);
                points.add(FrontierPoint.of(e.scheduleId(), e.macsPerImage()).with(HELDOUT_LOSS, e.heldoutLoss()));
            }
        }
        ParetoFrontier frontier = ParetoFrontier.of(HELDOUT_LOSS, points);
        Map<String, CatalogEntry> dominatedBy = new HashMap<>();
        for (FrontierPoint p : points) {
            frontier.dominator(p.scheduleId())
                    .ifPresent(d -> dominatedBy.put(p.scheduleId(), byId.get(d.scheduleId())));
        }
        return new CatalogFrontier(catalog.stream().filter(e -> !dominatedBy.containsKey(e.scheduleId())).toList(),
                dominatedBy);
    }

    static boolean measured(CatalogEntry e) {
        return e.heldoutLoss() > 0 && e.macsPerImage() > 0;
    }

    /** The catalog without its dominated entries, in catalog order. */
    List<CatalogEntry> choosable() {
        return choosable;
    }

    Optional<CatalogEntry> dominator(CatalogEntry e) {
        return Optional.ofNullable(dominatedBy.get(e.scheduleId()));
    }

    /**
     * For a reason: "; X refused: ..." when {@code wouldPick} (what the choice over the whole catalog
     * would have been) is dominated, else "".
     */
    String refusal(Optional<CatalogEntry> wouldPick) {
        return wouldPick.flatMap(e -> dominator(e).map(d -> String.format(Locale.ROOT,
                "; %s refused: %s has no more MACs (%d vs %d) and is at least as good on the held-out loss "
                        + "(%.4g vs %.4g)", e.scheduleId(), d.scheduleId(), d.macsPerImage(), e.macsPerImage(),
                d.heldoutLoss(), e.heldoutLoss()))).orElse("");
    }
}
