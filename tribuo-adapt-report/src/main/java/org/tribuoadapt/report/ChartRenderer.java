package org.tribuoadapt.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickUnits;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.MeetOrSlice;
import org.jfree.svg.PreserveAspectRatio;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;
import org.jfree.svg.ViewBox;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Draws {@link ReportChart}s with JFreeChart and renders them as inline SVG through JFreeSVG's
 * {@link SVGGraphics2D}.
 * <p>
 * A {@link GridChart} is drawn as coloured blocks, one per cell, in the palette's colours lightened halfway to
 * white, with its texts centred on the cells and a legend of its categories.
 * <p>
 * Charts use a fixed size, a white background, light solid grid lines and the colour-blind-safe Okabe&ndash;Ito
 * palette with 2px lines; series beyond the seventh reuse the colours with dashed, then dotted, strokes. Line
 * series with at most {@value #MAX_POINTS_WITH_MARKERS} points also get point markers. Points with NaN or
 * infinite values, and non-positive values on a logarithmic axis, are skipped (in a line series the neighbouring
 * points are joined directly). A linear x axis whose drawn values are all integers (e.g. epochs) gets integer
 * ticks. A logarithmic axis spans whole decades around the drawn values and is labelled at powers of ten, with
 * minor grid lines at 2..9 times each power. Fonts are the logical {@code SansSerif} family, which JFreeSVG
 * writes as the generic CSS {@code sans-serif}; linear tick labels use JFreeChart's default (JVM-locale) number
 * formats.
 * <p>
 * Rendering works in a headless JVM (it only needs font metrics) and sets no global state: the JFreeChart theme
 * is applied to each chart instance and never installed as the default. The SVG is deterministic: its
 * definitions (clip paths) use the element id as a prefix instead of JFreeSVG's time-based default, which also
 * keeps ids unique when several charts are inlined into one HTML page.
 */
public final class ChartRenderer {

    /** The default chart width in pixels. */
    public static final int DEFAULT_WIDTH = 760;
    /** The default chart height in pixels. */
    public static final int DEFAULT_HEIGHT = 420;
    /** Line series with at most this many drawn points show point markers. */
    public static final int MAX_POINTS_WITH_MARKERS = 30;

    private static final Pattern ID_PATTERN = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

    /** Okabe & Ito's colour-blind-safe palette, without yellow (too pale on white). */
    private static final List<Color> PALETTE = List.of(
            new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
            new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000));
    private static final float LINE_WIDTH = 2.0f;
    private static final float[][] DASHES = {null, {8f, 4f}, {2f, 4f}};
    private static final Color GRID = new Color(0xDDDDDD);
    private static final Color MINOR_GRID = new Color(0xF0F0F0);
    private static final Color TEXT = new Color(0x333333);
    private static final Stroke GRID_STROKE = new BasicStroke(0.75f);
    /** Tick units for log axes, in powers of ten; unit 1 has minor ticks at 2..9 times each power. */
    private static final TickUnits LOG_TICK_UNITS = logTickUnits();
    private static final String FONT_FAMILY = Font.SANS_SERIF;

    private final int width;
    private final int height;

    /**
     * Creates a renderer producing charts of {@link #DEFAULT_WIDTH} by {@link #DEFAULT_HEIGHT} pixels.
     */
    public ChartRenderer() {
        this(DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    /**
     * Creates a renderer producing charts of the given size.
     * @param width The width in pixels, positive.
     * @param height The height in pixels, positive.
     */
    public ChartRenderer(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("Chart size must be positive, got " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
    }

    /**
     * Renders a chart as an {@code <svg>} element with the given id, a {@code viewBox} and fixed width and
     * height attributes.
     * @param chart The chart.
     * @param id The element id, also used as the prefix of ids inside the SVG; it must match
     *     {@code [A-Za-z][A-Za-z0-9_-]*}.
     * @return The SVG element markup.
     */
    public String renderSvg(ReportChart chart, String id) {
        Objects.requireNonNull(chart, "chart");
        if (id == null || !ID_PATTERN.matcher(id).matches()) {
            throw new IllegalArgumentException("Invalid SVG id '" + id + "' for chart '" + chart.title()
                    + "', it must match " + ID_PATTERN.pattern());
        }
        JFreeChart jfreeChart = createChart(chart);
        SVGGraphics2D g2 = new SVGGraphics2D(width, height);
        g2.setDefsKeyPrefix(id + "-");
        g2.setGeomDoubleConverter(SVGUtils.createDoubleConverter(2));
        jfreeChart.draw(g2, new Rectangle2D.Double(0, 0, width, height));
        return g2.getSVGElement(id, true, new ViewBox(0, 0, width, height), PreserveAspectRatio.XMID_YMID,
                MeetOrSlice.MEET);
    }

    /**
     * Builds the styled JFreeChart for a report chart, e.g. to render it in another format.
     * @param chart The chart.
     * @return A new JFreeChart.
     */
    public JFreeChart createChart(ReportChart chart) {
        Plot plot;
        if (chart instanceof LineChart line) {
            plot = linePlot(line);
        } else if (chart instanceof GridChart grid) {
            plot = gridPlot(grid);
        } else {
            plot = barPlot((BarChart) chart);
        }
        boolean legend = chart.seriesNames().size() > 1 || chart instanceof GridChart;
        JFreeChart jfreeChart = new JFreeChart(chart.title(), new Font(FONT_FAMILY, Font.BOLD, 16), plot, legend);
        // The theme resets series paints and strokes, so series are styled after it is applied.
        theme().apply(jfreeChart);
        if (jfreeChart.getLegend() != null) {
            jfreeChart.getLegend().setItemLabelPadding(new RectangleInsets(2, 2, 2, 14));
        }
        if (chart instanceof GridChart) {
            ((XYPlot) plot).setDomainGridlinesVisible(false);
            ((XYPlot) plot).setRangeGridlinesVisible(false);
        } else if (plot instanceof XYPlot xyPlot) {
            styleLines(xyPlot);
        } else {
            styleBars((CategoryPlot) plot);
        }
        return jfreeChart;
    }

    private static XYPlot linePlot(LineChart chart) {
        XYSeriesCollection dataset = new XYSeriesCollection();
        Extent xExtent = new Extent();
        Extent yExtent = new Extent();
        for (LineChart.Series s : chart.series()) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            double[] x = s.x();
            double[] y = s.y();
            for (int j = 0; j < x.length; j++) {
                if (drawable(x[j], chart.logX()) && drawable(y[j], chart.logY())) {
                    xy.add(x[j], y[j]);
                    xExtent.add(x[j]);
                    yExtent.add(y[j]);
                }
            }
            dataset.addSeries(xy);
        }
        ValueAxis xAxis = valueAxis(chart.xLabel(), chart.logX(), false, xExtent);
        if (xAxis instanceof NumberAxis numberAxis && xExtent.allIntegers) {
            numberAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        }
        ValueAxis yAxis = valueAxis(chart.yLabel(), chart.logY(), false, yExtent);
        XYPlot plot = new XYPlot(dataset, xAxis, yAxis, new XYLineAndShapeRenderer(true, false));
        plot.setDomainMinorGridlinesVisible(chart.logX());
        plot.setRangeMinorGridlinesVisible(chart.logY());
        return plot;
    }

    /**
     * A grid: one block per cell at (column index, row index), coloured by its category's palette colour (empty cells
     * are not drawn), with the cell texts centred on the blocks and one legend item per category.
     */
    private static XYPlot gridPlot(GridChart chart) {
        List<String> categories = chart.categories();
        List<double[]> points = new ArrayList<>();
        for (int r = 0; r < chart.rows().size(); r++) {
            for (int c = 0; c < chart.columns().size(); c++) {
                String category = chart.cells().get(r).get(c);
                if (category != null) {
                    points.add(new double[] {c, r, categories.indexOf(category)});
                }
            }
        }
        double[][] xyz = new double[3][points.size()];
        for (int i = 0; i < points.size(); i++) {
            for (int d = 0; d < 3; d++) {
                xyz[d][i] = points.get(i)[d];
            }
        }
        DefaultXYZDataset dataset = new DefaultXYZDataset();
        dataset.addSeries(chart.title(), xyz);
        LookupPaintScale scale = new LookupPaintScale(-0.5, categories.size() - 0.5, Color.WHITE);
        LegendItemCollection legend = new LegendItemCollection();
        for (int k = 0; k < categories.size(); k++) {
            scale.add(k - 0.5, gridColour(k));
            legend.add(new LegendItem(categories.get(k), gridColour(k)));
        }
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(scale);
        SymbolAxis xAxis = new SymbolAxis(chart.xLabel(), chart.columns().toArray(new String[0]));
        SymbolAxis yAxis = new SymbolAxis(chart.yLabel(), chart.rows().toArray(new String[0]));
        xAxis.setGridBandsVisible(false);
        yAxis.setGridBandsVisible(false);
        xAxis.setRange(-0.5, chart.columns().size() - 0.5);
        yAxis.setRange(-0.5, chart.rows().size() - 0.5);
        XYPlot plot = new XYPlot(dataset, xAxis, yAxis, renderer);
        plot.setFixedLegendItems(legend);
        for (int r = 0; r < chart.rows().size(); r++) {
            for (int c = 0; c < chart.columns().size(); c++) {
                String text = chart.texts().get(r).get(c);
                if (text != null) {
                    XYTextAnnotation annotation = new XYTextAnnotation(text, c, r);
                    annotation.setFont(new Font(FONT_FAMILY, Font.PLAIN, 11));
                    annotation.setPaint(TEXT);
                    plot.addAnnotation(annotation);
                }
            }
        }
        return plot;
    }

    /** A category's colour in a grid: the palette, lightened so that cell texts stay readable. */
    private static Color gridColour(int category) {
        Color base = colour(category);
        return new Color((base.getRed() + 255) / 2, (base.getGreen() + 255) / 2, (base.getBlue() + 255) / 2);
    }

    private static CategoryPlot barPlot(BarChart chart) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        Extent extent = new Extent();
        List<String> categories = chart.categories();
        for (BarChart.Series s : chart.series()) {
            double[] values = s.values();
            for (int c = 0; c < values.length; c++) {
                // A null value keeps the category on the axis but draws no bar.
                Double value = null;
                if (drawable(values[c], chart.logY())) {
                    value = values[c];
                    extent.add(values[c]);
                }
                dataset.addValue(value, s.name(), categories.get(c));
            }
        }
        BarRenderer renderer = new BarRenderer();
        // On a log axis the bars' base (zero) must not stretch the range down to the smallest double.
        renderer.setIncludeBaseInRange(!chart.logY());
        CategoryAxis categoryAxis = new CategoryAxis(chart.xLabel());
        categoryAxis.setCategoryMargin(0.2);
        if (categories.size() > 6 || categories.stream().anyMatch(c -> c.length() > 14)) {
            categoryAxis.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        CategoryPlot plot = new CategoryPlot(dataset, categoryAxis,
                valueAxis(chart.yLabel(), chart.logY(), true, extent), renderer);
        plot.setRangeMinorGridlinesVisible(chart.logY());
        return plot;
    }

    private static void styleLines(XYPlot plot) {
        XYLineAndShapeRenderer renderer = (XYLineAndShapeRenderer) plot.getRenderer();
        for (int i = 0; i < plot.getDataset().getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, colour(i));
            renderer.setSeriesStroke(i, stroke(i));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
            renderer.setSeriesShapesVisible(i, plot.getDataset().getItemCount(i) <= MAX_POINTS_WITH_MARKERS);
        }
        plot.setDomainGridlineStroke(GRID_STROKE);
        plot.setRangeGridlineStroke(GRID_STROKE);
        plot.setDomainMinorGridlinePaint(MINOR_GRID);
        plot.setRangeMinorGridlinePaint(MINOR_GRID);
        plot.setDomainMinorGridlineStroke(GRID_STROKE);
        plot.setRangeMinorGridlineStroke(GRID_STROKE);
    }

    private static void styleBars(CategoryPlot plot) {
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        for (int i = 0; i < plot.getDataset().getRowCount(); i++) {
            renderer.setSeriesPaint(i, colour(i));
        }
        renderer.setDrawBarOutline(false);
        renderer.setItemMargin(0.05);
        plot.setRangeGridlineStroke(GRID_STROKE);
        plot.setRangeMinorGridlinePaint(MINOR_GRID);
        plot.setRangeMinorGridlineStroke(GRID_STROKE);
    }

    /**
     * Creates a value axis. A logarithmic axis spans whole decades around the drawn values (plus a small margin)
     * and is labelled at powers of ten, with minor ticks at 2..9 times each power.
     */
    private static ValueAxis valueAxis(String label, boolean log, boolean includeZero, Extent extent) {
        if (!log) {
            NumberAxis axis = new NumberAxis(label);
            axis.setAutoRangeIncludesZero(includeZero);
            return axis;
        }
        LogAxis axis = new LogAxis(label);
        axis.setStandardTickUnits(LOG_TICK_UNITS);
        axis.setMinorTickMarksVisible(true);
        double low = extent.isEmpty() ? 0 : Math.floor(Math.log10(extent.min));
        double high = extent.isEmpty() ? 1 : Math.ceil(Math.log10(extent.max));
        if (high <= low) {
            high = low + 1;
        }
        double margin = 0.02 * (high - low);
        axis.setRange(Math.pow(10, low - margin), Math.pow(10, high + margin));
        return axis;
    }

    /**
     * The range of the values drawn on one axis.
     */
    private static final class Extent {
        private double min = Double.POSITIVE_INFINITY;
        private double max = Double.NEGATIVE_INFINITY;
        private boolean allIntegers = true;

        void add(double value) {
            min = Math.min(min, value);
            max = Math.max(max, value);
            allIntegers &= value == Math.rint(value);
        }

        boolean isEmpty() {
            return min > max;
        }
    }

    private static boolean drawable(double value, boolean log) {
        return Double.isFinite(value) && (!log || value > 0);
    }

    private static Color colour(int series) {
        return PALETTE.get(series % PALETTE.size());
    }

    private static Stroke stroke(int series) {
        float[] dash = DASHES[(series / PALETTE.size()) % DASHES.length];
        return new BasicStroke(LINE_WIDTH, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, dash, 0f);
    }

    private static TickUnits logTickUnits() {
        DecimalFormat exponent = new DecimalFormat("0", DecimalFormatSymbols.getInstance(Locale.ROOT));
        TickUnits units = new TickUnits();
        units.add(new NumberTickUnit(1, exponent, 9));
        for (int size : new int[]{2, 5, 10, 20, 50, 100}) {
            units.add(new NumberTickUnit(size, exponent, 0));
        }
        return units;
    }

    private static StandardChartTheme theme() {
        StandardChartTheme theme = new StandardChartTheme("Tribuo Adapt report", false);
        theme.setExtraLargeFont(new Font(FONT_FAMILY, Font.BOLD, 16));
        theme.setLargeFont(new Font(FONT_FAMILY, Font.BOLD, 13));
        theme.setRegularFont(new Font(FONT_FAMILY, Font.PLAIN, 12));
        theme.setSmallFont(new Font(FONT_FAMILY, Font.PLAIN, 11));
        theme.setTitlePaint(TEXT);
        theme.setAxisLabelPaint(TEXT);
        theme.setTickLabelPaint(TEXT);
        theme.setLegendItemPaint(TEXT);
        theme.setChartBackgroundPaint(Color.WHITE);
        theme.setLegendBackgroundPaint(Color.WHITE);
        theme.setPlotBackgroundPaint(Color.WHITE);
        theme.setPlotOutlinePaint(new Color(0xAAAAAA));
        theme.setDomainGridlinePaint(GRID);
        theme.setRangeGridlinePaint(GRID);
        theme.setAxisOffset(new RectangleInsets(4, 4, 4, 4));
        theme.setBarPainter(new StandardBarPainter());
        theme.setShadowVisible(false);
        return theme;
    }
}
