package io.c2f.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.tensor.ImageBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrepareDataTest {
    @TempDir
    Path dir;

    @Test
    void cifarDirectoryEndToEnd() throws IOException {
        Path in = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        for (String name : Cifar10Loader.BATCH_FILES) {
            Files.write(in.resolve(name), Cifar10LoaderTest.batch(1, 2, 3));
        }
        // every file holds the same 3 records (ids differ only by file): 15 duplicates
        Path out = dir.resolve("out");
        List<String> lines = new ArrayList<>();
        PrepareData.Outcome o = PrepareData.run(DatasetSource.CIFAR10, in, out, Integer.MAX_VALUE, false, lines::add);
        DatasetManifest m = o.manifest();
        assertEquals(18, m.loaded());
        assertEquals(15, m.duplicatesRemoved());
        assertEquals(3, m.train() + m.heldOut());
        assertEquals("unknown", m.packageVersion());
        assertTrue(m.files().stream().anyMatch(f -> f.name().equals("train-labels.u8")), m.files().toString());
        for (DatasetManifest.FileEntry f : m.files()) {
            assertEquals(f.sha256(), PrepareData.sha256(out.resolve(f.name())), f.name());
            if (f.dtype().equals("label-uint8-raw")) {
                byte[] labels = Files.readAllBytes(out.resolve(f.name()));
                assertEquals(f.count(), labels.length);
                for (byte l : labels) {
                    assertTrue(l >= 1 && l <= 3, "label " + l);
                }
                continue;
            }
            ImageBatch b = PreparedTensorFile.read(out.resolve(f.name()));
            assertEquals(f.count(), b.batch());
            assertEquals(f.height(), b.height());
        }
        String json = Files.readString(out.resolve("manifest.json"));
        assertTrue(json.contains("\"duplicatesRemoved\": 15") && json.contains("\"background\": \"#FFFFFF\""), json);
        assertEquals(1024, ImageIO.read(out.resolve("preview.png").toFile()).getWidth());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("wrote ") && l.endsWith("manifest.json (package unknown unknown)")),
                lines.toString());
    }

    @Test
    void realEmojiWithLimit() throws IOException {
        Assumptions.assumeTrue(Files.exists(NotoEmojiLoader.DEBIAN_FONT), "fonts-noto-color-emoji not installed");
        PrepareData.Outcome o = PrepareData.run(DatasetSource.EMOJI, NotoEmojiLoader.DEBIAN_FONT, dir, 100, false, l -> { });
        assertEquals(100, o.manifest().loaded());
        assertEquals("fonts-noto-color-emoji", o.manifest().sourcePackage());
        System.out.println("emoji package version: " + o.manifest().packageVersion());
    }
}
