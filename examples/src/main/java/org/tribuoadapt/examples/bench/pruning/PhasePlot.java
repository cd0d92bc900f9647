package org.tribuoadapt.examples.bench.pruning;

import org.tribuoadapt.core.pruning.Regime;
import org.tribuoadapt.report.GridChart;
import org.tribuoadapt.report.ReportSection;
import org.tribuoadapt.report.ReportTable;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Lays out the load-temperature sweep of {@link PruningBenchmark} as a report section: the three-regime phase plot
 * (density across, temperature up, the regime as the colour and the retrained test accuracy in each cell), a grid of
 * where the paper's temperature prediction agreed with the sweep, and a table of every cell.
 */
final class PhasePlot {

    private static final String AGREES = "prediction agrees";
    private static final String DISAGREES = "prediction disagrees";

    private PhasePlot() {}

    /**
     * What raising the temperature did at a cell's load: whether the next-higher temperature in the sweep, at the
     * same pruning ratio, retrained to a higher test accuracy.
     * @param cell The cell.
     * @param cells Every cell of the sweep.
     * @return The observation, or null at the highest temperature.
     */
    static Boolean raisingTemperatureHelped(PhaseCell cell, List<PhaseCell> cells) {
        PhaseCell next = null;
        for (PhaseCell other : cells) {
            if (other.point().pruningRatio() == cell.point().pruningRatio()
                    && other.point().temperature() > cell.point().temperature()
                    && (next == null || other.point().temperature() < next.point().temperature())) {
                next = other;
            }
        }
        return next == null ? null : next.retrainedAccuracy() > cell.retrainedAccuracy();
    }

    static ReportSection section(List<PhaseCell> cells, String settings) {
        TreeSet<Double> densities = new TreeSet<>();
        TreeSet<Double> temperatures = new TreeSet<>();
        for (PhaseCell c : cells) {
            densities.add(c.point().density());
            temperatures.add(c.point().temperature());
        }
        List<String> columns = densities.stream().map(PhasePlot::density).toList();
        List<String> rows = temperatures.stream().map(PhasePlot::temperature).toList();
        List<String> regimes = Arrays.stream(Regime.values()).map(Regime::label).toList();
        GridChart.Builder phases = GridChart.builder("Three regimes (cell text: retrained test accuracy)",
                "load: density after pruning", "temperature: learning rate / batch size", columns, rows, regimes);
        GridChart.Builder checks = GridChart.builder("Paper's prediction (raising the temperature helps in Regime I only) "
                + "against the next-higher temperature", "load: density after pruning",
                "temperature: learning rate / batch size", columns, rows, List.of(AGREES, DISAGREES));
        ReportTable.Builder table = ReportTable.builder("Every cell", "density", "temperature", "lr", "batch",
                "dense accuracy", "pruned accuracy", "retrained accuracy", "mode connectivity", "CKA", "regime",
                "raising T helps: predicted", "observed");
        for (PhaseCell c : cells) {
            String row = temperature(c.point().temperature());
            String column = density(c.point().density());
            phases.cell(row, column, c.diagnosis().regime().label(),
                    String.format(Locale.ROOT, "%.3f", c.retrainedAccuracy()));
            Boolean observed = raisingTemperatureHelped(c, cells);
            boolean predicted = c.diagnosis().regime().raisingTemperatureHelps();
            if (observed != null) {
                checks.cell(row, column, observed == predicted ? AGREES : DISAGREES,
                        (predicted ? "raise" : "keep/lower") + " T");
            }
            table.addRow(c.point().density(), c.point().temperature(), c.learningRate(), c.batchSize(),
                    PruningBenchmark.round(c.denseAccuracy()), PruningBenchmark.round(c.prunedAccuracy()),
                    PruningBenchmark.round(c.retrainedAccuracy()), PruningBenchmark.round(c.diagnosis().modeConnectivity()),
                    PruningBenchmark.round(c.diagnosis().cka()), c.diagnosis().regime().label(), String.valueOf(predicted),
                    observed == null ? "n/a" : String.valueOf(observed));
        }
        return ReportSection.builder("Load-temperature sweep")
                .addText("Magnitude pruning of an MLP on the embedded Fashion-MNIST sample, after Zhou, Yang, Chang and "
                        + "Mahoney (ICML 2023). Each cell prunes the dense network trained at one temperature to one "
                        + "density and retrains it twice with the mask fixed; the regime comes from the linear mode "
                        + "connectivity (training error, 11 points) and the CKA of the two retrained networks' outputs.")
                .addText("Settings: " + settings)
                .addChart(phases.build())
                .addChart(checks.build())
                .addTable(table.build())
                .build();
    }

    private static String density(double density) {
        return String.format(Locale.ROOT, "%.3g", density);
    }

    private static String temperature(double temperature) {
        return String.format(Locale.ROOT, "%.3g", temperature);
    }
}
