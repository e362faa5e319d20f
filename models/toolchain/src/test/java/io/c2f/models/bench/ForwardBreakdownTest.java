package io.c2f.models.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The breakdown runs end to end on the shipped model and prints every row it promises (times not checked). */
class ForwardBreakdownTest {
    static final String ZOO = "../zoo/emoji32-c2f";

    @Test
    void printsEveryGraphTheCeilingAndTheShareOfEachPart() throws Exception {
        String text = run("--model", ZOO + "/model.tflite", "--checkpoint", ZOO + "/checkpoint", "--forwards", "1",
                "--repeats", "1");
        for (String row : new String[] {"shipped file (res32x32 view)", "UNet, legacy form", "UNet, compact form",
            "UNet, tiled form", "UNet without attention blocks", "UNet without GroupNorms (outside attention)",
            "UNet without SiLUs", "UNet without time embedding and projections", "CONV_2D, all (ceiling)   ",
            "CONV_2D on images (no GroupNorm 1x1)", "MEAN ", "LOGISTIC ", "BATCH_MATMUL SOFTMAX",
            "CONCATENATION RESIZE_NEAREST", "conv 3x3 32->32 at 32x32 ", "conv 3x3 64->64 at 8x8 ",
            "machine: 8 x conv 3x3 64->64 at 32x32", "32x32 UNet (tiled form):", "16x16 UNet (tiled form):",
            "of the conv-only ceiling", "load average at end"}) {
            assertTrue(text.contains(row), "missing: " + row);
        }
        assertTrue(Pattern.compile("CONV_2D, all \\(ceiling\\) +156 ").matcher(text).find(), "every CONV_2D of the UNet");
        assertTrue(Pattern.compile("conv 3x3 32->32 at 32x32 +7 ").matcher(text).find(), "7 such convs in the UNet");
    }

    @Test
    void onlyTimesTheGraphsAskedForBesideTheUnet() throws Exception {
        String text = run("--model", ZOO + "/model.tflite", "--checkpoint", ZOO + "/checkpoint", "--forwards", "1",
                "--repeats", "1", "--form", "compact", "--only", "CONV_2D, all.*");
        assertTrue(text.contains("UNet, compact form") && text.contains("CONV_2D, all (ceiling)"), text);
        assertTrue(!text.contains("UNet, tiled form") && !text.contains("MEAN "), text);
    }

    /** The graph parsers read only a file that its manifest vouches for: other bytes are refused unparsed. */
    @Test
    void aModelFileOtherThanItsManifestSaysIsRefused(@TempDir Path dir) throws Exception {
        byte[] garbage = new byte[4096];
        new SplittableRandom(3).nextBytes(garbage);
        Files.write(dir.resolve("model.tflite"), garbage);
        Files.copy(Path.of(ZOO, "model.json"), dir.resolve("model.json"));
        IOException e = assertThrows(IOException.class, () -> ForwardBreakdown.main(new String[] {
            "--model", dir.resolve("model.tflite").toString(), "--checkpoint", ZOO + "/checkpoint"}));
        assertTrue(e.getMessage().contains("its manifest says"), e.getMessage());
    }

    private static String run(String... args) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ForwardBreakdown.main(args);
        } finally {
            System.setOut(out);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        return text;
    }
}
