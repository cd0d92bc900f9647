package org.tribuoadapt.report;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class ChartRendererTest {

    private final ChartRenderer renderer = new ChartRenderer();

    private static LineChart lossChart() {
        return LineChart.builder("Loss", "epoch", "loss")
                .addSeries("train", new double[]{1.0, 0.5, 0.25})
                .addSeries("validation", new double[]{1.1, 0.7, 0.6})
                .build();
    }

    @Test
    void svgIsDeterministicAndUsesTheIdAsPrefix() {
        String svg = renderer.renderSvg(lossChart(), "loss-chart");
        assertEquals(svg, renderer.renderSvg(lossChart(), "loss-chart"));
        assertTrue(svg.startsWith("<svg id='loss-chart' "), svg.substring(0, 80));
        assertTrue(svg.contains("viewBox='0 0 760 420'"));
        assertTrue(svg.endsWith("</svg>"));
        Matcher ids = Pattern.compile(" id='([^']*)'").matcher(svg);
        int count = 0;
        while (ids.find()) {
            assertTrue(ids.group(1).startsWith("loss-chart"), ids.group(1));
            count++;
        }
        assertTrue(count > 1, "clip paths have ids too");
        assertTrue(svg.contains("rgb(0,114,178)"), "first palette colour");
        assertTrue(svg.contains("rgb(213,94,0)"), "second palette colour");
        assertTrue(svg.contains("font-family: sans-serif"), "generic font family");
    }

    @Test
    void manySeriesGetDashedStrokes() {
        LineChart.Builder builder = LineChart.builder("Many", "x", "y");
        for (int i = 0; i < 9; i++) {
            builder.addSeries("s" + i, new double[]{i, i + 1});
        }
        String svg = renderer.renderSvg(builder.build(), "many");
        assertTrue(svg.contains("stroke-dasharray"), "series beyond the palette are dashed");
    }

    @Test
    void nonFiniteAndNonPositiveValuesAreSkipped() {
        LineChart logChart = LineChart.builder("Log", "lr", "loss")
                .addSeries("a", new double[]{0, 1e-3, 1e-2, Double.NaN}, new double[]{1, -1, 0.1, 2})
                .addSeries("empty", new double[]{Double.NaN}, new double[]{Double.POSITIVE_INFINITY})
                .logX(true).logY(true)
                .build();
        assertTrue(renderer.renderSvg(logChart, "log").contains("<svg"));
        BarChart barChart = BarChart.builder("Bars", "k", "v", "a", "b")
                .addSeries("s", Double.NaN, 0.0).logY(true).build();
        assertTrue(renderer.renderSvg(barChart, "bars").contains("<svg"));
        BarChart linear = BarChart.builder("Bars", "k", "v", "a", "b").addSeries("s", Double.NaN, -2).build();
        assertTrue(renderer.renderSvg(linear, "linear").contains("<svg"));
    }

    @Test
    void rejectsBadIdsAndSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> renderer.renderSvg(lossChart(), "1 bad'id"));
        assertTrue(e.getMessage().contains("'Loss'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ChartRenderer(0, 100));
        String small = new ChartRenderer(400, 300).renderSvg(lossChart(), "small");
        assertTrue(small.contains("width='400' height='300'"));
    }
}
