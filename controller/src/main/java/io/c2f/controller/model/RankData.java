package io.c2f.controller.model;

import io.c2f.models.tensor.Resolution;
import io.c2f.schedules.rank.RankAnalysis;
import io.c2f.schedules.rank.RankCurve;
import io.c2f.schedules.rank.RankPoint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rank analysis as the schedules tool writes it ({@code ScheduleTool rank} → {@code rank.csv},
 * {@link io.c2f.schedules.rank.RankReport#csv}), read back into curves, with the switch time step
 * to mark: the one given with the report, else the rank rule's recommendation on the full-resolution
 * curve ({@link RankAnalysis#recommendedSwitchTimestep}), none when that curve is flat.
 *
 * @param switchTimestep the marked switch, or null (flat curve, no signal)
 * @param switchSource GIVEN, RECOMMENDED or FLAT
 */
record RankData(List<RankCurve> curves, Integer switchTimestep, String switchSource) {
    static final String HEADER = "trajectory,step,timestep,resolution,x0_rank95,x0_rank99,xt_rank95,xt_rank99,seeds";
    static final int MAX_BYTES = 1 << 20;

    public RankData {
        curves = List.copyOf(curves);
    }

    /**
     * Parses the CSV; {@code givenSwitch} (may be null) overrides the recommendation and must lie in
     * the range of the curves' time steps.
     *
     * @throws ModelException naming the line and column that is wrong
     */
    public static RankData parse(String csv, Integer givenSwitch) {
        if (csv == null || csv.isBlank()) {
            throw new ModelException("rank report is empty: expected the CSV of 'ScheduleTool rank' (header "
                    + HEADER + ")");
        }
        if (csv.length() > MAX_BYTES) {
            throw new ModelException("rank report has " + csv.length() + " characters; at most " + MAX_BYTES);
        }
        String[] lines = csv.strip().split("\r?\n");
        if (!lines[0].strip().equals(HEADER)) {
            throw new ModelException("rank report line 1 must be the header '" + HEADER + "', got '" + lines[0] + "'");
        }
        Map<String, List<RankPoint>> points = new LinkedHashMap<>();
        Map<String, Integer> seeds = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",", -1);
            int n = i + 1;
            if (f.length != 9) {
                throw new ModelException("rank report line " + n + " has " + f.length + " fields, expected 9 ("
                        + HEADER + ")");
            }
            String label = f[0];
            if (!label.matches("[A-Za-z0-9._-]{1,32}")) {
                throw new ModelException("rank report line " + n + ": trajectory '" + label
                        + "' must be 1-32 characters of [A-Za-z0-9._-]");
            }
            Resolution res = resolution(f[3], n);
            RankPoint p = new RankPoint(integer(f[1], "step", n), integer(f[2], "timestep", n), res,
                    integer(f[4], "x0_rank95", n), integer(f[5], "x0_rank99", n), integer(f[6], "xt_rank95", n),
                    integer(f[7], "xt_rank99", n));
            int s = integer(f[8], "seeds", n);
            Integer before = seeds.putIfAbsent(label, s);
            if (before != null && before != s) {
                throw new ModelException("rank report line " + n + ": trajectory '" + label + "' has seeds " + s
                        + " but " + before + " on an earlier line");
            }
            points.computeIfAbsent(label, k -> new ArrayList<>()).add(p);
        }
        if (points.isEmpty()) {
            throw new ModelException("rank report has a header but no rows");
        }
        List<RankCurve> curves = new ArrayList<>();
        points.forEach((label, pts) -> curves.add(new RankCurve(label, null, seeds.get(label), pts)));
        int minT = Integer.MAX_VALUE;
        int maxT = Integer.MIN_VALUE;
        for (RankCurve c : curves) {
            for (RankPoint p : c.points()) {
                minT = Math.min(minT, p.timestep());
                maxT = Math.max(maxT, p.timestep());
            }
        }
        if (givenSwitch != null) {
            if (givenSwitch < minT || givenSwitch > maxT) {
                throw new ModelException("switchTimestep " + givenSwitch + " lies outside the report's time steps ["
                        + minT + ", " + maxT + "]");
            }
            return new RankData(curves, givenSwitch, "GIVEN");
        }
        RankCurve full = curves.stream().filter(c -> c.label().equals("full")).findFirst().orElse(curves.get(0));
        if (full.points().size() < 2 || RankAnalysis.isFlat(full)) {
            return new RankData(curves, null, "FLAT");
        }
        return new RankData(curves, RankAnalysis.recommendedSwitchTimestep(full), "RECOMMENDED");
    }

    private static int integer(String s, String column, int line) {
        try {
            int v = Integer.parseInt(s.strip());
            if (v < 0) {
                throw new NumberFormatException("negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ModelException("rank report line " + line + ": " + column + " must be a non-negative integer, got '"
                    + s + "'");
        }
    }

    private static Resolution resolution(String s, int line) {
        String[] p = s.strip().split("x");
        try {
            if (p.length == 2) {
                return new Resolution(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
            }
        } catch (RuntimeException e) {
            // fall through to the message below
        }
        throw new ModelException("rank report line " + line + ": resolution must look like 32x32, got '" + s + "'");
    }

    /** {"switchTimestep", "switchSource", "curves": [{"label", "seeds", "points": [{...}]}]}. */
    public JsonObject toJson() {
        JsonArray cs = new JsonArray();
        for (RankCurve c : curves) {
            JsonArray ps = new JsonArray();
            for (RankPoint p : c.points()) {
                ps.add(new JsonObject().put("step", p.step()).put("timestep", p.timestep())
                        .put("resolution", p.resolution().toString()).put("x0Rank95", p.x0Rank95())
                        .put("x0Rank99", p.x0Rank99()).put("xtRank95", p.xtRank95()).put("xtRank99", p.xtRank99()));
            }
            cs.add(new JsonObject().put("label", c.label()).put("seeds", c.seeds()).put("points", ps));
        }
        return new JsonObject().put("switchTimestep", switchTimestep).put("switchSource", switchSource).put("curves", cs);
    }
}
