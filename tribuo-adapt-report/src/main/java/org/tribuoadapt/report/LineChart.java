package org.tribuoadapt.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An immutable line chart: named series of (x, y) points, optionally on logarithmic axes.
 * <p>
 * Points with a NaN or infinite coordinate, or a non-positive coordinate on a logarithmic axis, are skipped when
 * the chart is drawn; the JSON report keeps them.
 */
public final class LineChart extends ReportChart {

    /**
     * One named series of a line chart; x and y always have the same length.
     */
    public static final class Series {
        private final String name;
        private final double[] x;
        private final double[] y;

        private Series(String chartTitle, String name, double[] x, double[] y) {
            this.name = Objects.requireNonNull(name, "series name in chart '" + chartTitle + "'");
            Objects.requireNonNull(x, "x values of series '" + name + "' in chart '" + chartTitle + "'");
            Objects.requireNonNull(y, "y values of series '" + name + "' in chart '" + chartTitle + "'");
            if (x.length != y.length) {
                throw new IllegalArgumentException("Line series '" + name + "' in chart '" + chartTitle + "' has "
                        + x.length + " x values but " + y.length + " y values; they must be the same length");
            }
            this.x = x.clone();
            this.y = y.clone();
        }

        /**
         * The series name, shown in the legend.
         * @return The name.
         */
        public String name() {
            return name;
        }

        /**
         * The x coordinates.
         * @return A copy of the x values.
         */
        public double[] x() {
            return x.clone();
        }

        /**
         * The y coordinates.
         * @return A copy of the y values.
         */
        public double[] y() {
            return y.clone();
        }

        /**
         * The number of points.
         * @return The length of x and y.
         */
        public int size() {
            return x.length;
        }
    }

    private final boolean logX;
    private final List<Series> series;

    private LineChart(Builder builder) {
        super(builder, builder.series.stream().map(Series::name).toList());
        this.logX = builder.logX;
        this.series = List.copyOf(builder.series);
    }

    /**
     * Starts building a line chart.
     * @param title The chart title.
     * @param xLabel The x-axis label.
     * @param yLabel The y-axis label.
     * @return A builder.
     */
    public static Builder builder(String title, String xLabel, String yLabel) {
        return new Builder(title, xLabel, yLabel);
    }

    /**
     * Always {@link ChartType#LINE}.
     * @return {@link ChartType#LINE}.
     */
    @Override
    public ChartType type() {
        return ChartType.LINE;
    }

    /**
     * Whether the x axis is logarithmic; non-positive x values are then not drawn.
     * @return True for a log-scale x axis.
     */
    public boolean logX() {
        return logX;
    }

    /**
     * The series, in legend order.
     * @return An unmodifiable list of series.
     */
    public List<Series> series() {
        return series;
    }

    /**
     * Builds a {@link LineChart}.
     */
    public static final class Builder extends ChartBuilder<Builder> {
        private boolean logX;
        private final List<Series> series = new ArrayList<>();

        private Builder(String title, String xLabel, String yLabel) {
            super(title, xLabel, yLabel);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Adds a series; the arrays are copied.
         * @param name The series name, unique within the chart.
         * @param x The x values.
         * @param y The y values, the same length as {@code x}.
         * @return This builder.
         * @throws IllegalArgumentException If the lengths differ; the message gives the series name and both
         *     lengths.
         */
        public Builder addSeries(String name, double[] x, double[] y) {
            series.add(new Series(title, name, x, y));
            return this;
        }

        /**
         * Adds a series whose x values are 1, 2, ..., n (e.g. epochs).
         * @param name The series name, unique within the chart.
         * @param y The y values.
         * @return This builder.
         */
        public Builder addSeries(String name, double[] y) {
            Objects.requireNonNull(y, "y values of series '" + name + "' in chart '" + title + "'");
            double[] x = new double[y.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            return addSeries(name, x, y);
        }

        /**
         * Sets whether the x axis is logarithmic.
         * @param logX True for a log-scale x axis.
         * @return This builder.
         */
        public Builder logX(boolean logX) {
            this.logX = logX;
            return this;
        }

        /**
         * Builds the chart.
         * @return The chart.
         * @throws IllegalArgumentException If there are no series or two series share a name.
         */
        public LineChart build() {
            return new LineChart(this);
        }
    }
}
