package io.c2f.models.data;

import java.util.HashMap;
import java.util.Map;

/**
 * The glyph -> code point direction of a font's cmap (formats 12 and 4), used to tell glyphs that stand
 * for a single code point from glyphs reachable only through GSUB (ZWJ sequences, skin tones, flags).
 */
final class CmapTable {
    private CmapTable() {}

    /** Lowest code point mapped to each glyph id; glyphs reached by no code point are absent. */
    static Map<Integer, Integer> codePointsByGlyph(SfntFont font) throws DatasetFormatException {
        SfntFont.Table cmap = font.table("cmap");
        int numSubtables = cmap.u16(2);
        long best = -1;
        int bestRank = 0;
        for (int i = 0; i < numSubtables; i++) {
            long rec = 4 + 8L * i;
            int platform = cmap.u16(rec);
            int encoding = cmap.u16(rec + 2);
            long offset = cmap.offset32(rec + 4);
            int format = cmap.u16(offset);
            int rank = format == 12 && (platform == 3 && encoding == 10 || platform == 0) ? 3
                    : format == 4 && (platform == 3 && encoding == 1 || platform == 0) ? 2 : 0;
            if (rank > bestRank) {
                bestRank = rank;
                best = offset;
            }
        }
        Map<Integer, Integer> byGlyph = new HashMap<>();
        if (best < 0) {
            throw cmap.error(4, "no Unicode subtable in format 12 or 4 among " + numSubtables + " cmap subtables");
        }
        if (bestRank == 3) {
            long numGroups = cmap.offset32(best + 12);
            cmap.require(best + 16, numGroups * 12, "cmap format 12 groups");
            for (long g = 0; g < numGroups; g++) {
                long p = best + 16 + 12 * g;
                long startChar = cmap.offset32(p);
                long endChar = cmap.offset32(p + 4);
                long startGlyph = cmap.offset32(p + 8);
                for (long c = startChar; c <= endChar; c++) {
                    byGlyph.merge((int) (startGlyph + c - startChar), (int) c, Math::min);
                }
            }
        } else {
            int segX2 = cmap.u16(best + 6);
            long ends = best + 14;
            long starts = ends + segX2 + 2;
            long deltas = starts + segX2;
            long rangeOffsets = deltas + segX2;
            for (int s = 0; s < segX2 / 2; s++) {
                int end = cmap.u16(ends + 2L * s);
                int start = cmap.u16(starts + 2L * s);
                int delta = cmap.u16(deltas + 2L * s);
                int ro = cmap.u16(rangeOffsets + 2L * s);
                for (int c = start; c <= end && c != 0xFFFF; c++) {
                    int glyph;
                    if (ro == 0) {
                        glyph = (c + delta) & 0xFFFF;
                    } else {
                        int g = cmap.u16(rangeOffsets + 2L * s + ro + 2L * (c - start));
                        glyph = g == 0 ? 0 : (g + delta) & 0xFFFF;
                    }
                    if (glyph != 0) {
                        byGlyph.merge(glyph, c, Math::min);
                    }
                }
            }
        }
        return byGlyph;
    }
}
