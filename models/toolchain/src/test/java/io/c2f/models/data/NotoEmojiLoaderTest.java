package io.c2f.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NotoEmojiLoaderTest {
    @TempDir
    Path dir;

    private List<SyntheticFont.GlyphSpec> glyphs() throws IOException {
        return List.of(
                new SyntheticFont.GlyphSpec(4, 0x1F600, SyntheticFont.png(3, 2, 0xFFFF0000)),
                new SyntheticFont.GlyphSpec(5, -1, null), // no bitmap in this strike
                new SyntheticFont.GlyphSpec(6, 0x1F3FB, SyntheticFont.png(2, 2, 0x8000FF00)),
                new SyntheticFont.GlyphSpec(7, -1, SyntheticFont.png(4, 4, 0xFF0000FF))); // ligature-only glyph
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @ParameterizedTest
    @CsvSource({"1, 17", "3, 18", "4, 19", "1, 19"})
    void readsEveryPngOfTheStrikeWithItsCodePoint(int indexFormat, int imageFormat) throws IOException {
        List<SyntheticFont.GlyphSpec> specs = glyphs();
        Path font = write("f.ttf", SyntheticFont.build(specs, indexFormat, imageFormat, true));
        List<EmojiBitmap> bitmaps = NotoEmojiLoader.readBitmaps(font);
        assertEquals(List.of(4, 6, 7), bitmaps.stream().map(EmojiBitmap::glyphId).toList());
        assertEquals(List.of(0x1F600, 0x1F3FB, -1), bitmaps.stream().map(EmojiBitmap::codePoint).toList());
        assertArrayEquals(specs.get(0).png(), bitmaps.get(0).png());
        assertArrayEquals(specs.get(3).png(), bitmaps.get(2).png());
        assertEquals(8, bitmaps.get(0).ppem());
    }

    @Test
    void baseSelectionDropsSkinTonesAndUnmappedGlyphsAndDecodesPixels() throws IOException {
        Path font = write("f.ttf", SyntheticFont.build(glyphs(), 1, 17, true));
        List<SourceImage> base = NotoEmojiLoader.load(font, NotoEmojiLoader.Selection.BASE_EMOJI);
        assertEquals(1, base.size());
        assertEquals("glyph 4 U+1F600", base.get(0).id());
        BufferedImage im = base.get(0).image();
        assertEquals(3, im.getWidth());
        assertEquals(0xFFFF0000, im.getRGB(1, 1));
        List<SourceImage> all = NotoEmojiLoader.load(font, NotoEmojiLoader.Selection.ALL_BITMAPS);
        assertEquals(3, all.size());
        assertEquals(0x80, all.get(1).image().getRGB(0, 0) >>> 24, "alpha kept");
    }

    @Test
    void notAnSfnt() throws IOException {
        Path png = write("emoji.png", SyntheticFont.png(2, 2, 0xFF000000));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> NotoEmojiLoader.readBitmaps(png));
        assertTrue(e.getMessage().contains("emoji.png") && e.getMessage().contains("not an sfnt"), e.getMessage());
        assertEquals(0, e.offset());
    }

    @Test
    void missingCbdtTable() throws IOException {
        Path font = write("nocbdt.ttf", SyntheticFont.build(glyphs(), 1, 17, false));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> NotoEmojiLoader.readBitmaps(font));
        assertTrue(e.getMessage().contains("nocbdt.ttf") && e.getMessage().contains("no 'CBDT' table"), e.getMessage());
    }

    @Test
    void truncatedFileIsCaughtByTheTableDirectory() throws IOException {
        byte[] full = SyntheticFont.build(glyphs(), 1, 17, true);
        Path font = write("cut.ttf", Arrays.copyOf(full, full.length - 40));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> NotoEmojiLoader.readBitmaps(font));
        assertTrue(e.getMessage().contains("cut.ttf") && e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.section().startsWith("table directory entry"), e.section());
    }

    @Test
    void glyphOffsetOutOfRangeNamesCbdtAndOffset() throws IOException {
        byte[] bytes = SyntheticFont.build(glyphs(), 1, 17, true);
        // table directory: CBLC is the second record; its subtable's last offset (glyph 7 end) is pushed far out
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int cblc = b.getInt(12 + 16 + 8);
        int lastOffsetPos = cblc + 8 + 48 + 8 + 8 + 4 * 4;
        b.putInt(lastOffsetPos, 1_000_000);
        Path font = write("bad.ttf", bytes);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> NotoEmojiLoader.readBitmaps(font));
        assertEquals("CBDT", e.section());
        assertTrue(e.getMessage().contains("bad.ttf") && e.getMessage().contains("glyph 7")
                && e.getMessage().contains("out of range"), e.getMessage());
        assertTrue(e.offset() > 0);
    }

    @Test
    void nonPngImageFormatIsRejected() throws IOException {
        Path font = write("mono.ttf", SyntheticFont.build(glyphs(), 1, 1, true));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> NotoEmojiLoader.readBitmaps(font));
        assertEquals("CBLC", e.section());
        assertTrue(e.getMessage().contains("image format 1"), e.getMessage());
    }

    @Test
    void baseEmojiRule() {
        assertTrue(NotoEmojiLoader.isBaseEmoji(0x1F600));
        assertTrue(NotoEmojiLoader.isBaseEmoji(0xA9));
        for (int cp : new int[] {-1, '#', '7', 0x1F3FD, 0x1F1FA, 0x200D, 0x20E3, 0xFE0F, 0x1F9B1, 0xE0067}) {
            assertTrue(!NotoEmojiLoader.isBaseEmoji(cp), Integer.toHexString(cp));
        }
    }

    @Test
    void realNotoColorEmojiFont() throws IOException {
        Assumptions.assumeTrue(Files.exists(NotoEmojiLoader.DEBIAN_FONT), "fonts-noto-color-emoji not installed");
        List<EmojiBitmap> all = NotoEmojiLoader.readBitmaps(NotoEmojiLoader.DEBIAN_FONT);
        long mapped = all.stream().filter(b -> b.codePoint() >= 0).count();
        List<SourceImage> base = NotoEmojiLoader.load(NotoEmojiLoader.DEBIAN_FONT, NotoEmojiLoader.Selection.BASE_EMOJI);
        PreparedDataset prepared = DatasetPreparer.prepare(base);
        System.out.printf("Noto Color Emoji: %d bitmaps, %d mapped by cmap, %d base emoji, %d after dedup"
                        + " (%d train, %d held out), native size %dx%d%n", all.size(), mapped, base.size(),
                base.size() - prepared.duplicatesRemoved(), prepared.train().size(), prepared.heldOut().size(),
                base.get(0).image().getWidth(), base.get(0).image().getHeight());
        assertTrue(all.size() > 3000, "bitmaps: " + all.size());
        assertTrue(base.size() > 1000 && base.size() < mapped, "base: " + base.size());
        Map<Integer, Long> byPpem = Map.of(all.get(0).ppem(), (long) all.size());
        assertEquals(1, byPpem.size());
        assertTrue(base.stream().anyMatch(s -> s.id().endsWith("U+1F600")), "grinning face present");
    }
}
