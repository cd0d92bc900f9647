package org.tribuoadapt.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An immutable coloured grid (a categorical heat map): named columns along the x axis, named rows along the y axis,
 * and in every cell one of a fixed list of categories, drawn in that category's colour, with an optional short text.
 * A phase diagram, such as the three-regime plot of pruning over load and temperature, is one.
 * <p>
 * The categories are the legend, in order; a cell may be left empty ({@code null} category), which is drawn blank.
 * A grid has no numeric value axis, so it cannot be logarithmic.
 */
public final class GridChart extends ReportChart {

    private final List<String> columns;
    private final List<String> rows;
    private final List<List<String>> cells;
    private final List<List<String>> texts;

    private GridChart(Builder builder) {
        super(builder, builder.categories);
        this.columns = builder.columns;
        this.rows = builder.rows;
        List<List<String>> cellRows = new ArrayList<>();
        List<List<String>> textRows = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            cellRows.add(Collections.unmodifiableList(Arrays.asList(builder.cells[r].clone())));
            textRows.add(Collections.unmodifiableList(Arrays.asList(builder.texts[r].clone())));
        }
        this.cells = List.copyOf(cellRows);
        this.texts = List.copyOf(textRows);
    }

    /**
     * Starts building a grid.
     * @param title The chart title.
     * @param xLabel The label of the column axis.
     * @param yLabel The label of the row axis.
     * @param columns The column names, left to right, unique and at least one.
     * @param rows The row names, bottom to top, unique and at least one.
     * @param categories The cell categories in legend order, unique and at least one.
     * @return A builder whose cells are all empty.
     */
    public static Builder builder(String title, String xLabel, String yLabel, List<String> columns, List<String> rows,
                                  List<String> categories) {
        return new Builder(title, xLabel, yLabel, columns, rows, categories);
    }

    /**
     * Always {@link ChartType#GRID}.
     * @return {@link ChartType#GRID}.
     */
    @Override
    public ChartType type() {
        return ChartType.GRID;
    }

    /**
     * The column names, left to right.
     * @return An unmodifiable list.
     */
    public List<String> columns() {
        return columns;
    }

    /**
     * The row names, bottom to top.
     * @return An unmodifiable list.
     */
    public List<String> rows() {
        return rows;
    }

    /**
     * The categories, in legend order (the same as {@link #seriesNames()}).
     * @return An unmodifiable list.
     */
    public List<String> categories() {
        return seriesNames();
    }

    /**
     * The category of every cell, by row then column; null for an empty cell.
     * @return Unmodifiable lists.
     */
    public List<List<String>> cells() {
        return cells;
    }

    /**
     * The text of every cell, by row then column; null for none.
     * @return Unmodifiable lists.
     */
    public List<List<String>> texts() {
        return texts;
    }

    /**
     * Builds a {@link GridChart}.
     */
    public static final class Builder extends ChartBuilder<Builder> {
        private final List<String> columns;
        private final List<String> rows;
        private final List<String> categories;
        private final String[][] cells;
        private final String[][] texts;

        private Builder(String title, String xLabel, String yLabel, List<String> columns, List<String> rows,
                        List<String> categories) {
            super(title, xLabel, yLabel);
            this.columns = List.copyOf(Objects.requireNonNull(columns, "columns of chart '" + title + "'"));
            this.rows = List.copyOf(Objects.requireNonNull(rows, "rows of chart '" + title + "'"));
            this.categories = List.copyOf(Objects.requireNonNull(categories, "categories of chart '" + title + "'"));
            checkNames(title, "columns", this.columns);
            checkNames(title, "rows", this.rows);
            checkNames(title, "categories", this.categories);
            this.cells = new String[this.rows.size()][this.columns.size()];
            this.texts = new String[this.rows.size()][this.columns.size()];
        }

        /**
         * Sets one cell.
         * @param row The row name.
         * @param column The column name.
         * @param category The cell's category, one of the chart's.
         * @param text A short text drawn in the cell, or null.
         * @return This builder.
         * @throws IllegalArgumentException if the row, column or category is unknown.
         */
        public Builder cell(String row, String column, String category, String text) {
            int r = index(rows, row, "row");
            int c = index(columns, column, "column");
            index(categories, category, "category");
            cells[r][c] = category;
            texts[r][c] = text;
            return this;
        }

        private int index(List<String> names, String name, String kind) {
            int i = names.indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("Chart '" + title + "' has no " + kind + " '" + name + "'; its "
                        + kind + " names are " + names);
            }
            return i;
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Builds the chart.
         * @return The chart.
         * @throws IllegalArgumentException if a logarithmic axis was asked for.
         */
        public GridChart build() {
            if (logY) {
                throw new IllegalArgumentException("Chart '" + title + "' is a grid, which has no value axis to make logarithmic");
            }
            return new GridChart(this);
        }
    }
}
