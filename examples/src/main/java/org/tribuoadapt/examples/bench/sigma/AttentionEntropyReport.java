package org.tribuoadapt.examples.bench.sigma;

import org.tribuoadapt.report.LineChart;
import org.tribuoadapt.report.ReportSection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lays out the per-head attention entropy recorded during training (by
 * {@link org.tribuoadapt.core.train.AttentionEntropyMonitor}) as a report section, the curves Zhai et al. (2023,
 * "Stabilizing Transformer Training by Preventing Attention Entropy Collapse") plot to show entropy collapse: one
 * chart of the lowest head entropy per epoch with a line per run (for example plain against σReparam), then, per run,
 * a chart with a line per head ({@code layer head h}) of its mean entropy over each epoch's training passes, in nats.
 * The x axis counts epochs from 1.
 */
public final class AttentionEntropyReport {

    private AttentionEntropyReport() {}

    /**
     * Builds the section.
     * @param title The section title.
     * @param runs The recorded entropies by run name, in order: per epoch, attention layer path to one value per head.
     * @return The section, with the lowest entropy per epoch of each run as results.
     * @throws IllegalArgumentException if there is no run, or a run has no epoch or an epoch with no head.
     */
    public static ReportSection section(String title, Map<String, List<Map<String, double[]>>> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("the attention entropy report needs at least one run");
        }
        ReportSection.Builder section = ReportSection.builder(title);
        section.addText("Mean attention entropy of every head over each epoch's training passes, in nats (Zhai et al. "
                + "2023). A head whose entropy falls towards 0 attends to a single token: attention entropy collapse.");
        LineChart.Builder lowest = LineChart.builder("Lowest head entropy per epoch", "epoch", "entropy (nats)");
        Map<String, double[]> minima = new LinkedHashMap<>();
        List<LineChart> perHead = new ArrayList<>();
        for (Map.Entry<String, List<Map<String, double[]>>> run : runs.entrySet()) {
            List<Map<String, double[]>> epochs = run.getValue();
            if (epochs.isEmpty()) {
                throw new IllegalArgumentException("run '" + run.getKey() + "' recorded no epoch of attention entropy");
            }
            double[] x = new double[epochs.size()];
            double[] minimum = new double[epochs.size()];
            Map<String, double[]> heads = new LinkedHashMap<>();
            for (int e = 0; e < epochs.size(); e++) {
                x[e] = e + 1;
                minimum[e] = Double.POSITIVE_INFINITY;
                for (Map.Entry<String, double[]> layer : epochs.get(e).entrySet()) {
                    for (int h = 0; h < layer.getValue().length; h++) {
                        double entropy = layer.getValue()[h];
                        heads.computeIfAbsent(layer.getKey() + " head " + h, k -> filled(epochs.size()))[e] = entropy;
                        minimum[e] = Math.min(minimum[e], entropy);
                    }
                }
                if (minimum[e] == Double.POSITIVE_INFINITY) {
                    throw new IllegalArgumentException("run '" + run.getKey() + "' recorded no attention head in epoch " + (e + 1));
                }
            }
            lowest.addSeries(run.getKey(), x, minimum);
            minima.put(run.getKey(), minimum);
            LineChart.Builder chart = LineChart.builder("Per-head attention entropy: " + run.getKey(), "epoch", "entropy (nats)");
            heads.forEach((name, values) -> chart.addSeries(name, x, values));
            perHead.add(chart.build());
        }
        section.addChart(lowest.build());
        perHead.forEach(section::addChart);
        return section.putResult("lowestEntropyPerEpoch", minima).build();
    }

    private static double[] filled(int length) {
        double[] out = new double[length];
        Arrays.fill(out, Double.NaN);
        return out;
    }
}
