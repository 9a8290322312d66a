package io.transferpool.report;

import java.util.List;
import java.util.Locale;

/** Small inline-SVG charts for the job report: no scripts, no external assets. */
public final class Svg {
    private Svg() {
    }

    /** One named series of (x, y) points with a colour. */
    record Series(String name, String colour, double[] x, double[] y) {
    }

    /** A line chart with axes, ticks and a legend; NaN points are skipped. */
    static String lineChart(String id, String title, List<Series> series, int width, int height) {
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isNaN(s.y()[i])) {
                    minX = Math.min(minX, s.x()[i]);
                    maxX = Math.max(maxX, s.x()[i]);
                    minY = Math.min(minY, s.y()[i]);
                    maxY = Math.max(maxY, s.y()[i]);
                }
            }
        }
        if (minX > maxX) {
            return "<p class=\"empty\">" + esc(title) + ": no data</p>";
        }
        if (maxX == minX) {
            maxX = minX + 1;
        }
        double pad = (maxY - minY) * 0.05 + 1e-9;
        minY -= pad;
        maxY += pad;
        int left = 48, right = 12, top = 28, bottom = 32;
        double pw = width - left - right, ph = height - top - bottom;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
                + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", id, width, height,
                width, height, esc(title)));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" class=\"title\">%s</text>", left, esc(title)));
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" class=\"plot\"/>",
                left, top, pw, ph));
        for (int i = 0; i <= 4; i++) {
            double v = minY + (maxY - minY) * i / 4;
            double y = top + ph - ph * i / 4;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%.3f</text>", left, left + pw, y, y,
                    left - 4, y + 4, v));
        }
        int steps = (int) Math.min(10, maxX - minX);
        for (int i = 0; i <= steps; i++) {
            double v = minX + (maxX - minX) * i / Math.max(1, steps);
            double x = left + pw * i / Math.max(1, steps);
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">%.0f"
                    + "</text>", x, top + ph + 16, v));
        }
        int legend = 0;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isNaN(s.y()[i])) {
                    double x = left + pw * (s.x()[i] - minX) / (maxX - minX);
                    double y = top + ph - ph * (s.y()[i] - minY) / (maxY - minY);
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                }
            }
            b.append(String.format(Locale.ROOT, "<polyline class=\"curve\" data-series=\"%s\" points=\"%s\" "
                    + "fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>", esc(s.name()), pts.toString().trim(), s.colour()));
            int lx = left + 8 + legend * 130;
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\" class=\"legend\">%s</text>", lx, top + 10, s.colour(), lx + 16, top + 14,
                    esc(s.name())));
            legend++;
        }
        return b.append("</svg>").toString();
    }

    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
