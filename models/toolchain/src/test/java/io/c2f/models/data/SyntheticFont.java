package io.c2f.models.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Builds a minimal sfnt holding cmap (format 12), CBLC and CBDT tables around given PNGs, for tests. */
final class SyntheticFont {
    /** A glyph: its id, the code point mapping to it (or -1), and its PNG (null: no bitmap). */
    record GlyphSpec(int glyphId, int codePoint, byte[] png) {}

    private SyntheticFont() {}

    static byte[] png(int width, int height, int argb) throws IOException {
        BufferedImage im = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                im.setRGB(x, y, argb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(im, "png", out);
        return out.toByteArray();
    }

    /**
     * One strike (ppem 8), one index subtable of {@code indexFormat} (1, 3 or 4) covering consecutive
     * glyph ids, glyph data in {@code imageFormat} (17, 18 or 19).
     */
    static byte[] build(List<GlyphSpec> glyphs, int indexFormat, int imageFormat, boolean withCbdt) {
        // CBDT: header then each glyph's record
        ByteBuffer cbdt = ByteBuffer.allocate(1 << 16);
        cbdt.putShort((short) 3).putShort((short) 0);
        int dataStart = cbdt.position();
        List<Integer> offsets = new ArrayList<>();
        for (GlyphSpec g : glyphs) {
            offsets.add(cbdt.position() - dataStart);
            if (g.png() == null) {
                continue;
            }
            switch (imageFormat) {
                case 17 -> cbdt.put(new byte[] {8, 8, 0, 8, 8});
                case 18 -> cbdt.put(new byte[] {8, 8, 0, 8, 8, 0, 0, 8});
                case 19 -> { }
                default -> cbdt.put(new byte[0]);
            }
            cbdt.putInt(g.png().length).put(g.png());
        }
        offsets.add(cbdt.position() - dataStart);
        byte[] cbdtBytes = trim(cbdt);

        int first = glyphs.get(0).glyphId();
        int last = glyphs.get(glyphs.size() - 1).glyphId();
        ByteBuffer sub = ByteBuffer.allocate(1 << 12);
        sub.putShort((short) indexFormat).putShort((short) imageFormat).putInt(dataStart);
        switch (indexFormat) {
            case 1 -> offsets.forEach(sub::putInt);
            case 3 -> offsets.forEach(o -> sub.putShort((short) (int) o));
            case 4 -> {
                sub.putInt(glyphs.size());
                for (int i = 0; i <= glyphs.size(); i++) {
                    int id = i < glyphs.size() ? glyphs.get(i).glyphId() : 0;
                    sub.putShort((short) id).putShort((short) (int) offsets.get(i));
                }
            }
            default -> throw new IllegalArgumentException("index format " + indexFormat);
        }
        byte[] subBytes = trim(sub);
        ByteBuffer cblc = ByteBuffer.allocate(8 + 48 + 8 + subBytes.length);
        cblc.putShort((short) 3).putShort((short) 0).putInt(1);
        int arrayOffset = 8 + 48;
        cblc.putInt(arrayOffset).putInt(8 + subBytes.length).putInt(1).putInt(0);
        cblc.put(new byte[24]); // hori + vert line metrics
        cblc.putShort((short) first).putShort((short) last).put((byte) 8).put((byte) 8).put((byte) 32).put((byte) 1);
        cblc.putShort((short) first).putShort((short) last).putInt(8); // IndexSubTableArray: one entry
        cblc.put(subBytes);

        List<GlyphSpec> mapped = glyphs.stream().filter(g -> g.codePoint() >= 0)
                .sorted((a, b) -> Integer.compare(a.codePoint(), b.codePoint())).toList();
        ByteBuffer cmap = ByteBuffer.allocate(12 + 16 + 12 * mapped.size());
        cmap.putShort((short) 0).putShort((short) 1).putShort((short) 3).putShort((short) 10).putInt(12);
        cmap.putShort((short) 12).putShort((short) 0).putInt(16 + 12 * mapped.size()).putInt(0).putInt(mapped.size());
        for (GlyphSpec g : mapped) {
            cmap.putInt(g.codePoint()).putInt(g.codePoint()).putInt(g.glyphId());
        }

        Map<String, byte[]> tables = new LinkedHashMap<>();
        if (withCbdt) {
            tables.put("CBDT", cbdtBytes);
        }
        tables.put("CBLC", cblc.array());
        tables.put("cmap", cmap.array());
        return sfnt(tables);
    }

    static byte[] sfnt(Map<String, byte[]> tables) {
        int size = 12 + 16 * tables.size();
        for (byte[] t : tables.values()) {
            size += (t.length + 3) & ~3;
        }
        ByteBuffer f = ByteBuffer.allocate(size);
        f.putInt(0x00010000).putShort((short) tables.size()).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        int offset = 12 + 16 * tables.size();
        for (Map.Entry<String, byte[]> e : tables.entrySet()) {
            f.put(e.getKey().getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(0).putInt(offset)
                    .putInt(e.getValue().length);
            offset += (e.getValue().length + 3) & ~3;
        }
        for (byte[] t : tables.values()) {
            f.put(t);
            f.position((f.position() + 3) & ~3);
        }
        return f.array();
    }

    private static byte[] trim(ByteBuffer b) {
        byte[] out = new byte[b.position()];
        b.flip();
        b.get(out);
        return out;
    }
}
