package org.tribuoadapt.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable section of a {@link Report}: a title, paragraphs of text, an ordered list of content blocks
 * (tables and charts) and a map of machine-readable results.
 * <p>
 * The results go into {@code report.json} so that a program can read every figure back with
 * {@link ReportReader}. Result values may be {@code null}, strings, booleans, numbers ({@link Integer},
 * {@link Long}, {@link Double}, {@link Float}, {@link Short}, {@link Byte}, {@link java.math.BigInteger},
 * {@link java.math.BigDecimal}), maps with string keys, collections (written as lists) and primitive
 * {@code double[]}, {@code float[]}, {@code int[]} and {@code long[]} arrays (stored as lists). Maps and lists
 * may nest.
 */
public final class ReportSection {

    private final String title;
    private final List<String> text;
    private final List<ReportBlock> blocks;
    private final Map<String, Object> results;

    private ReportSection(Builder builder) {
        this.title = builder.title;
        this.text = List.copyOf(builder.text);
        this.blocks = List.copyOf(builder.blocks);
        this.results = Collections.unmodifiableMap(new LinkedHashMap<>(builder.results));
    }

    /**
     * Starts building a section.
     * @param title The section title, unique within its report.
     * @return A builder.
     */
    public static Builder builder(String title) {
        return new Builder(title);
    }

    /**
     * The section title.
     * @return The title.
     */
    public String title() {
        return title;
    }

    /**
     * The paragraphs of text, in order.
     * @return An unmodifiable list of paragraphs.
     */
    public List<String> text() {
        return text;
    }

    /**
     * The tables and charts in the order they were added.
     * @return An unmodifiable list of blocks.
     */
    public List<ReportBlock> blocks() {
        return blocks;
    }

    /**
     * The tables of this section, in order.
     * @return An unmodifiable list of tables.
     */
    public List<ReportTable> tables() {
        return blocksOfType(ReportTable.class);
    }

    /**
     * The charts of this section, in order.
     * @return An unmodifiable list of charts.
     */
    public List<ReportChart> charts() {
        return blocksOfType(ReportChart.class);
    }

    private <T extends ReportBlock> List<T> blocksOfType(Class<T> type) {
        return blocks.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * The machine-readable results, in insertion order; nested maps and lists are unmodifiable too.
     * @return An unmodifiable map of results.
     */
    public Map<String, Object> results() {
        return results;
    }

    /**
     * Builds a {@link ReportSection}.
     */
    public static final class Builder {
        private final String title;
        private final List<String> text = new ArrayList<>();
        private final List<ReportBlock> blocks = new ArrayList<>();
        private final Map<String, Object> results = new LinkedHashMap<>();

        private Builder(String title) {
            this.title = Objects.requireNonNull(title, "section title");
        }

        /**
         * Appends a paragraph of plain text (it is escaped in HTML, not interpreted).
         * @param paragraph The paragraph.
         * @return This builder.
         */
        public Builder addText(String paragraph) {
            text.add(Objects.requireNonNull(paragraph, "paragraph of section '" + title + "'"));
            return this;
        }

        /**
         * Appends a table.
         * @param table The table.
         * @return This builder.
         */
        public Builder addTable(ReportTable table) {
            blocks.add(Objects.requireNonNull(table, "table of section '" + title + "'"));
            return this;
        }

        /**
         * Appends a chart.
         * @param chart The chart.
         * @return This builder.
         */
        public Builder addChart(ReportChart chart) {
            blocks.add(Objects.requireNonNull(chart, "chart of section '" + title + "'"));
            return this;
        }

        /**
         * Sets a result, replacing any earlier value with the same key. The value is validated and deep-copied.
         * @param key The result name.
         * @param value The value; see the class documentation for the supported types.
         * @return This builder.
         * @throws IllegalArgumentException If the value, or something nested in it, has an unsupported type.
         */
        public Builder putResult(String key, Object value) {
            Objects.requireNonNull(key, "result key in section '" + title + "'");
            return putResults(Collections.singletonMap(key, value));
        }

        /**
         * Sets several results, replacing earlier values with the same keys. The values are validated and
         * deep-copied.
         * @param values The results.
         * @return This builder.
         * @throws IllegalArgumentException If a value, or something nested in it, has an unsupported type.
         */
        public Builder putResults(Map<String, ?> values) {
            results.putAll(ReportValues.copyResults(values, "section '" + title + "'"));
            return this;
        }

        /**
         * Builds the section.
         * @return The section.
         */
        public ReportSection build() {
            return new ReportSection(this);
        }
    }
}
