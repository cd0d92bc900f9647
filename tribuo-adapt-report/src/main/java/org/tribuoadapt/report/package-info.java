/**
 * Run reports for Tribuo Adapt pipelines, written atomically as a machine-readable {@code report.json} and a
 * self-contained {@code report.html} with inline SVG charts and OLCUT provenance.
 * <p>
 * A {@link org.tribuoadapt.report.Report} is assembled from
 * {@link org.tribuoadapt.report.ReportSection}s, each holding text, {@link org.tribuoadapt.report.ReportTable}s,
 * {@link org.tribuoadapt.report.ReportChart}s and a map of results. {@link org.tribuoadapt.report.ReportWriter}
 * writes it to disk and {@link org.tribuoadapt.report.ReportReader} reads the JSON back, including fully
 * unmarshalled provenance.
 */
package org.tribuoadapt.report;
