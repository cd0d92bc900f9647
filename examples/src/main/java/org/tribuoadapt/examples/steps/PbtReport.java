package org.tribuoadapt.examples.steps;

import org.tribuoadapt.hpo.search.pbt.PbtSegment;
import org.tribuoadapt.report.LineChart;
import org.tribuoadapt.report.ReportSection;
import org.tribuoadapt.report.ReportTable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lays out the lineage of a population based training run (Jaderberg et al., "Population Based Training of Neural
 * Networks", 2017) as a report section: a member-by-interval table whose cells give the validation score and, where
 * the member exploited another one before the interval, the segment it copied the weights from
 * ({@code "0.81 <- m2@3"}: score 0.81, weights of member 2 after its interval 3); a table of every exploit step; and
 * a chart of each member's score per interval.
 */
public final class PbtReport {

    private PbtReport() {}

    /**
     * Builds the section.
     * @param title The section title.
     * @param segments Every segment of the run.
     * @param winner The winning member.
     * @return The section; without segments it holds a paragraph saying so.
     */
    public static ReportSection section(String title, List<PbtSegment> segments, int winner) {
        ReportSection.Builder section = ReportSection.builder(title);
        section.putResult("segments", segments.size());
        if (segments.isEmpty()) {
            return section.addText("The population based training run has no segments, so there is no lineage to show.")
                    .build();
        }
        TreeMap<Integer, TreeMap<Integer, PbtSegment>> byMember = new TreeMap<>();
        int intervals = 0;
        for (PbtSegment s : segments) {
            if (byMember.computeIfAbsent(s.member(), m -> new TreeMap<>()).put(s.interval(), s) != null) {
                throw new IllegalArgumentException("two segments for member " + s.member() + ", interval " + s.interval());
            }
            intervals = Math.max(intervals, s.interval());
        }
        section.addText(byMember.size() + " members over " + intervals + " intervals; member " + winner + " won. A cell"
                + " 'score <- mK@I' means the member started the interval from the weights of member K after its"
                + " interval I (an exploit step), with newly explored hyper-parameters.");

        List<String> columns = new ArrayList<>(List.of("member"));
        for (int i = 1; i <= intervals; i++) {
            columns.add("interval " + i);
        }
        ReportTable.Builder grid = ReportTable.builder("Validation score per member and interval, with exploits",
                columns.toArray(new String[0]));
        ReportTable.Builder exploits = ReportTable.builder("Exploit steps", "member", "interval", "copied member",
                "copied interval", "score");
        LineChart.Builder chart = LineChart.builder("Population based training: score per interval", "interval",
                "validation score");
        List<Object> lineage = new ArrayList<>();
        for (Map.Entry<Integer, TreeMap<Integer, PbtSegment>> member : byMember.entrySet()) {
            List<Object> row = new ArrayList<>(List.of((Object) ("m" + member.getKey()
                    + (member.getKey() == winner ? " (winner)" : ""))));
            for (int i = 1; i <= intervals; i++) {
                PbtSegment s = member.getValue().get(i);
                row.add(s == null ? "n/a" : s.exploited()
                        ? String.format(Locale.ROOT, "%.4g <- m%d@%d", s.score(), s.startMember(), s.startInterval())
                        : (Object) s.score());
                if (s != null && s.exploited()) {
                    exploits.addRow(s.member(), s.interval(), s.startMember(), s.startInterval(), s.score());
                }
            }
            grid.addRow(row);
            chart.addSeries("member " + member.getKey(),
                    member.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray(),
                    member.getValue().values().stream().mapToDouble(PbtSegment::score).toArray());
        }
        for (PbtSegment s : segments) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("member", s.member());
            entry.put("interval", s.interval());
            entry.put("score", s.score());
            entry.put("startMember", s.startMember());
            entry.put("startInterval", s.startInterval());
            lineage.add(entry);
        }
        section.addTable(grid.build());
        ReportTable exploitTable = exploits.build();
        if (exploitTable.rows().isEmpty()) {
            section.addText("No member exploited another one.");
        } else {
            section.addTable(exploitTable);
        }
        return section.addChart(chart.build()).putResult("winner", winner).putResult("lineage", lineage).build();
    }
}
