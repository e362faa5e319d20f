package io.c2f.models.data;

/**
 * One colour emoji bitmap as stored in a font's CBDT table.
 *
 * @param glyphId     glyph index in the font
 * @param ppem        pixels per em of the strike it came from
 * @param codePoint   the (lowest) code point the cmap maps to this glyph, or -1 when the glyph is reached
 *                    only through GSUB substitutions (ZWJ sequences, skin-tone variants, flags, keycaps)
 * @param cbdtOffset  absolute file offset of the PNG bytes, for diagnostics
 * @param png         the embedded PNG file
 */
public record EmojiBitmap(int glyphId, int ppem, int codePoint, long cbdtOffset, byte[] png) {
    public String id() {
        return codePoint < 0 ? "glyph " + glyphId : String.format("glyph %d U+%04X", glyphId, codePoint);
    }
}
