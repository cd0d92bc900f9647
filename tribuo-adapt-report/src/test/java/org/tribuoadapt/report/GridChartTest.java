package org.tribuoadapt.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GridChartTest {

    private static GridChart phases() {
        return GridChart.builder("Phases", "density", "temperature", List.of("0.1", "0.5"), List.of("low", "high"),
                        List.of("I", "II-A", "II-B"))
                .cell("low", "0.1", "I", "yes")
                .cell("low", "0.5", "II-B", null)
                .cell("high", "0.1", "II-A", "no")
                .build();
    }

    @Test
    void holdsCellsByRowAndColumn() {
        GridChart grid = phases();
        assertEquals(ReportChart.ChartType.GRID, grid.type());
        assertEquals(List.of("I", "II-A", "II-B"), grid.categories());
        assertEquals("II-B", grid.cells().get(0).get(1));
        assertNull(grid.cells().get(1).get(1), "unset cells are empty");
        assertEquals("no", grid.texts().get(1).get(0));
        assertThrows(UnsupportedOperationException.class, () -> grid.cells().get(0).set(0, "II-A"));
    }

    @Test
    void refusesUnknownNamesAndLogAxes() {
        GridChart.Builder builder = GridChart.builder("G", "x", "y", List.of("a"), List.of("r"), List.of("c"));
        IllegalArgumentException row = assertThrows(IllegalArgumentException.class, () -> builder.cell("s", "a", "c", null));
        assertTrue(row.getMessage().contains("no row 's'"), row.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.cell("r", "b", "c", null));
        assertThrows(IllegalArgumentException.class, () -> builder.cell("r", "a", "d", null));
        assertThrows(IllegalArgumentException.class, () -> builder.logY(true).build());
        assertThrows(IllegalArgumentException.class,
                () -> GridChart.builder("G", "x", "y", List.of("a", "a"), List.of("r"), List.of("c")));
        assertThrows(IllegalArgumentException.class,
                () -> GridChart.builder("G", "x", "y", List.of("a"), List.of(), List.of("c")));
    }

    @Test
    void rendersToJsonAndSvg() throws Exception {
        Report report = Report.builder("Grid").created(ReportFixtures.CREATED)
                .addSection(ReportSection.builder("S").addChart(phases()).build()).build();
        JsonNode chart = JsonReportRenderer.mapper().readTree(JsonReportRenderer.render(report))
                .get("sections").get(0).get("charts").get(0);
        assertEquals("grid", chart.get("type").asText());
        assertEquals("[\"0.1\",\"0.5\"]", chart.get("columns").toString());
        assertEquals("[[\"I\",\"II-B\"],[\"II-A\",null]]", chart.get("cells").toString());
        assertEquals("[[\"yes\",null],[\"no\",null]]", chart.get("texts").toString());
        String svg = new ChartRenderer().renderSvg(phases(), "grid");
        assertEquals(svg, new ChartRenderer().renderSvg(phases(), "grid"));
        assertTrue(svg.contains(">yes<") && svg.contains(">no<"), "cell texts");
        assertTrue(svg.contains(">II-A<") && svg.contains(">II-B<"), "legend");
        assertTrue(svg.contains("rgb(127,184,216)"), "first category colour, lightened");
        assertTrue(svg.contains(">low<") && svg.contains(">high<"), "row names");
    }
}
