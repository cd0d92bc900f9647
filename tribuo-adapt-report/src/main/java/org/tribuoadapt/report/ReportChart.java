package org.tribuoadapt.report;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable chart in a report: a {@link LineChart}, a {@link BarChart} or a {@link GridChart}.
 * <p>
 * Every chart has a title, axis labels and a flag for a logarithmic (base 10) value axis. When rendered, points
 * whose values are NaN or infinite are skipped, as are non-positive values on a logarithmic axis; the JSON report
 * always keeps every value (non-finite numbers are written as the strings {@code "NaN"}, {@code "Infinity"} and
 * {@code "-Infinity"}).
 */
public abstract sealed class ReportChart implements ReportBlock permits LineChart, BarChart, GridChart {

    /**
     * The kind of a chart, as written to the {@code type} field of the JSON report.
     */
    public enum ChartType {
        /** A line chart of numeric x/y series. */
        LINE("line"),
        /** A grouped bar chart of categories by series. */
        BAR("bar"),
        /** A coloured grid of categorical cells. */
        GRID("grid");

        private final String jsonName;

        ChartType(String jsonName) {
            this.jsonName = jsonName;
        }

        /**
         * The name used in the JSON report.
         * @return {@code "line"}, {@code "bar"} or {@code "grid"}.
         */
        public String jsonName() {
            return jsonName;
        }
    }

    /**
     * The settings every chart builder has: title, axis labels and a logarithmic value axis.
     * @param <B> The concrete builder type, returned by the setters.
     */
    public abstract static sealed class ChartBuilder<B extends ChartBuilder<B>>
            permits LineChart.Builder, BarChart.Builder, GridChart.Builder {
        final String title;
        final String xLabel;
        final String yLabel;
        boolean logY;

        ChartBuilder(String title, String xLabel, String yLabel) {
            this.title = Objects.requireNonNull(title, "chart title");
            this.xLabel = Objects.requireNonNull(xLabel, "x-axis label of chart '" + title + "'");
            this.yLabel = Objects.requireNonNull(yLabel, "y-axis label of chart '" + title + "'");
        }

        /**
         * Sets whether the value (y) axis is logarithmic; non-positive values are then not drawn.
         * @param logY True for a log-scale value axis.
         * @return This builder.
         */
        public B logY(boolean logY) {
            this.logY = logY;
            return self();
        }

        abstract B self();
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logY;
    private final List<String> seriesNames;

    /**
     * Stores the common settings and checks the series names.
     * @param builder The builder with the common settings.
     * @param seriesNames The names of the chart's series, in order.
     * @throws IllegalArgumentException If there are no series or two share a name.
     */
    ReportChart(ChartBuilder<?> builder, List<String> seriesNames) {
        this.title = builder.title;
        this.xLabel = builder.xLabel;
        this.yLabel = builder.yLabel;
        this.logY = builder.logY;
        this.seriesNames = List.copyOf(seriesNames);
        checkNames(title, "series", this.seriesNames);
    }

    /**
     * The chart's kind.
     * @return The chart type.
     */
    public abstract ChartType type();

    /**
     * The names of the chart's series, in legend order.
     * @return An unmodifiable list of series names.
     */
    public List<String> seriesNames() {
        return seriesNames;
    }

    /**
     * The chart title.
     * @return The title.
     */
    public String title() {
        return title;
    }

    /**
     * The chart title; the same as {@link #title()}.
     * @return The title.
     */
    @Override
    public String caption() {
        return title;
    }

    /**
     * The label of the horizontal axis.
     * @return The x-axis label.
     */
    public String xLabel() {
        return xLabel;
    }

    /**
     * The label of the vertical (value) axis.
     * @return The y-axis label.
     */
    public String yLabel() {
        return yLabel;
    }

    /**
     * Whether the vertical axis is logarithmic; non-positive values are then not drawn.
     * @return True for a log-scale y axis.
     */
    public boolean logY() {
        return logY;
    }

    /**
     * Checks that a chart has at least one series (or category) and that their names are unique.
     * @param chartTitle The chart title, for messages.
     * @param kind What is named, {@code "series"} or {@code "categories"}, for messages.
     * @param names The names.
     * @throws IllegalArgumentException If the list is empty or has a repeated name.
     */
    static void checkNames(String chartTitle, String kind, List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("Chart '" + chartTitle + "' has no " + kind);
        }
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            if (!seen.add(name)) {
                throw new IllegalArgumentException("Chart '" + chartTitle + "' has two " + kind + " named '"
                        + name + "'");
            }
        }
    }
}
