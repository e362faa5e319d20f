package io.c2f.models.image;

import io.c2f.models.tensor.ImageBatch;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * A batch laid out as a rows x cols grid in one PNG, row-major (image i at row i / cols, column
 * i % cols), with {@code padding} black pixels between and around the images. Cells past the end of
 * the batch stay black; images past rows x cols are left out.
 */
public final class ImageGrid {
    private ImageGrid() {
    }

    public static byte[] png(ImageBatch batch, int rows, int cols, int padding) {
        if (rows <= 0 || cols <= 0 || padding < 0) {
            throw new IllegalArgumentException("grid needs rows, cols > 0 and padding >= 0, got " + rows + ", "
                    + cols + ", " + padding);
        }
        int h = batch.height();
        int w = batch.width();
        BufferedImage grid = new BufferedImage(cols * (w + padding) + padding, rows * (h + padding) + padding,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            int n = Math.min(batch.batch(), rows * cols);
            for (int i = 0; i < n; i++) {
                int x = padding + (i % cols) * (w + padding);
                int y = padding + (i / cols) * (h + padding);
                g.drawImage(PngImages.toRgb(batch, i), x, y, null);
            }
        } finally {
            g.dispose();
        }
        return PngImages.write(grid);
    }

    /** A near-square grid: cols = ceil(sqrt(n)), rows as needed, 1 pixel padding. */
    public static byte[] png(ImageBatch batch) {
        int cols = (int) Math.ceil(Math.sqrt(batch.batch()));
        int rows = (batch.batch() + cols - 1) / cols;
        return png(batch, rows, cols, 1);
    }
}
