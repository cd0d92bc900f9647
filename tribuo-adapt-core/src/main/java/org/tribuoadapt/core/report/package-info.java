/**
 * Run reports for Tribuo Adapt pipelines, written atomically as a machine-readable {@code report.json} and a
 * self-contained {@code report.html} with inline SVG charts and OLCUT provenance.
 * <p>
 * A {@link org.tribuoadapt.core.report.Report} is assembled from
 * {@link org.tribuoadapt.core.report.ReportSection}s, each holding text, {@link org.tribuoadapt.core.report.ReportTable}s,
 * {@link org.tribuoadapt.core.report.ReportChart}s and a map of results. {@link org.tribuoadapt.core.report.ReportWriter}
 * writes it to disk and {@link org.tribuoadapt.core.report.ReportReader} reads the JSON back, including fully
 * unmarshalled provenance.
 */
package org.tribuoadapt.core.report;
