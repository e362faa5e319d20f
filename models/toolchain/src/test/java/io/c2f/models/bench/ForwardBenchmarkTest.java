package io.c2f.models.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The benchmark runs end to end on the shipped model and prints every figure it promises (times not checked). */
class ForwardBenchmarkTest {
    @Test
    void printsOpCountsGflopsPerResolutionAndTheStepRatioForBothFiles() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ForwardBenchmark.main(new String[] {"--new", "../zoo/emoji32-c2f/model.tflite",
                "--checkpoint", "../zoo/emoji32-c2f/checkpoint", "--forwards", "1", "--repeats", "1"});
        } finally {
            System.setOut(out);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertTrue(text.contains("sha256 b35a8a7181514e7cc52a21ea4686a014250090154bcf58ec9cea7b80ada7ac89"),
                "old defaults to the legacy export of the shipped checkpoint");
        assertTrue(text.contains("res32x32    1007 ops") && text.contains("res32x32     906 ops"), "op counts of both");
        for (String line : new String[] {"32x32                             old", "32x32                             new",
            "16x16                             old", "16x16                             new", "old/new",
            "32x32 forward, new:", "10-step C2F vs DDIM, new:", "MACs allow 1.60x", "load average at end"}) {
            assertTrue(text.contains(line), "missing: " + line);
        }
    }
}
