package io.c2f.models.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Reads the colour emoji of a CBDT/CBLC font (Noto Color Emoji) straight from the font file: no
 * rendering engine, just the PNGs the font embeds, from its largest strike.
 *
 * <p>{@link Selection#BASE_EMOJI} keeps glyphs the cmap maps from a single emoji code point, which drops
 * everything reachable only through GSUB ligatures (ZWJ sequences, skin-tone variants, flags, keycap
 * sequences) without having to parse GSUB, and additionally drops the code points that are only
 * sequence components: skin-tone modifiers, hair components, regional indicators, tag characters,
 * ZWJ, variation selectors, the keycap mark and ASCII (digits, '#', '*', space).
 */
public final class NotoEmojiLoader {
    /** Where Debian's fonts-noto-color-emoji installs the font. */
    public static final Path DEBIAN_FONT = Path.of("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf");

    public enum Selection { ALL_BITMAPS, BASE_EMOJI }

    private NotoEmojiLoader() {}

    /** Every PNG bitmap of the font's largest strike, with its code point where the cmap has one. */
    public static List<EmojiBitmap> readBitmaps(Path font) throws IOException {
        SfntFont sfnt = SfntFont.read(font);
        List<ColorBitmapTables.Strike> strikes = ColorBitmapTables.strikes(sfnt);
        if (strikes.isEmpty()) {
            throw new DatasetFormatException(font, "CBLC", sfnt.table("CBLC").fileOffset(4), "CBLC declares no strikes");
        }
        ColorBitmapTables.Strike strike = strikes.stream().max(Comparator.comparingInt(ColorBitmapTables.Strike::ppemY)).get();
        Map<Integer, Integer> codePoints = sfnt.has("cmap") ? CmapTable.codePointsByGlyph(sfnt) : Map.of();
        List<EmojiBitmap> out = new ArrayList<>();
        for (ColorBitmapTables.Glyph g : ColorBitmapTables.glyphs(sfnt, strike)) {
            out.add(new EmojiBitmap(g.glyphId(), strike.ppemY(), codePoints.getOrDefault(g.glyphId(), -1),
                    g.cbdtOffset(), g.png()));
        }
        return out;
    }

    /** True for a code point that is an emoji of its own rather than a component of sequences. */
    public static boolean isBaseEmoji(int codePoint) {
        if (codePoint < 0xA9) {
            return false; // ASCII keycap bases and space
        }
        return !(codePoint >= 0x1F3FB && codePoint <= 0x1F3FF) // skin-tone modifiers
                && !(codePoint >= 0x1F9B0 && codePoint <= 0x1F9B3) // hair components
                && !(codePoint >= 0x1F1E6 && codePoint <= 0x1F1FF) // regional indicators (flag halves)
                && !(codePoint >= 0xE0020 && codePoint <= 0xE007F) // tag characters
                && codePoint != 0x200D && codePoint != 0x20E3 && codePoint != 0xFE0F && codePoint != 0xFE0E;
    }

    /** Decoded emoji of the chosen selection, ARGB, at the strike's native size (136x128 for Noto). */
    public static List<SourceImage> load(Path font, Selection selection) throws IOException {
        List<SourceImage> out = new ArrayList<>();
        for (EmojiBitmap b : readBitmaps(font)) {
            if (selection == Selection.BASE_EMOJI && !isBaseEmoji(b.codePoint())) {
                continue;
            }
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(b.png()));
            if (image == null) {
                throw new DatasetFormatException(font, "CBDT", b.cbdtOffset(),
                        b.id() + ": embedded PNG could not be decoded");
            }
            out.add(new SourceImage(b.id(), SourceImage.NO_LABEL, image));
        }
        return out;
    }
}
