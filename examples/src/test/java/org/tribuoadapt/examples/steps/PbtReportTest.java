package org.tribuoadapt.examples.steps;

import org.junit.jupiter.api.Test;
import org.tribuoadapt.hpo.search.pbt.PbtSegment;
import org.tribuoadapt.report.HtmlReportRenderer;
import org.tribuoadapt.report.LineChart;
import org.tribuoadapt.report.Report;
import org.tribuoadapt.report.ReportSection;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PBT lineage section on a hand-made two-member, two-interval run where member 1 copies member 0.
 */
public class PbtReportTest {

    private static PbtSegment segment(int member, int interval, double score, int startMember, int startInterval) {
        return new PbtSegment(member, interval, Map.of("adam.learningRate", 0.01), 7, score, startMember, startInterval);
    }

    private static final List<PbtSegment> RUN = List.of(segment(0, 1, 0.5, PbtSegment.FRESH, 0),
            segment(1, 1, 0.25, PbtSegment.FRESH, 0), segment(0, 2, 0.75, 0, 1), segment(1, 2, 0.625, 0, 1));

    @Test
    public void theGridShowsScoresAndWhichSegmentEachExploitCopied() {
        ReportSection section = PbtReport.section("PBT", RUN, 0);
        assertEquals(List.of("m0 (winner)", 0.5, 0.75), section.tables().get(0).rows().get(0));
        assertEquals(List.of("m1", 0.25, "0.6250 <- m0@1"), section.tables().get(0).rows().get(1));
        assertEquals(List.of(List.of(1, 2, 0, 1, 0.625)), section.tables().get(1).rows());
        LineChart chart = (LineChart) section.charts().get(0);
        assertArrayEquals(new double[] {0.25, 0.625}, chart.series().get(1).y());
        String html = new HtmlReportRenderer().render(Report.builder("r").addSection(section).build());
        assertTrue(html.contains("<svg"));
        assertTrue(html.contains("Exploit steps"));
    }

    @Test
    public void anEmptyRunSaysSoAndDuplicatesAreNamed() {
        ReportSection empty = PbtReport.section("PBT", List.of(), 0);
        assertTrue(empty.text().get(0).contains("no segments"));
        assertTrue(empty.charts().isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PbtReport.section("PBT", List.of(RUN.get(0), RUN.get(0)), 0));
        assertTrue(e.getMessage().contains("member 0, interval 1"), e.getMessage());
    }
}
