package org.tribuoadapt.report;

/**
 * A content block of a {@link ReportSection}: either a {@link ReportTable} or a {@link ReportChart}.
 * <p>
 * Blocks are rendered in the HTML report in the order they were added to their section.
 */
public sealed interface ReportBlock permits ReportTable, ReportChart {

    /**
     * The caption of a table or the title of a chart.
     * @return The block's caption.
     */
    String caption();
}
