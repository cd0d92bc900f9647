package org.tribuoadapt.robust.evaluation;

import org.tribuoadapt.core.report.LineChart;
import org.tribuoadapt.core.report.ReportTable;

import java.util.ArrayList;
import java.util.List;

/**
 * Adaptive smoothing's accuracy-robustness trade-off (Bai et al. 2024, figure 2): the evaluation of a fixed-alpha
 * mixture at each alpha, from the standard model alone (alpha 0) to the robust model alone (alpha 1).
 */
public final class AlphaCurve {

    private final double[] alphas;
    private final List<RobustnessEvaluation> evaluations;

    /**
     * Creates a curve.
     * @param alphas The alphas, in order.
     * @param evaluations The evaluation at each alpha.
     */
    AlphaCurve(double[] alphas, List<RobustnessEvaluation> evaluations) {
        this.alphas = alphas.clone();
        this.evaluations = List.copyOf(evaluations);
    }

    /**
     * The alphas.
     * @return A copy.
     */
    public double[] alphas() {
        return alphas.clone();
    }

    /**
     * The evaluation at each alpha.
     * @return The evaluations, in alpha order.
     */
    public List<RobustnessEvaluation> evaluations() {
        return evaluations;
    }

    /**
     * Clean accuracy at each alpha.
     * @return The accuracies.
     */
    public double[] cleanAccuracy() {
        return evaluations.stream().mapToDouble(RobustnessEvaluation::cleanAccuracy).toArray();
    }

    /**
     * Robust accuracy at each alpha under the {@code index}-th attack and budget of the evaluator.
     * @param index The outcome's position.
     * @return The accuracies.
     */
    public double[] robustAccuracy(int index) {
        return evaluations.stream().mapToDouble(e -> e.outcomes().get(index).accuracy()).toArray();
    }

    /**
     * A line chart of clean and robust accuracy against alpha.
     * @param title The chart title.
     * @return The chart.
     */
    public LineChart toChart(String title) {
        LineChart.Builder chart = LineChart.builder(title, "alpha (weight of the robust model)", "accuracy")
                .addSeries("clean", alphas, cleanAccuracy());
        List<AttackOutcome> first = evaluations.get(0).outcomes();
        for (int i = 0; i < first.size(); i++) {
            chart.addSeries(first.get(i).key(), alphas, robustAccuracy(i));
        }
        return chart.build();
    }

    /**
     * A report table with one row per alpha.
     * @param caption The caption.
     * @return The table.
     */
    public ReportTable toTable(String caption) {
        List<String> columns = new ArrayList<>(List.of("alpha", "clean accuracy"));
        for (AttackOutcome o : evaluations.get(0).outcomes()) {
            columns.add("accuracy under " + o.key());
        }
        ReportTable.Builder table = ReportTable.builder(caption, columns.toArray(new String[0]));
        for (int a = 0; a < alphas.length; a++) {
            List<Object> row = new ArrayList<>();
            row.add(alphas[a]);
            row.add(evaluations.get(a).cleanAccuracy());
            for (AttackOutcome o : evaluations.get(a).outcomes()) {
                row.add(o.accuracy());
            }
            table.addRow(row);
        }
        return table.build();
    }
}
