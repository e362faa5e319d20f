package io.c2f.models.c2f;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The same seeds give the same image bytes in another JVM process. The child runs with -Xint (no
 * JIT at all), so a result that depended on compiled-code differences (intrinsics, vectorisation)
 * would show up here.
 */
class SameImageAcrossJvmsTest {

    @Test
    void sameImageInTwoJvms() throws Exception {
        String[] inProcess = SameImageMain.digests();
        // Repeat until the hot loops are JIT-compiled here, while the child stays interpreted.
        for (int i = 0; i < 150; i++) {
            assertEquals(List.of(inProcess), List.of(SameImageMain.digests()));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-Xint", "-Djava.awt.headless=true", "-cp",
                System.getProperty("java.class.path"), SameImageMain.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, child.exitValue(), out);
        System.out.println("in-process: floats " + inProcess[0] + " png " + inProcess[1]);
        System.out.print("child -Xint: " + out.replace('\n', ' ') + "\n");
        assertEquals("floats " + inProcess[0] + "\npng " + inProcess[1] + "\n", out.replace("\r", ""));
    }
}
