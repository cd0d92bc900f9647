package org.tribuoadapt.examples.bench.sigma;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.report.LineChart;
import org.tribuoadapt.report.ReportChart;
import org.tribuoadapt.report.ReportSection;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attention entropy chart of {@code bench sigma-reparam}: the curves are the recorded entropies, and the bench
 * writes them into an HTML report with {@code --report DIR}.
 */
public class AttentionEntropyReportTest {

    private static Map<String, double[]> epoch(double... heads) {
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put("blocks.0.attn", new double[] {heads[0], heads[1]});
        out.put("blocks.1.attn", new double[] {heads[2], heads[3]});
        return out;
    }

    private static LineChart chart(ReportSection section, String title) {
        for (ReportChart c : section.charts()) {
            if (c.title().equals(title)) {
                return (LineChart) c;
            }
        }
        throw new AssertionError("no chart '" + title + "'");
    }

    @Test
    public void theChartsAreTheRecordedEntropies() {
        Map<String, List<Map<String, double[]>>> runs = new LinkedHashMap<>();
        runs.put("plain", List.of(epoch(1.2, 1.1, 1.0, 0.9), epoch(0.4, 0.05, 0.8, 0.7)));
        runs.put("σReparam", List.of(epoch(1.3, 1.2, 1.2, 1.1), epoch(1.1, 1.0, 1.0, 0.95)));
        ReportSection section = AttentionEntropyReport.section("Attention entropy", runs);
        assertEquals(3, section.charts().size());
        LineChart lowest = chart(section, "Lowest head entropy per epoch");
        assertEquals(List.of("plain", "σReparam"), lowest.series().stream().map(LineChart.Series::name).toList());
        assertArrayEquals(new double[] {1, 2}, lowest.series().get(0).x());
        assertArrayEquals(new double[] {0.9, 0.05}, lowest.series().get(0).y());
        assertArrayEquals(new double[] {1.1, 0.95}, lowest.series().get(1).y());
        LineChart plain = chart(section, "Per-head attention entropy: plain");
        assertEquals(4, plain.series().size());
        assertEquals("blocks.0.attn head 1", plain.series().get(1).name());
        assertArrayEquals(new double[] {1.1, 0.05}, plain.series().get(1).y());
        assertArrayEquals(new double[] {0.9, 0.7}, plain.series().get(3).y());
        @SuppressWarnings("unchecked")
        Map<String, Object> minima = (Map<String, Object>) section.results().get("lowestEntropyPerEpoch");
        assertEquals(2, minima.size());
    }

    @Test
    public void emptyRecordingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> AttentionEntropyReport.section("t", Map.of()));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AttentionEntropyReport.section("t",
                Map.of("plain", List.of()))).getMessage().contains("plain"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AttentionEntropyReport.section("t",
                Map.of("plain", List.of(Map.of())))).getMessage().contains("epoch 1"));
    }

    @Test
    public void theBenchWritesTheChartsIntoItsReport(@TempDir Path dir) throws Exception {
        Path reportDir = dir.resolve("report");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new SigmaReparamBenchmark().run(List.of("--examples", "32", "--epochs", "2", "--seeds", "1", "--batch", "16",
                "--test-examples", "32", "--report", reportDir.toString()), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(2, bytes.toString(StandardCharsets.UTF_8).trim().split("\n").length);
        String html = Files.readString(reportDir.resolve("report.html"));
        assertTrue(html.contains("Lowest head entropy per epoch"), "the report holds the chart");
        assertTrue(html.contains("Per-head attention entropy: σReparam"));
        assertTrue(html.contains("<svg"));
        assertTrue(Files.readString(reportDir.resolve("report.json")).contains("lowestEntropyPerEpoch"));
    }
}
