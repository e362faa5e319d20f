package io.c2f.models.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the colour bitmap glyphs (PNG) of one strike out of a font's CBLC (locations) and CBDT (data)
 * tables, per the OpenType spec: CBLC BitmapSize records, IndexSubTableArray, index subtable formats
 * 1-5, and CBDT glyph data formats 17, 18 and 19 (the three that embed PNG).
 */
final class ColorBitmapTables {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int BITMAP_SIZE_RECORD = 48;

    /** One strike (a ppem size) as declared in CBLC. */
    record Strike(int index, int ppemX, int ppemY, int startGlyph, int endGlyph, int bitDepth) {}

    /** A glyph's PNG as stored in CBDT. */
    record Glyph(int glyphId, int imageFormat, long cbdtOffset, byte[] png) {}

    private ColorBitmapTables() {}

    static List<Strike> strikes(SfntFont font) throws DatasetFormatException {
        SfntFont.Table cblc = font.table("CBLC");
        font.table("CBDT");
        int major = cblc.u16(0);
        if (major != 2 && major != 3) {
            throw cblc.error(0, "unsupported CBLC major version " + major + " (expected 3, or 2 for old EBLC-style files)");
        }
        long numSizes = cblc.offset32(4);
        cblc.require(8, numSizes * BITMAP_SIZE_RECORD, "BitmapSize records (" + numSizes + ")");
        List<Strike> strikes = new ArrayList<>();
        for (int i = 0; i < numSizes; i++) {
            long r = 8 + (long) i * BITMAP_SIZE_RECORD;
            strikes.add(new Strike(i, cblc.u8(r + 44), cblc.u8(r + 45), cblc.u16(r + 40), cblc.u16(r + 42),
                    cblc.u8(r + 46)));
        }
        return strikes;
    }

    /** Every PNG glyph of the given strike, in glyph id order as the index subtables list them. */
    static List<Glyph> glyphs(SfntFont font, Strike strike) throws DatasetFormatException {
        SfntFont.Table cblc = font.table("CBLC");
        SfntFont.Table cbdt = font.table("CBDT");
        int cbdtMajor = cbdt.u16(0);
        if (cbdtMajor != 2 && cbdtMajor != 3) {
            throw cbdt.error(0, "unsupported CBDT major version " + cbdtMajor + " (expected 3, or 2)");
        }
        long r = 8 + (long) strike.index() * BITMAP_SIZE_RECORD;
        long arrayOffset = cblc.offset32(r);
        long numSubtables = cblc.offset32(r + 8);
        cblc.require(arrayOffset, numSubtables * 8, "IndexSubTableArray of strike " + strike.index());
        List<Glyph> glyphs = new ArrayList<>();
        for (long k = 0; k < numSubtables; k++) {
            long entry = arrayOffset + 8 * k;
            int first = cblc.u16(entry);
            int last = cblc.u16(entry + 2);
            if (last < first) {
                throw cblc.error(entry, "IndexSubTableArray entry has lastGlyph " + last + " < firstGlyph " + first);
            }
            long sub = arrayOffset + cblc.offset32(entry + 4);
            readSubtable(cblc, cbdt, sub, first, last, glyphs);
        }
        return glyphs;
    }

    private static void readSubtable(SfntFont.Table cblc, SfntFont.Table cbdt, long sub, int first, int last,
                                     List<Glyph> out) throws DatasetFormatException {
        int indexFormat = cblc.u16(sub);
        int imageFormat = cblc.u16(sub + 2);
        long imageDataOffset = cblc.offset32(sub + 4);
        int n = last - first + 1;
        switch (indexFormat) {
            case 1 -> { // uint32 offsets, n + 1 of them; equal neighbours mean "no bitmap for this glyph"
                cblc.require(sub + 8, 4L * (n + 1), "index format 1 offsets for glyphs " + first + ".." + last);
                for (int i = 0; i < n; i++) {
                    long a = cblc.offset32(sub + 8 + 4L * i);
                    long b = cblc.offset32(sub + 12 + 4L * i);
                    addGlyph(cblc, cbdt, sub, first + i, imageFormat, imageDataOffset + a, b - a, out);
                }
            }
            case 3 -> { // uint16 offsets
                cblc.require(sub + 8, 2L * (n + 1), "index format 3 offsets for glyphs " + first + ".." + last);
                for (int i = 0; i < n; i++) {
                    long a = cblc.u16(sub + 8 + 2L * i);
                    long b = cblc.u16(sub + 10 + 2L * i);
                    addGlyph(cblc, cbdt, sub, first + i, imageFormat, imageDataOffset + a, b - a, out);
                }
            }
            case 2 -> { // constant image size, metrics in CBLC, glyphs contiguous
                long imageSize = cblc.offset32(sub + 8);
                for (int i = 0; i < n; i++) {
                    addGlyph(cblc, cbdt, sub, first + i, imageFormat, imageDataOffset + imageSize * i, imageSize, out);
                }
            }
            case 4 -> { // sparse: (glyphId, uint16 offset) pairs, numGlyphs + 1 of them
                long numGlyphs = cblc.offset32(sub + 8);
                cblc.require(sub + 12, 4 * (numGlyphs + 1), "index format 4 glyph/offset pairs");
                for (long i = 0; i < numGlyphs; i++) {
                    int glyphId = cblc.u16(sub + 12 + 4 * i);
                    long a = cblc.u16(sub + 14 + 4 * i);
                    long b = cblc.u16(sub + 18 + 4 * i);
                    addGlyph(cblc, cbdt, sub, glyphId, imageFormat, imageDataOffset + a, b - a, out);
                }
            }
            case 5 -> { // sparse, constant size: imageSize, bigGlyphMetrics (8), numGlyphs, glyph ids
                long imageSize = cblc.offset32(sub + 8);
                long numGlyphs = cblc.offset32(sub + 20);
                cblc.require(sub + 24, 2 * numGlyphs, "index format 5 glyph ids");
                for (long i = 0; i < numGlyphs; i++) {
                    int glyphId = cblc.u16(sub + 24 + 2 * i);
                    addGlyph(cblc, cbdt, sub, glyphId, imageFormat, imageDataOffset + imageSize * i, imageSize, out);
                }
            }
            default -> throw cblc.error(sub, "unknown index subtable format " + indexFormat
                    + " for glyphs " + first + ".." + last + " (known: 1-5)");
        }
    }

    private static void addGlyph(SfntFont.Table cblc, SfntFont.Table cbdt, long sub, int glyphId, int imageFormat,
                                 long offset, long length, List<Glyph> out) throws DatasetFormatException {
        if (length == 0) {
            return; // the glyph has no bitmap in this strike
        }
        if (length < 0) {
            throw cblc.error(sub, "glyph " + glyphId + " has a negative data length " + length
                    + " (index offsets not increasing)");
        }
        cbdt.require(offset, length, "glyph " + glyphId + " data (" + length + " bytes)");
        long pngStart;
        long declared;
        switch (imageFormat) {
            case 17 -> { // smallGlyphMetrics (5 bytes), uint32 dataLen, PNG
                declared = cbdt.offset32(offset + 5);
                pngStart = offset + 9;
            }
            case 18 -> { // bigGlyphMetrics (8 bytes), uint32 dataLen, PNG
                declared = cbdt.offset32(offset + 8);
                pngStart = offset + 12;
            }
            case 19 -> { // uint32 dataLen, PNG (metrics live in CBLC)
                declared = cbdt.offset32(offset);
                pngStart = offset + 4;
            }
            default -> throw cblc.error(sub + 2, "glyph " + glyphId + " uses CBDT image format " + imageFormat
                    + ", which is not PNG (only 17, 18, 19 embed PNG)");
        }
        if (pngStart + declared > offset + length) {
            throw cbdt.error(pngStart, "glyph " + glyphId + " declares " + declared + " PNG bytes but its CBLC entry"
                    + " leaves only " + (offset + length - pngStart));
        }
        byte[] png = cbdt.slice(pngStart, declared, "glyph " + glyphId + " PNG");
        if (png.length < PNG_SIGNATURE.length || !startsWith(png, PNG_SIGNATURE)) {
            throw cbdt.error(pngStart, "glyph " + glyphId + " data in format " + imageFormat
                    + " does not start with the PNG signature");
        }
        out.add(new Glyph(glyphId, imageFormat, cbdt.fileOffset(pngStart), png));
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
