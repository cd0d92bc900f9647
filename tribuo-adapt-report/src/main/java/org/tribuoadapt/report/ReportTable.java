package org.tribuoadapt.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable table: a caption, column headers and rows of cells.
 * <p>
 * Each cell is a {@link String} or a number ({@link Integer}, {@link Long}, {@link Double}, {@link Float},
 * {@link Short}, {@link Byte}, {@link java.math.BigInteger} or {@link java.math.BigDecimal}). Numbers keep their
 * full precision in {@code report.json} and are rounded for display in {@code report.html} (the full value is
 * kept in the cell's tooltip). Use a string such as {@code "n/a"} for a missing value; {@code null} is rejected.
 *
 * @param caption The caption, may be empty.
 * @param columns The column headers, at least one.
 * @param rows The rows, each with exactly one cell per column.
 */
public record ReportTable(String caption, List<String> columns, List<List<Object>> rows) implements ReportBlock {

    /**
     * Validates the table and makes unmodifiable copies of its lists.
     * @param caption The caption, may be empty.
     * @param columns The column headers, at least one.
     * @param rows The rows, each with exactly one cell per column.
     * @throws IllegalArgumentException If there are no columns, a row has the wrong number of cells or a cell is
     *     not a string or supported number; the message names the table, row and column.
     * @throws NullPointerException If an argument, column header or row is null.
     */
    public ReportTable {
        Objects.requireNonNull(caption, "caption");
        columns = List.copyOf(Objects.requireNonNull(columns, "columns of table '" + caption + "'"));
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("Table '" + caption + "' has no columns");
        }
        Objects.requireNonNull(rows, "rows of table '" + caption + "'");
        List<List<Object>> copiedRows = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            List<Object> row = Objects.requireNonNull(rows.get(r), "row " + r + " of table '" + caption + "'");
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("Row " + r + " of table '" + caption + "' has " + row.size()
                        + " cells but the table has " + columns.size() + " columns");
            }
            for (int c = 0; c < row.size(); c++) {
                Object cell = row.get(c);
                if (!(cell instanceof String) && !ReportValues.isSupportedNumber(cell)) {
                    throw new IllegalArgumentException("Cell in row " + r + ", column '" + columns.get(c)
                            + "' of table '" + caption + "' is " + describe(cell)
                            + "; cells must be strings or numbers");
                }
            }
            copiedRows.add(List.copyOf(row));
        }
        rows = List.copyOf(copiedRows);
    }

    private static String describe(Object cell) {
        return cell == null ? "null" : "of type " + cell.getClass().getName();
    }

    /**
     * Starts building a table.
     * @param caption The caption, may be empty.
     * @param columns The column headers.
     * @return A builder.
     */
    public static Builder builder(String caption, String... columns) {
        return new Builder(caption, Arrays.asList(columns));
    }

    /**
     * Builds a {@link ReportTable} row by row.
     */
    public static final class Builder {
        private final String caption;
        private final List<String> columns;
        private final List<List<Object>> rows = new ArrayList<>();

        private Builder(String caption, List<String> columns) {
            this.caption = caption;
            this.columns = new ArrayList<>(columns);
        }

        /**
         * Appends a row.
         * @param cells The cells, one per column; strings or numbers.
         * @return This builder.
         */
        public Builder addRow(Object... cells) {
            rows.add(Arrays.asList(cells));
            return this;
        }

        /**
         * Appends a row.
         * @param cells The cells, one per column; strings or numbers.
         * @return This builder.
         */
        public Builder addRow(List<?> cells) {
            rows.add(new ArrayList<>(cells));
            return this;
        }

        /**
         * Validates and builds the table.
         * @return The table.
         * @throws IllegalArgumentException See {@link ReportTable#ReportTable(String, List, List)}.
         */
        public ReportTable build() {
            return new ReportTable(caption, columns, rows);
        }
    }
}
