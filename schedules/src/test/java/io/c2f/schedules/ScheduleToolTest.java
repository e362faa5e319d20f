package io.c2f.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.schedules.cli.ScheduleTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import io.c2f.proto.v1.SearchMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleToolTest {

    @Test
    void searchWritesValidScheduleFilesAndRankWritesCsvAndPlot(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] search = {"search", "--k", "3", "--model", "synthetic:low-rank", "--reference-steps", "20",
            "--heldout", "8", "--reference-cache", dir.resolve("refs").toString(), "--out", dir.toString()};
        int rc = ScheduleTool.run(search, new PrintStream(out), new PrintStream(err));
        System.out.print(out);
        assertEquals(0, rc, err.toString());
        assertTrue(out.toString().contains("reference for 16 seeds: 20-step DDIM"), out.toString());
        Schedule full = ScheduleJson.read(dir.resolve("trd-k3-full.json"));
        Schedule c2f = ScheduleJson.read(dir.resolve("trd-k3-c2f.json"));
        assertEquals(0, full.plan().switchIndex());
        assertTrue(c2f.plan().hasLowPhase());
        assertEquals(64, c2f.provenance().getModelSha256().length());
        assertTrue(Files.readString(dir.resolve("search-summary.csv")).contains("trd-k3-c2f"));
        // the baselines carry the losses the search measured for its starts, and quadratic's own
        Schedule uniform = ScheduleJson.read(dir.resolve("uniform-k3-full.json"));
        Schedule quadratic = ScheduleJson.read(dir.resolve("quadratic-k3-full.json"));
        Schedule c2fUniform = ScheduleJson.read(dir.resolve("uniform-k3-c2f.json"));
        assertEquals(SearchMethod.SEARCH_METHOD_UNIFORM, uniform.provenance().getMethod());
        assertEquals(SearchMethod.SEARCH_METHOD_QUADRATIC, quadratic.provenance().getMethod());
        assertEquals(c2f.plan().low(), c2fUniform.plan().low());
        for (Schedule s : new Schedule[] {uniform, quadratic, c2fUniform}) {
            assertEquals(full.provenance().getModelSha256(), s.provenance().getModelSha256());
            assertTrue(s.provenance().getHeldoutLoss() > 0 && s.provenance().getCalibrationLoss() > 0, s.id());
        }
        assertTrue(full.provenance().getCalibrationLoss() <= uniform.provenance().getCalibrationLoss());

        // a second run reads both references from the cache and finds the same schedules
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        Path second = dir.resolve("second");
        search[search.length - 1] = second.toString();
        assertEquals(0, ScheduleTool.run(search, new PrintStream(again), new PrintStream(err)), err.toString());
        assertEquals(2, again.toString().lines().filter(l -> l.endsWith("read from the reference cache")).count(),
                again.toString());
        assertEquals(full.plan(), ScheduleJson.read(second.resolve("trd-k3-full.json")).plan());
        assertEquals(full.provenance().getHeldoutLoss(),
                ScheduleJson.read(second.resolve("trd-k3-full.json")).provenance().getHeldoutLoss());

        rc = ScheduleTool.run(new String[] {"rank", "--model", "synthetic:low-rank", "--steps", "10", "--out",
            dir.toString()}, new PrintStream(out), new PrintStream(err));
        assertEquals(0, rc, err.toString());
        assertEquals(1 + 20, Files.readString(dir.resolve("rank.csv")).lines().count());
        assertTrue(Files.size(dir.resolve("rank.png")) > 1000);
    }

    @Test
    void usageErrorsArePrecise() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err);
        assertEquals(2, ScheduleTool.run(new String[] {"search"}, System.out, e));
        assertEquals(2, ScheduleTool.run(new String[] {"search", "--k", "2000"}, System.out, e));
        assertEquals(2, ScheduleTool.run(new String[] {"rank", "--bogus", "1"}, System.out, e));
        assertEquals(2, ScheduleTool.run(new String[] {"rank", "--model", "/nonexistent.tflite"}, System.out, e));
        assertEquals(2, ScheduleTool.run(new String[] {"search", "--k", "3", "--start-shifts", "0"}, System.out, e));
        assertEquals(2, ScheduleTool.run(new String[] {"search", "--k", "3", "--heldout-first", "10"}, System.out, e));
        assertEquals(2, ScheduleTool.run(new String[] {"search", "--k", "3", "--min-move", "x"}, System.out, e));
        String s = err.toString();
        System.out.print(s);
        assertTrue(s.contains("search needs --k"));
        assertTrue(s.contains("step count K = 2000 is larger than the model's T = 1000"));
        assertTrue(s.contains("unknown option --bogus"));
        assertTrue(s.contains("/nonexistent.tflite: no such file"));
        assertTrue(s.contains("startShifts must be >= 1 (1 = the start plan only), got 0"), s);
        assertTrue(s.contains("held-out seed 10 is also a calibration seed"), s);
        assertTrue(s.contains("--min-move must be an integer, got 'x'"), s);
    }
}
