package io.c2f.models.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** A PNG contact sheet of prepared images, for a person to check colours, alpha and framing. */
final class PreviewGrid {
    private PreviewGrid() {}

    /** The first columns*rows images, each drawn at {@code zoom}x with nearest neighbour, row-major. */
    public static BufferedImage render(List<PreparedImage> images, int columns, int rows, int zoom) {
        int s = DatasetPreparer.SIZE;
        BufferedImage grid = new BufferedImage(columns * s * zoom, rows * s * zoom, BufferedImage.TYPE_INT_RGB);
        int n = Math.min(images.size(), columns * rows);
        for (int i = 0; i < n; i++) {
            byte[] rgb = images.get(i).rgb8();
            int gx = (i % columns) * s * zoom;
            int gy = (i / columns) * s * zoom;
            for (int y = 0; y < s * zoom; y++) {
                for (int x = 0; x < s * zoom; x++) {
                    int p = 3 * ((y / zoom) * s + x / zoom);
                    grid.setRGB(gx + x, gy + y, ((rgb[p] & 0xFF) << 16) | ((rgb[p + 1] & 0xFF) << 8) | (rgb[p + 2] & 0xFF));
                }
            }
        }
        return grid;
    }

    public static void write(Path file, List<PreparedImage> images, int columns, int rows, int zoom) throws IOException {
        if (!ImageIO.write(render(images, columns, rows, zoom), "png", file.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
    }
}
