package io.c2f.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.schedules.cli.ScheduleTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleToolTest {

    @Test
    void searchWritesValidScheduleFilesAndRankWritesCsvAndPlot(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ScheduleTool.run(new String[] {"search", "--k", "3", "--model", "synthetic:low-rank",
            "--reference-steps", "20", "--heldout", "8", "--out", dir.toString()}, new PrintStream(out),
            new PrintStream(err));
        System.out.print(out);
        assertEquals(0, rc, err.toString());
        Schedule full = ScheduleJson.read(dir.resolve("trd-k3-full.json"));
        Schedule c2f = ScheduleJson.read(dir.resolve("trd-k3-c2f.json"));
        assertEquals(0, full.plan().switchIndex());
        assertTrue(c2f.plan().hasLowPhase());
        assertEquals(64, c2f.provenance().getModelSha256().length());
        assertTrue(Files.readString(dir.resolve("search-summary.csv")).contains("trd-k3-c2f"));

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
        String s = err.toString();
        System.out.print(s);
        assertTrue(s.contains("search needs --k"));
        assertTrue(s.contains("step count K = 2000 is larger than the model's T = 1000"));
        assertTrue(s.contains("unknown option --bogus"));
        assertTrue(s.contains("/nonexistent.tflite: no such file"));
    }
}
