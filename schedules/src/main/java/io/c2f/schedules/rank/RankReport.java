package io.c2f.schedules.rank;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.function.ToIntFunction;
import javax.imageio.ImageIO;

/** Rank curves as CSV and as a PNG line plot (Java2D, headless). */
public final class RankReport {
    private static final int WIDTH = 960;
    private static final int HEIGHT = 600;
    private static final int LEFT = 70;
    private static final int RIGHT = 250;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(255, 127, 14),
        new Color(44, 160, 44), new Color(148, 103, 189)};

    private RankReport() {
    }

    /** Header {@code trajectory,step,timestep,resolution,x0_rank95,x0_rank99,xt_rank95,xt_rank99,seeds}. */
    public static String csv(List<RankCurve> curves) {
        StringBuilder sb = new StringBuilder("trajectory,step,timestep,resolution,x0_rank95,x0_rank99,xt_rank95,"
                + "xt_rank99,seeds\n");
        for (RankCurve c : curves) {
            for (RankPoint p : c.points()) {
                sb.append(String.format(Locale.ROOT, "%s,%d,%d,%s,%d,%d,%d,%d,%d%n", c.label(), p.step(),
                        p.timestep(), p.resolution(), p.x0Rank95(), p.x0Rank99(), p.xtRank95(), p.xtRank99(),
                        c.seeds()));
            }
        }
        return sb.toString();
    }

    private record Series(String name, ToIntFunction<RankPoint> value, Stroke stroke) {
    }

    /**
     * Rank (y) against time step (x, T on the left, 0 on the right, the direction of sampling) for
     * every curve: x0 at 95% (solid, thick), x0 at 99% (dashed), x_t at 95% (dotted); a vertical red
     * line marks the recommended switch time step (none when negative).
     */
    public static byte[] png(List<RankCurve> curves, int trainTimesteps, int switchTimestep, String title) {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int plotW = WIDTH - LEFT - RIGHT;
            int plotH = HEIGHT - TOP - BOTTOM;
            int maxRank = 1;
            for (RankCurve c : curves) {
                maxRank = Math.max(maxRank, c.seeds());
            }
            final int yMax = maxRank;
            java.util.function.IntUnaryOperator px = t -> LEFT + (int) Math.round(
                    (double) (trainTimesteps - 1 - t) / (trainTimesteps - 1) * plotW);
            java.util.function.IntUnaryOperator py = r -> TOP + plotH - (int) Math.round((double) r / yMax * plotH);

            // grid and axes
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            int yTick = yMax <= 40 ? 4 : yMax <= 80 ? 8 : 16;
            for (int r = 0; r <= yMax; r += yTick) {
                g.setColor(new Color(230, 230, 230));
                g.drawLine(LEFT, py.applyAsInt(r), LEFT + plotW, py.applyAsInt(r));
                g.setColor(Color.BLACK);
                String s = Integer.toString(r);
                g.drawString(s, LEFT - 8 - fm.stringWidth(s), py.applyAsInt(r) + fm.getAscent() / 2 - 1);
            }
            int xTick = trainTimesteps >= 500 ? 100 : Math.max(1, trainTimesteps / 10);
            for (int t = 0; t < trainTimesteps; t += xTick) {
                int x = px.applyAsInt(t);
                g.setColor(new Color(230, 230, 230));
                g.drawLine(x, TOP, x, TOP + plotH);
                g.setColor(Color.BLACK);
                String s = Integer.toString(t);
                g.drawString(s, x - fm.stringWidth(s) / 2, TOP + plotH + 18);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, plotW, plotH);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            fm = g.getFontMetrics();
            String xLabel = "time step t (sampling runs left to right)";
            g.drawString(xLabel, LEFT + (plotW - fm.stringWidth(xLabel)) / 2, HEIGHT - 18);
            Graphics2D gy = (Graphics2D) g.create();
            gy.rotate(-Math.PI / 2);
            String yLabel = "PCA rank of the batch (N = " + yMax + ")";
            gy.drawString(yLabel, -(TOP + (plotH + fm.stringWidth(yLabel)) / 2), 22);
            gy.dispose();
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, LEFT, 30);

            // curves
            Stroke solid = new BasicStroke(2.5f);
            Stroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f,
                    new float[] {8f, 5f}, 0f);
            Stroke dotted = new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f,
                    new float[] {2f, 4f}, 0f);
            List<Series> series = List.of(new Series("x0 rank 95%", RankPoint::x0Rank95, solid),
                    new Series("x0 rank 99%", RankPoint::x0Rank99, dashed),
                    new Series("x_t rank 95%", RankPoint::xtRank95, dotted));
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            fm = g.getFontMetrics();
            int legendY = TOP + 10;
            int legendX = LEFT + plotW + 20;
            for (int ci = 0; ci < curves.size(); ci++) {
                RankCurve c = curves.get(ci);
                Color color = COLORS[ci % COLORS.length];
                for (Series s : series) {
                    g.setColor(color);
                    g.setStroke(s.stroke());
                    List<RankPoint> pts = c.points();
                    for (int i = 1; i < pts.size(); i++) {
                        g.drawLine(px.applyAsInt(pts.get(i - 1).timestep()), py.applyAsInt(s.value().applyAsInt(pts.get(i - 1))),
                                px.applyAsInt(pts.get(i).timestep()), py.applyAsInt(s.value().applyAsInt(pts.get(i))));
                    }
                    if (pts.size() == 1) {
                        g.fillOval(px.applyAsInt(pts.get(0).timestep()) - 2,
                                py.applyAsInt(s.value().applyAsInt(pts.get(0))) - 2, 5, 5);
                    }
                    legendY += 20;
                    g.drawLine(legendX, legendY - 4, legendX + 30, legendY - 4);
                    g.setStroke(new BasicStroke(1f));
                    g.setColor(Color.BLACK);
                    g.drawString(c.label() + ": " + s.name(), legendX + 38, legendY);
                }
                if (c.plan().hasLowPhase()) {
                    legendY += 16;
                    g.setColor(Color.DARK_GRAY);
                    g.drawString("  (low-res steps: " + c.plan().low() + ")", legendX, legendY);
                }
                legendY += 8;
            }
            if (switchTimestep >= 0) {
                int x = px.applyAsInt(switchTimestep);
                g.setColor(new Color(214, 39, 40));
                g.setStroke(new BasicStroke(2f));
                g.drawLine(x, TOP, x, TOP + plotH);
                String s = "recommended switch t = " + switchTimestep;
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
                fm = g.getFontMetrics();
                int tx = Math.min(x + 6, LEFT + plotW - fm.stringWidth(s) - 4);
                g.setColor(Color.WHITE);
                g.fillRect(tx - 2, TOP + 22 - fm.getAscent(), fm.stringWidth(s) + 4, fm.getHeight());
                g.setColor(new Color(214, 39, 40));
                g.drawString(s, tx, TOP + 22);
                legendY += 20;
                g.drawLine(legendX, legendY - 4, legendX + 30, legendY - 4);
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
                g.drawString("recommended switch", legendX + 38, legendY);
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
