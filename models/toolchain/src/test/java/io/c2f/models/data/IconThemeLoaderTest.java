package io.c2f.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IconThemeLoaderTest {
    @TempDir
    Path theme;

    private void icon(String rel, byte[] bytes) throws IOException {
        Path p = theme.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
    }

    @Test
    void prefersTheLargestSizeAndFallsBackPastBrokenFiles() throws IOException {
        icon("16x16/apps/a.png", SyntheticFont.png(16, 16, 0xFFFF0000));
        icon("64x64/apps/a.png", SyntheticFont.png(64, 64, 0xFF00FF00));
        icon("32x32/apps/b.png", SyntheticFont.png(32, 32, 0xFF0000FF));
        icon("128x128/apps/c.png", new byte[] {1, 2, 3});
        icon("48x48/apps/c.png", SyntheticFont.png(48, 48, 0xFF123456));
        icon("16x16/apps/d.png", SyntheticFont.png(16, 16, 0xFF000000));
        icon("index.theme", "[Icon Theme]".getBytes());

        IconThemeLoader.Result r = IconThemeLoader.load(theme, 32);
        assertEquals(List.of("apps/a@64", "apps/b@32", "apps/c@48"), r.images().stream().map(SourceImage::id).toList());
        assertEquals(0xFF00FF00, r.images().get(0).image().getRGB(0, 0));
        assertEquals(1, r.skipped());
        assertEquals(1, r.tooSmall());
        assertTrue(r.warnings().get(0).contains("128x128/apps/c.png"), r.warnings().toString());

        assertEquals(4, IconThemeLoader.load(theme).images().size());
    }

    @Test
    void realOxygenTheme() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(IconThemeLoader.DEBIAN_OXYGEN), "oxygen-icon-theme not installed");
        IconThemeLoader.Result r = IconThemeLoader.load(IconThemeLoader.DEBIAN_OXYGEN, 32);
        System.out.println("oxygen: " + r.images().size() + " icons >= 32px, " + r.tooSmall() + " smaller, "
                + r.skipped() + " unreadable");
        assertTrue(r.images().size() > 500, "icons: " + r.images().size());
    }
}
