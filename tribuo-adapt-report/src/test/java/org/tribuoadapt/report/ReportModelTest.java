package org.tribuoadapt.report;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ReportModelTest {

    @Test
    void lineSeriesLengthMismatchIsRejectedWithNameAndLengths() {
        LineChart.Builder builder = LineChart.builder("Loss", "epoch", "loss");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.addSeries("train", new double[]{1, 2, 3}, new double[]{0.5, 0.4}));
        assertTrue(e.getMessage().contains("'train'"), e.getMessage());
        assertTrue(e.getMessage().contains("'Loss'"), e.getMessage());
        assertTrue(e.getMessage().contains("3 x values but 2 y values"), e.getMessage());
    }

    @Test
    void barSeriesLengthMismatchIsRejected() {
        BarChart.Builder builder = BarChart.builder("Accuracy", "model", "accuracy", "a", "b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.addSeries("test", 0.5, 0.6, 0.7));
        assertTrue(e.getMessage().contains("'test'") && e.getMessage().contains("3 values")
                && e.getMessage().contains("2 categories"), e.getMessage());
    }

    @Test
    void chartNamesMustBeUniqueAndPresent() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LineChart.builder("Empty", "x", "y").build()).getMessage().contains("'Empty' has no series"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LineChart.builder("Twice", "x", "y")
                .addSeries("s", new double[]{1}).addSeries("s", new double[]{2}).build())
                .getMessage().contains("two series named 's'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BarChart.builder("Cats", "x", "y", "a", "a")).getMessage().contains("two categories named 'a'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BarChart.builder("None", "x", "y")).getMessage().contains("no categories"));
    }

    @Test
    void chartsCopyTheirArrays() {
        double[] x = {1, 2};
        double[] y = {3, 4};
        LineChart chart = LineChart.builder("Copy", "x", "y").addSeries("s", x, y).logY(true).build();
        x[0] = 100;
        chart.series().get(0).y()[0] = 100;
        assertArrayEquals(new double[]{1, 2}, chart.series().get(0).x());
        assertArrayEquals(new double[]{3, 4}, chart.series().get(0).y());
        assertEquals(ReportChart.ChartType.LINE, chart.type());
        assertTrue(chart.logY());
        assertFalse(chart.logX());
        assertEquals(List.of("s"), chart.seriesNames());
    }

    @Test
    void tableRowsAndCellsAreValidated() {
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> ReportTable.builder("Scores", "a", "b").addRow("x", 1).addRow("only one").build());
        assertTrue(length.getMessage().contains("Row 1 of table 'Scores' has 1 cells but the table has 2 columns"),
                length.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> ReportTable.builder("Scores", "a", "b").addRow("x", new File("f")).build());
        assertTrue(type.getMessage().contains("column 'b'") && type.getMessage().contains("java.io.File"),
                type.getMessage());
        IllegalArgumentException nullCell = assertThrows(IllegalArgumentException.class,
                () -> ReportTable.builder("Scores", "a").addRow((Object) null).build());
        assertTrue(nullCell.getMessage().contains("is null"), nullCell.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReportTable.builder("No columns").build());
        ReportTable table = ReportTable.builder("Ok", "a", "b").addRow(List.of("x", new BigDecimal("0.1"))).build();
        assertEquals(List.of(List.of("x", new BigDecimal("0.1"))), table.rows());
        assertEquals("Ok", table.caption());
    }

    @Test
    void resultsAreValidatedAndDeepCopied() {
        Map<String, Object> nested = new HashMap<>();
        nested.put("ok", 1);
        nested.put("bad", new Object());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReportSection.builder("Tuning").putResult("outer", Map.of("inner", nested)));
        assertTrue(e.getMessage().contains("section 'Tuning'") && e.getMessage().contains("'outer.inner.bad'")
                && e.getMessage().contains("java.lang.Object"), e.getMessage());
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> ReportSection.builder("Keys").putResult("m", Map.of(1, "one")));
        assertTrue(key.getMessage().contains("non-string key '1'"), key.getMessage());

        List<Object> list = new ArrayList<>(List.of(1, 2));
        ReportSection section = ReportSection.builder("Copy")
                .putResult("list", list)
                .putResult("array", new double[]{0.5, 1.5})
                .putResult("ints", new int[]{1, 2})
                .putResult("list", list) // replaces the earlier value
                .build();
        list.add(3);
        assertEquals(List.of(1, 2), section.results().get("list"));
        assertEquals(List.of(0.5, 1.5), section.results().get("array"));
        assertEquals(List.of(1, 2), section.results().get("ints"));
        assertThrows(UnsupportedOperationException.class, () -> section.results().put("x", 1));
        @SuppressWarnings("unchecked")
        List<Object> copied = (List<Object>) section.results().get("list");
        assertThrows(UnsupportedOperationException.class, () -> copied.add(4));
    }

    @Test
    void sectionKeepsBlockOrder() {
        ReportTable table = ReportTable.builder("t", "a").addRow(1).build();
        BarChart chart = BarChart.builder("c", "x", "y", "k").addSeries("s", 1).build();
        ReportSection section = ReportSection.builder("Order").addChart(chart).addTable(table).build();
        assertEquals(List.of(chart, table), section.blocks());
        assertEquals(List.of(table), section.tables());
        assertEquals(List.of(chart), section.charts());
        assertEquals("c", section.blocks().get(0).caption());
    }

    @Test
    void reportNamesMustBeUnique() {
        ReportFixtures fixtures = new ReportFixtures();
        Report.Builder builder = Report.builder("Dupes")
                .addSection(ReportSection.builder("A").build())
                .addEnvironment("java", "17")
                .addProvenance("model", fixtures.model.getProvenance());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> builder.addSection(ReportSection.builder("A").build())).getMessage()
                .contains("already has a section named 'A'"));
        assertThrows(IllegalArgumentException.class, () -> builder.addEnvironment("java", "21"));
        assertThrows(IllegalArgumentException.class,
                () -> builder.addProvenance("model", fixtures.model.getProvenance()));
        Report report = builder.build();
        assertEquals(1, report.sections().size());
        assertNotNull(report.created(), "defaults to now");
        assertEquals(Map.of("java", "17"), report.environment());
    }
}
