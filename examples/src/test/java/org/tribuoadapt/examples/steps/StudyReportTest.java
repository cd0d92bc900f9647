package org.tribuoadapt.examples.steps;

import org.junit.jupiter.api.Test;
import org.tribuoadapt.hpo.search.CategoricalDistribution;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.FloatDistribution;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;
import org.tribuoadapt.report.HtmlReportRenderer;
import org.tribuoadapt.report.LineChart;
import org.tribuoadapt.report.Report;
import org.tribuoadapt.report.ReportSection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The study section: importance on a full-factorial synthetic study, the running best, rendering and the empty study.
 */
public class StudyReportTest {

    private static final FloatDistribution UNIT = new FloatDistribution(0, 1, false, null);
    private static final CategoricalDistribution PARITY = new CategoricalDistribution(List.of("even", "odd"));

    private static Trial trial(int number, TrialState state, Map<String, Object> params, Double value) {
        Map<String, Distribution> distributions = new LinkedHashMap<>();
        params.keySet().forEach(k -> distributions.put(k, k.equals("parity") ? PARITY : UNIT));
        return new Trial(number, state, params, distributions, value == null ? null : List.of(value), new TreeMap<>(),
                Map.of(), Map.of(), null, null);
    }

    // a 10 x 10 grid over (a, b); the objective is a; parity is (i + j) mod 2, balanced over every level of a
    private static List<Trial> factorial() {
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 10; j++) {
                double a = (i + 0.5) / 10;
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("a", a);
                params.put("b", (j + 0.5) / 10);
                params.put("parity", (i + j) % 2 == 0 ? "even" : "odd");
                trials.add(trial(trials.size(), TrialState.COMPLETE, params, a));
            }
        }
        return trials;
    }

    @Test
    public void theParameterThatDeterminesTheObjectiveExplainsAllOfItAndTheOthersNone() {
        List<Trial> trials = new ArrayList<>(factorial());
        // unfinished trials are ignored
        trials.add(trial(100, TrialState.RUNNING, Map.of("a", 0.5, "b", 0.5, "parity", "odd"), null));
        trials.add(trial(101, TrialState.PRUNED, Map.of("a", 0.5, "b", 0.5, "parity", "odd"), 100.0));
        ReportSection section = StudyReport.section("Study", "grid", Direction.MAXIMIZE, trials);
        @SuppressWarnings("unchecked")
        Map<String, Object> importance = (Map<String, Object>) section.results().get("importance");
        assertEquals(1.0, (Double) importance.get("a"), 1e-12);
        assertEquals(0.0, (Double) importance.get("b"), 1e-12);
        assertEquals(0.0, (Double) importance.get("parity"), 1e-12);
        assertEquals(100, section.results().get("completedTrials"));
        assertEquals(List.of("parameter", "trials", "groups", "share"), section.tables().get(0).columns());
        List<List<Object>> rows = section.tables().get(0).rows();
        assertEquals(List.of("a", 100, 10), rows.get(0).subList(0, 3));
        assertEquals(List.of("parity", 100, 2), rows.get(2).subList(0, 3));
    }

    @Test
    public void mainEffectShareMatchesAHandComputedCase() {
        // groups {1, 3} and {5}: mean 3, SS_total = 4 + 0 + 4 = 8, SS_between = 2 (2 - 3)^2 + (5 - 3)^2 = 6
        assertEquals(6.0 / 8.0, StudyReport.mainEffectShare(new int[] {0, 0, 1}, new double[] {1, 3, 5}), 1e-15);
        assertTrue(Double.isNaN(StudyReport.mainEffectShare(new int[] {0, 1}, new double[] {2, 2})));
        assertThrows(IllegalArgumentException.class, () -> StudyReport.mainEffectShare(new int[] {0}, new double[] {1, 2}));
    }

    @Test
    public void theBestSoFarIsMonotoneAndIsTheRunningBest() {
        Random random = new Random(3);
        double[] values = random.doubles(50).toArray();
        double[] max = StudyReport.bestSoFar(values, Direction.MAXIMIZE);
        double[] min = StudyReport.bestSoFar(values, Direction.MINIMIZE);
        for (int i = 1; i < values.length; i++) {
            assertTrue(max[i] >= max[i - 1]);
            assertTrue(min[i] <= min[i - 1]);
        }
        double runningMax = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < values.length; i++) {
            runningMax = Math.max(runningMax, values[i]);
            assertEquals(runningMax, max[i]);
        }
        assertArrayEquals(new double[] {3, 1, 1}, StudyReport.bestSoFar(new double[] {3, 1, 2}, Direction.MINIMIZE));
    }

    @Test
    public void theSectionRendersTheHistoryTheImportanceTableAndTheParallelCoordinates() {
        ReportSection section = StudyReport.section("Study", "grid", Direction.MINIMIZE, factorial());
        LineChart history = (LineChart) section.charts().get(0);
        assertEquals("Optimisation history", history.title());
        assertEquals(List.of("objective", "best so far"), history.series().stream().map(LineChart.Series::name).toList());
        LineChart parallel = (LineChart) section.charts().get(1);
        assertEquals(100, parallel.series().size());
        // best first for a minimised objective, normalised to the distribution's range
        assertTrue(parallel.series().get(0).name().startsWith("trial 0: 0.05"), parallel.series().get(0).name());
        assertArrayEquals(new double[] {1, 2, 3}, parallel.series().get(0).x());
        assertArrayEquals(new double[] {0.05, 0.05, 0}, parallel.series().get(0).y(), 1e-12);

        String html = new HtmlReportRenderer().render(Report.builder("r").addSection(section).build());
        assertTrue(html.contains("<section id=\"section-1\">"), "section");
        assertEquals(2, html.split("<figure class=\"chart\"", -1).length - 1, "two charts");
        assertTrue(html.contains("<svg"), "svg");
        assertTrue(html.contains("aria-label=\"Optimisation history\""));
        assertTrue(html.contains("aria-label=\"Parallel coordinates\""));
        assertTrue(html.contains("Parameter importance"));
    }

    @Test
    public void anEmptyStudySaysSoInsteadOfFailing() {
        List<Trial> unfinished = List.of(trial(0, TrialState.FAIL, Map.of("a", 0.2), null));
        for (List<Trial> trials : List.of(List.<Trial>of(), unfinished)) {
            ReportSection section = StudyReport.section("Study", "empty", Direction.MAXIMIZE, trials);
            assertTrue(section.text().get(0).contains("no completed trials"), section.text().toString());
            assertTrue(section.charts().isEmpty());
            assertEquals(0, section.results().get("completedTrials"));
            String html = new HtmlReportRenderer().render(Report.builder("r").addSection(section).build());
            assertTrue(html.contains("no completed trials"));
        }
    }
}
