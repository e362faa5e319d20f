package io.c2f.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.diffusion.TimestepSpacing;
import io.c2f.proto.v1.SearchMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every file of schedules/catalog parses, validates, is named after its id and round-trips; the
 * shipped model's catalog is complete and consistent with its provenance.
 */
class CatalogTest {
    static final Path SHIPPED = Path.of("catalog", "emoji32-c2f");
    static final int[] KS = {4, 6, 8, 10, 15, 20};

    @Test
    void catalogFilesAreValid() {
        List<Schedule> all = ScheduleJson.readCatalog(Path.of("catalog"));
        assertFalse(all.isEmpty());
        for (Schedule s : all) {
            s.plan().validateFor(1000, List.of(s.plan().high(), s.plan().low()));
            assertEquals(s, ScheduleJson.parse(ScheduleJson.toJson(s), "mem"));
            if (s.id().startsWith("uniform-")) {
                assertEquals(java.util.Arrays.toString(TimestepSpacing.uniform(s.plan().steps(), 1000)),
                        java.util.Arrays.toString(s.plan().timesteps()));
            }
        }
        System.out.println("catalog: " + all.stream().map(Schedule::id).toList());
    }

    @Test
    void shippedModelCatalogIsCompleteAndItsProvenanceConsistent() throws Exception {
        String manifest = Files.readString(Path.of("..", "models", "zoo", "emoji32-c2f", "model.json"));
        Matcher m = Pattern.compile("\"modelSha256\"\\s*:\\s*\"([0-9a-f]{64})\"").matcher(manifest);
        assertTrue(m.find(), "model.json has no modelSha256");
        String sha = m.group(1);
        Map<String, Schedule> byId = ScheduleJson.readCatalog(SHIPPED).stream()
                .collect(Collectors.toMap(Schedule::id, Function.identity()));
        for (int k : KS) {
            Schedule trd = byId.get("trd-k" + k + "-full");
            Schedule c2f = byId.get("trd-k" + k + "-c2f");
            Schedule uniform = byId.get("uniform-k" + k + "-full");
            Schedule quadratic = byId.get("quadratic-k" + k + "-full");
            Schedule c2fUniform = byId.get("uniform-k" + k + "-c2f");
            for (Schedule s : new Schedule[] {trd, c2f, uniform, quadratic, c2fUniform}) {
                assertTrue(s != null, "K = " + k + ": catalog " + SHIPPED + " misses a schedule; has " + byId.keySet());
                var p = s.provenance();
                assertEquals(sha, p.getModelSha256(), s.id());
                assertEquals(k, s.plan().steps(), s.id());
                assertTrue(p.getCalibrationLoss() > 0 && p.getHeldoutLoss() > 0, s.id());
                assertEquals(16, p.getCalibrationSeeds(), s.id());
                assertTrue(p.getHeldoutSeeds() >= 32, s.id());
                assertEquals(100, p.getReferenceSteps(), s.id());
                // 32x32 and 16x16 forwards of the shipped UNet (model.json macsPerForward)
                int low = s.plan().switchIndex();
                assertEquals(low * 90_920_960L + (k - low) * 364_353_536L, p.getMacsPerImage(), s.id());
            }
            assertEquals(SearchMethod.SEARCH_METHOD_TRD, trd.provenance().getMethod());
            assertEquals(SearchMethod.SEARCH_METHOD_TRD, c2f.provenance().getMethod());
            assertEquals(SearchMethod.SEARCH_METHOD_QUADRATIC, quadratic.provenance().getMethod());
            assertTrue(trd.provenance().getSearchSeconds() > 0);
            assertTrue(c2f.plan().hasLowPhase() && c2fUniform.plan().hasLowPhase());
            assertEquals(Baselines.DEFAULT_SWITCH_METHOD, c2f.plan().switchMethod());
            // a search never ends worse than its start on the calibration seeds
            assertTrue(trd.provenance().getCalibrationLoss() <= uniform.provenance().getCalibrationLoss(), trd.id());
            assertTrue(c2f.provenance().getCalibrationLoss() <= c2fUniform.provenance().getCalibrationLoss(), c2f.id());
        }
        List<String> rank = Files.readAllLines(SHIPPED.resolve("rank.csv"));
        assertTrue(rank.stream().anyMatch(l -> l.startsWith("full,")) && rank.stream().anyMatch(l -> l.startsWith("c2f,")));
        assertTrue(rank.stream().skip(1).allMatch(l -> Integer.parseInt(l.substring(l.lastIndexOf(',') + 1)) >= 32));
        assertTrue(Files.size(SHIPPED.resolve("rank.png")) > 10_000);
    }
}
