package io.c2f.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.c2f.models.diffusion.TimestepSpacing;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every file of schedules/catalog parses, validates, is named after its id and round-trips. */
class CatalogTest {
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
}
