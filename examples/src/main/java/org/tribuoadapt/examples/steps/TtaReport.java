package org.tribuoadapt.examples.steps;

import org.tribuoadapt.report.LineChart;
import org.tribuoadapt.report.ReportSection;
import org.tribuoadapt.report.ReportTable;
import org.tribuoadapt.tta.scenario.TtaStream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.tribuoadapt.tta.evaluation.TtaEvaluation;
import org.tribuoadapt.tta.evaluation.TtaResults;

/**
 * Lays out the results of one stream as a report section: a summary table per method, accuracy per domain and per
 * severity, a chart of accuracy against severity per method, and the same figures as machine-readable results.
 */
public final class TtaReport {

    private TtaReport() {}

    /**
     * Builds the section.
     * @param title The section title.
     * @param results The results.
     * @param provenanceNames The report's provenance entry name of each method's evaluation, by method name; each
     *                        such evaluation's {@link TtaEvaluation#reproducibleMetrics()} are recorded under it.
     * @param notes Leading paragraphs.
     * @return The section.
     */
    public static ReportSection section(String title, TtaResults results, Map<String, String> provenanceNames, String... notes) {
        TtaStream stream = results.stream();
        ReportSection.Builder section = ReportSection.builder(title);
        for (String note : notes) {
            section.addText(note);
        }
        section.addText("Scenario: " + results.scenario().describe() + ". The stream has " + stream.size()
                + " examples in " + stream.numBatches() + " batches over " + stream.domains().size() + " domains. "
                + "Accuracy is online: each batch is predicted once, by the method in the state it reached on the "
                + "earlier batches. Latency is the mean wall-clock time of a method's prediction per batch; the ratio "
                + "to Source on the same stream compares median times per batch. Memory is the peak resident set of the process during the "
                + "replay" + (results.memoryIsProcessWide() ? "" : " (here: the Java heap only)") + ".");
        List<TtaEvaluation> evaluations = results.evaluations();
        TreeSet<Integer> severities = new TreeSet<>();
        evaluations.forEach(e -> severities.addAll(e.severityAccuracy().keySet()));
        int top = severities.isEmpty() ? 0 : severities.last();

        ReportTable.Builder summary = ReportTable.builder("Summary", "method", "accuracy", "mean over severities",
                top > 0 ? "accuracy at severity " + top : "accuracy at top severity", "ms per batch",
                "latency vs source", "peak memory MiB", "memory growth MiB");
        Map<String, Object> perMethod = new LinkedHashMap<>();
        for (TtaEvaluation e : evaluations) {
            Object atTop = top > 0 ? (Object) e.severityAccuracy().get(top) : "n/a";
            summary.addRow(e.method(), e.accuracy(), severities.isEmpty() ? "n/a" : e.meanOverSeverities(), atTop,
                    e.msPerBatch(), e.latencyRatio(), e.peakMemoryMiB(), e.memoryGrowthMiB());
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("accuracy", e.accuracy());
            figures.put("meanOverSeverities", e.meanOverSeverities());
            Map<String, Object> bySeverity = new LinkedHashMap<>();
            e.severityAccuracy().forEach((s, a) -> bySeverity.put(Integer.toString(s), a));
            figures.put("severityAccuracy", bySeverity);
            Map<String, Object> byDomain = new LinkedHashMap<>();
            e.domains().forEach(d -> byDomain.put(d.name(), d.accuracy()));
            figures.put("domainAccuracy", byDomain);
            figures.put("msPerBatch", e.msPerBatch());
            figures.put("latencyRatio", e.latencyRatio());
            figures.put("peakMemoryMiB", e.peakMemoryMiB());
            perMethod.put(e.method(), figures);
        }
        section.addTable(summary.build());

        List<String> columns = new ArrayList<>(List.of("domain", "severity"));
        evaluations.forEach(e -> columns.add(e.method()));
        ReportTable.Builder domains = ReportTable.builder("Online accuracy per domain", columns.toArray(new String[0]));
        for (int d = 0; d < stream.domains().size(); d++) {
            List<Object> row = new ArrayList<>();
            row.add(stream.domains().get(d).name());
            row.add(stream.domains().get(d).severity() > 0 ? (Object) stream.domains().get(d).severity() : "n/a");
            for (TtaEvaluation e : evaluations) {
                row.add(e.domains().get(d).accuracy());
            }
            domains.addRow(row);
        }
        section.addTable(domains.build());

        if (!severities.isEmpty()) {
            List<String> severityColumns = new ArrayList<>(List.of("severity"));
            evaluations.forEach(e -> severityColumns.add(e.method()));
            ReportTable.Builder bySeverity = ReportTable.builder("Mean accuracy over domains per severity",
                    severityColumns.toArray(new String[0]));
            double[] x = severities.stream().mapToDouble(Integer::doubleValue).toArray();
            LineChart.Builder chart = LineChart.builder("Accuracy against severity", "severity", "online accuracy");
            for (int s : severities) {
                List<Object> row = new ArrayList<>();
                row.add(s);
                evaluations.forEach(e -> row.add(e.severityAccuracy().getOrDefault(s, Double.NaN)));
                bySeverity.addRow(row);
            }
            for (TtaEvaluation e : evaluations) {
                double[] y = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    y[i] = e.severityAccuracy().getOrDefault((int) x[i], Double.NaN);
                }
                chart.addSeries(e.method(), x, y);
            }
            section.addTable(bySeverity.build());
            section.addChart(chart.build());
        }
        section.putResult("scenario", results.scenario().describe())
                .putResult("mode", stream.mode().name())
                .putResult("examples", stream.size())
                .putResult("batches", stream.numBatches())
                .putResult("methods", perMethod);
        for (TtaEvaluation e : results.evaluations()) {
            String name = provenanceNames.get(e.method());
            if (name != null) {
                section.putResult(name, e.reproducibleMetrics());
            }
        }
        return section.build();
    }
}
