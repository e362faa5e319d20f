package io.c2f.models.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.unet.UnetExporter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
        assertTrue(text.contains("sha256 554309d27e6308285bf79c9dca432259c7564c17239b07f81fe6c40ac8b76327"),
                "old defaults to the compact export of the shipped checkpoint");
        assertTrue(text.contains("res32x32     906 ops"), "op counts of the old file");
        assertTrue(text.contains("new: ../zoo/emoji32-c2f/model.tflite, sha256 "
                + UnetExporter.readManifest(Path.of("../zoo/emoji32-c2f/model.json")).getModelSha256()), "the new file");
        for (String line : new String[] {"32x32                             old", "32x32                             new",
            "16x16                             old", "16x16                             new", "old/new",
            "32x32 forward, new:", "10-step C2F vs DDIM, new:", "MACs allow 1.60x", "load average at end"}) {
            assertTrue(text.contains(line), "missing: " + line);
        }
    }
}
