package io.c2f.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.tensor.ImageBatch;
import io.c2f.models.tensor.Resolution;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DatasetPreparerTest {
    private static BufferedImage filled(int w, int h, int argb) {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                im.setRGB(x, y, argb);
            }
        }
        return im;
    }

    private static int[] px(byte[] rgb, int x, int y) {
        int p = 3 * (y * 32 + x);
        return new int[] {rgb[p] & 0xFF, rgb[p + 1] & 0xFF, rgb[p + 2] & 0xFF};
    }

    @Test
    void alphaIsCompositedOverWhite() {
        byte[] transparent = DatasetPreparer.toRgb8(filled(64, 64, 0x00FF0000));
        for (byte b : transparent) {
            assertEquals(255, b & 0xFF);
        }
        byte[] half = DatasetPreparer.toRgb8(filled(64, 64, 0x800000FF)); // alpha 128/255 blue
        int expected = Math.round(255 * (1 - 128 / 255f));
        assertEquals(List.of(expected, expected, 255), List.of(px(half, 10, 10)[0], px(half, 10, 10)[1], px(half, 10, 10)[2]));
    }

    @Test
    void keepsAspectRatioAndCentres() {
        byte[] wide = DatasetPreparer.toRgb8(filled(64, 32, 0xFFFF0000)); // -> 32x16 at rows 8..23
        for (int y = 0; y < 32; y++) {
            int[] p = px(wide, 5, y);
            boolean inside = y >= 8 && y < 24;
            assertEquals(inside ? 0 : 255, p[1], "row " + y);
            assertEquals(255, p[0]);
        }
    }

    @Test
    void areaAveragingOfAOnePixelCheckerboardIsFlatGrey() {
        BufferedImage checker = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                checker.setRGB(x, y, (x + y) % 2 == 0 ? 0xFFFFFF : 0);
            }
        }
        for (byte b : DatasetPreparer.toRgb8(checker)) {
            assertEquals(128, b & 0xFF); // 127.5 rounds up
        }
        // non-integer factor: 3 columns of 10, 20, 30 over 2 outputs -> (10 + 20/2) / 1.5, (20/2 + 30) / 1.5
        float[] out = DatasetPreparer.areaResize(new float[] {10, 20, 30}, 3, 1, 2, 1);
        assertEquals(20f / 1.5f, out[0], 1e-5);
        assertEquals(40f / 1.5f, out[1], 1e-5);
    }

    @Test
    void duplicatesAreRemovedAndTheSplitDependsOnlyOnContent() {
        List<SourceImage> sources = new ArrayList<>();
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            sources.add(new SourceImage("img" + i, SourceImage.NO_LABEL, filled(8, 8, 0xFF000000 | random.nextInt(1 << 24))));
        }
        sources.add(new SourceImage("dup-of-0", SourceImage.NO_LABEL, sources.get(0).image()));
        sources.add(new SourceImage("dup-of-5-bigger", SourceImage.NO_LABEL, filled(64, 64, sources.get(5).image().getRGB(0, 0))));
        PreparedDataset a = DatasetPreparer.prepare(sources);
        assertEquals(2, a.duplicatesRemoved());
        assertEquals(200, a.train().size() + a.heldOut().size());
        assertTrue(a.heldOut().size() > 5 && a.heldOut().size() < 40, "held out: " + a.heldOut().size());
        assertTrue(a.train().stream().noneMatch(p -> p.id().startsWith("dup")));

        List<SourceImage> reversed = new ArrayList<>(sources);
        Collections.reverse(reversed);
        PreparedDataset b = DatasetPreparer.prepare(reversed);
        assertEquals(a.heldOut().stream().map(p -> DatasetPreparer.hex(p.sha256())).sorted().toList(),
                b.heldOut().stream().map(p -> DatasetPreparer.hex(p.sha256())).sorted().toList());
        for (PreparedImage p : a.heldOut()) {
            assertTrue(DatasetPreparer.isHeldOut(p.sha256()));
        }
        for (PreparedImage p : a.train()) {
            assertTrue(!DatasetPreparer.isHeldOut(p.sha256()));
        }
    }

    @Test
    void heldOutRuleReadsTheFirstEightHashBytes() {
        byte[] h = new byte[32];
        assertTrue(DatasetPreparer.isHeldOut(h)); // 0 mod 10
        h[7] = 10;
        assertTrue(DatasetPreparer.isHeldOut(h));
        h[7] = 11;
        assertTrue(!DatasetPreparer.isHeldOut(h));
        h[7] = 10;
        h[8] = 1; // beyond the first 8 bytes: ignored
        assertTrue(DatasetPreparer.isHeldOut(h));
    }

    @Test
    void avgPoolAveragesEachTwoByTwoBlockPerChannel() {
        int n = 2;
        int c = 3;
        float[] data = new float[n * 4 * 4 * c];
        Random random = new Random(7);
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextFloat() * 2 - 1;
        }
        ImageBatch pooled = DatasetPreparer.avgPool2x2(new ImageBatch(data.clone(), n, new Resolution(4, 4), c));
        assertEquals(new Resolution(2, 2), pooled.resolution());
        double maxErr = 0;
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    for (int k = 0; k < c; k++) {
                        double sum = 0;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                sum += data[((b * 4 + 2 * y + dy) * 4 + 2 * x + dx) * c + k];
                            }
                        }
                        maxErr = Math.max(maxErr, Math.abs(sum / 4 - pooled.data()[((b * 2 + y) * 2 + x) * c + k]));
                    }
                }
            }
        }
        assertTrue(maxErr < 1e-6, "max abs error " + maxErr);
    }

    @Test
    void valuesMapToMinusOneToOne() {
        assertEquals(-1f, DatasetPreparer.toUnit(0));
        assertEquals(1f, DatasetPreparer.toUnit(255));
        PreparedImage white = DatasetPreparer.prepare(new SourceImage("w", 3, filled(4, 4, 0)));
        ImageBatch batch = PreparedDataset.toBatch(List.of(white));
        for (float f : batch.data()) {
            assertEquals(1f, f);
        }
        assertEquals(3, white.label());
    }
}
