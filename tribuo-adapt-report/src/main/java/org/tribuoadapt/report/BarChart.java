package org.tribuoadapt.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable grouped bar chart: one group of bars per category, one bar per series in each group.
 * <p>
 * NaN or infinite values, and non-positive values on a logarithmic axis, are not drawn; the JSON report keeps
 * them.
 */
public final class BarChart extends ReportChart {

    /**
     * One named series of a bar chart: a value per category.
     */
    public static final class Series {
        private final String name;
        private final double[] values;

        private Series(String chartTitle, List<String> categories, String name, double[] values) {
            this.name = Objects.requireNonNull(name, "series name in chart '" + chartTitle + "'");
            Objects.requireNonNull(values, "values of series '" + name + "' in chart '" + chartTitle + "'");
            if (values.length != categories.size()) {
                throw new IllegalArgumentException("Bar series '" + name + "' in chart '" + chartTitle + "' has "
                        + values.length + " values but the chart has " + categories.size() + " categories");
            }
            this.values = values.clone();
        }

        /**
         * The series name, shown in the legend.
         * @return The name.
         */
        public String name() {
            return name;
        }

        /**
         * The values, one per category in category order.
         * @return A copy of the values.
         */
        public double[] values() {
            return values.clone();
        }
    }

    private final List<String> categories;
    private final List<Series> series;

    private BarChart(Builder builder) {
        super(builder, builder.series.stream().map(Series::name).toList());
        this.categories = builder.categories;
        this.series = List.copyOf(builder.series);
    }

    /**
     * Starts building a bar chart.
     * @param title The chart title.
     * @param xLabel The category axis label.
     * @param yLabel The value axis label.
     * @param categories The categories, unique and at least one.
     * @return A builder.
     * @throws IllegalArgumentException If there are no categories or two are equal.
     */
    public static Builder builder(String title, String xLabel, String yLabel, String... categories) {
        return new Builder(title, xLabel, yLabel, Arrays.asList(categories));
    }

    /**
     * Starts building a bar chart.
     * @param title The chart title.
     * @param xLabel The category axis label.
     * @param yLabel The value axis label.
     * @param categories The categories, unique and at least one.
     * @return A builder.
     * @throws IllegalArgumentException If there are no categories or two are equal.
     */
    public static Builder builder(String title, String xLabel, String yLabel, List<String> categories) {
        return new Builder(title, xLabel, yLabel, categories);
    }

    /**
     * Always {@link ChartType#BAR}.
     * @return {@link ChartType#BAR}.
     */
    @Override
    public ChartType type() {
        return ChartType.BAR;
    }

    /**
     * The categories, in axis order.
     * @return An unmodifiable list of categories.
     */
    public List<String> categories() {
        return categories;
    }

    /**
     * The series, in legend order.
     * @return An unmodifiable list of series.
     */
    public List<Series> series() {
        return series;
    }

    /**
     * Builds a {@link BarChart}.
     */
    public static final class Builder extends ChartBuilder<Builder> {
        private final List<String> categories;
        private final List<Series> series = new ArrayList<>();

        private Builder(String title, String xLabel, String yLabel, List<String> categories) {
            super(title, xLabel, yLabel);
            this.categories = List.copyOf(Objects.requireNonNull(categories, "categories of chart '" + title + "'"));
            checkNames(title, "categories", this.categories);
        }

        /**
         * Adds a series; the array is copied.
         * @param name The series name, unique within the chart.
         * @param values One value per category.
         * @return This builder.
         * @throws IllegalArgumentException If the number of values differs from the number of categories.
         */
        public Builder addSeries(String name, double... values) {
            series.add(new Series(title, categories, name, values));
            return this;
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Builds the chart.
         * @return The chart.
         * @throws IllegalArgumentException If there are no series or two series share a name.
         */
        public BarChart build() {
            return new BarChart(this);
        }
    }
}
