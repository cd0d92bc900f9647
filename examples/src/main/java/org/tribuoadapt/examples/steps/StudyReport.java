package org.tribuoadapt.examples.steps;

import org.tribuoadapt.hpo.search.CategoricalDistribution;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.FloatDistribution;
import org.tribuoadapt.hpo.search.IntDistribution;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;
import org.tribuoadapt.report.LineChart;
import org.tribuoadapt.report.ReportSection;
import org.tribuoadapt.report.ReportTable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Lays out a single-objective hyper-parameter study as a report section: the optimisation history (the objective of
 * each completed trial by trial number, with the best value so far), a table of parameter importances and a
 * parallel-coordinates chart of the completed trials.
 * <p>
 * Importance is the main-effect share of one parameter, a one-way analysis of variance in the spirit of fANOVA's
 * main effects (Hutter, Hoos and Leyton-Brown, "An Efficient Approach for Assessing Hyperparameter Importance",
 * ICML 2014) but computed on the observed trials rather than on a fitted random forest. For a parameter, the
 * completed trials that set it are grouped: a categorical parameter by choice, a numeric parameter into
 * {@code B = clamp(floor(sqrt(n)), 2, 10)} equal-width bins over its observed range (in log space for a log-scale
 * distribution; bin {@code min(B - 1, floor(B (v - min) / (max - min)))}). The share is
 * {@code SS_between / SS_total}, with {@code SS_between = sum_g n_g (mean_g - mean)^2} and
 * {@code SS_total = sum_i (y_i - mean)^2}: 1 when the groups explain all the variance of the objective, 0 when every
 * group has the same mean. It is NaN when the objective does not vary, and 0 for a parameter with one observed
 * value. With few trials per group it overstates importance (one trial per group gives 1), so it is a guide, not a
 * test. The computation is deterministic.
 * <p>
 * In the parallel-coordinates chart, axis k (x = k) is the k-th parameter in name order and each completed trial is
 * one line through its values normalised to [0, 1] over the distribution's range (log space for log-scale
 * distributions, choice index over choices - 1 for categorical ones). Lines are ordered best first and named by
 * trial number and objective value, so the legend reads as a ranking.
 */
public final class StudyReport {

    private static final int MAX_BINS = 10;

    private StudyReport() {}

    /**
     * Builds the section of a stored study.
     * @param title The section title.
     * @param study The study, single-objective.
     * @return The section.
     * @throws IllegalArgumentException If the study has several objectives.
     */
    public static ReportSection section(String title, Study study) {
        if (study.directions().size() != 1) {
            throw new IllegalArgumentException("study '" + study.name() + "' has " + study.directions().size()
                    + " objectives; the study report covers single-objective studies");
        }
        return section(title, study.name(), study.direction(), study.trials());
    }

    /**
     * Builds the section from a study's trials.
     * @param title The section title.
     * @param studyName The study name, shown in the text.
     * @param direction The optimisation direction.
     * @param trials The trials; only completed ones with a finite value are used.
     * @return The section; without completed trials it holds a paragraph saying so and no charts.
     */
    public static ReportSection section(String title, String studyName, Direction direction, List<Trial> trials) {
        List<Trial> completed = completed(trials);
        ReportSection.Builder section = ReportSection.builder(title);
        section.putResult("study", studyName).putResult("trials", trials.size())
                .putResult("completedTrials", completed.size());
        if (completed.isEmpty()) {
            return section.addText("Study '" + studyName + "' has no completed trials with a finite objective value"
                    + " yet (" + trials.size() + " trials in all), so there is no history, importance or"
                    + " parallel-coordinates chart to show.").build();
        }
        section.addText("Study '" + studyName + "' (" + direction.name().toLowerCase(Locale.ROOT) + "): "
                + completed.size() + " completed trials of " + trials.size() + ". Importance is the share of the"
                + " objective's variance explained by grouping the trials by one parameter (choices, or up to "
                + MAX_BINS + " equal-width bins; a one-way ANOVA main effect, see docs/hpo.md); with few trials it"
                + " overstates importance.");

        double[] numbers = completed.stream().mapToDouble(Trial::number).toArray();
        double[] values = completed.stream().mapToDouble(Trial::value).toArray();
        double[] best = bestSoFar(values, direction);
        section.addChart(LineChart.builder("Optimisation history", "trial number", "objective")
                .addSeries("objective", numbers, values).addSeries("best so far", numbers, best).build());
        section.putResult("bestSoFar", best);

        TreeSet<String> names = new TreeSet<>();
        completed.forEach(t -> names.addAll(t.params().keySet()));
        ReportTable.Builder table = ReportTable.builder("Parameter importance (main-effect share of variance)",
                "parameter", "trials", "groups", "share");
        Map<String, Object> importances = new LinkedHashMap<>();
        for (String name : names) {
            List<Trial> setting = completed.stream().filter(t -> t.params().containsKey(name)).toList();
            int[] groups = groups(setting, name);
            double share = mainEffectShare(groups, setting.stream().mapToDouble(Trial::value).toArray());
            int groupCount = setting.isEmpty() ? 0 : Arrays.stream(groups).max().getAsInt() + 1;
            table.addRow(name, setting.size(), groupCount, Double.isNaN(share) ? "n/a" : (Object) share);
            importances.put(name, share);
        }
        if (!names.isEmpty()) {
            section.addTable(table.build());
            section.addChart(parallelCoordinates(completed, List.copyOf(names), direction));
        }
        return section.putResult("importance", importances).build();
    }

    private static List<Trial> completed(List<Trial> trials) {
        List<Trial> completed = new ArrayList<>();
        for (Trial t : trials) {
            if (t.state() == TrialState.COMPLETE && t.values() != null && t.values().size() == 1
                    && Double.isFinite(t.values().get(0))) {
                completed.add(t);
            }
        }
        completed.sort(Comparator.comparingInt(Trial::number));
        return completed;
    }

    /**
     * The best objective value among the first i + 1 values, for each i.
     * @param values The objective values in trial order.
     * @param direction The direction that defines "best".
     * @return The running best.
     */
    static double[] bestSoFar(double[] values, Direction direction) {
        double[] best = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            best[i] = i == 0 ? values[0] : direction == Direction.MAXIMIZE
                    ? Math.max(best[i - 1], values[i]) : Math.min(best[i - 1], values[i]);
        }
        return best;
    }

    /**
     * The share of the variance of {@code y} explained by the group means: {@code SS_between / SS_total}.
     * @param groups The group of each observation, from 0.
     * @param y The observations.
     * @return The share in [0, 1], or NaN when y has no variance (or is empty).
     */
    static double mainEffectShare(int[] groups, double[] y) {
        if (groups.length != y.length) {
            throw new IllegalArgumentException(groups.length + " group indices for " + y.length + " observations");
        }
        double mean = Arrays.stream(y).average().orElse(Double.NaN);
        double total = 0;
        for (double v : y) {
            total += (v - mean) * (v - mean);
        }
        if (!(total > 0)) {
            return Double.NaN;
        }
        int count = groups.length == 0 ? 0 : Arrays.stream(groups).max().getAsInt() + 1;
        double[] sums = new double[count];
        int[] sizes = new int[count];
        for (int i = 0; i < y.length; i++) {
            sums[groups[i]] += y[i];
            sizes[groups[i]]++;
        }
        double between = 0;
        for (int g = 0; g < count; g++) {
            if (sizes[g] > 0) {
                double groupMean = sums[g] / sizes[g];
                between += sizes[g] * (groupMean - mean) * (groupMean - mean);
            }
        }
        return Math.min(1.0, between / total);
    }

    // the group of each trial for one parameter: its choice, or its equal-width bin over the observed range
    private static int[] groups(List<Trial> trials, String name) {
        int[] groups = new int[trials.size()];
        if (trials.isEmpty()) {
            return groups;
        }
        Distribution distribution = trials.get(0).distributions().get(name);
        if (distribution instanceof CategoricalDistribution) {
            for (int i = 0; i < groups.length; i++) {
                groups[i] = (int) distribution.toInternal(trials.get(i).params().get(name));
            }
            return groups;
        }
        double[] v = trials.stream().mapToDouble(t -> scaled(distribution, t.params().get(name))).toArray();
        double min = Arrays.stream(v).min().getAsDouble();
        double max = Arrays.stream(v).max().getAsDouble();
        int bins = Math.max(2, Math.min(MAX_BINS, (int) Math.floor(Math.sqrt(v.length))));
        for (int i = 0; i < v.length; i++) {
            groups[i] = max > min ? Math.min(bins - 1, (int) Math.floor(bins * (v[i] - min) / (max - min))) : 0;
        }
        return groups;
    }

    // a parameter value on the scale its distribution samples on: log for log-scale distributions
    private static double scaled(Distribution distribution, Object value) {
        double internal = distribution.toInternal(value);
        boolean log = distribution instanceof FloatDistribution f ? f.log()
                : distribution instanceof IntDistribution d && d.log();
        return log ? Math.log(internal) : internal;
    }

    private static double normalised(Distribution distribution, Object value) {
        if (distribution instanceof CategoricalDistribution c) {
            return c.choices().size() < 2 ? 0.5 : distribution.toInternal(value) / (c.choices().size() - 1);
        }
        double low;
        double high;
        if (distribution instanceof FloatDistribution f) {
            low = f.log() ? Math.log(f.low()) : f.low();
            high = f.log() ? Math.log(f.high()) : f.high();
        } else {
            IntDistribution d = (IntDistribution) distribution;
            low = d.log() ? Math.log(d.low()) : d.low();
            high = d.log() ? Math.log(d.high()) : d.high();
        }
        return high > low ? (scaled(distribution, value) - low) / (high - low) : 0.5;
    }

    private static LineChart parallelCoordinates(List<Trial> completed, List<String> names, Direction direction) {
        StringBuilder axes = new StringBuilder("parameter axis (");
        for (int k = 0; k < names.size(); k++) {
            axes.append(k == 0 ? "" : ", ").append(k + 1).append(" = ").append(names.get(k));
        }
        LineChart.Builder chart = LineChart.builder("Parallel coordinates", axes.append(')').toString(),
                "normalised value");
        Comparator<Trial> byValue = Comparator.comparingDouble(Trial::value);
        List<Trial> ranked = new ArrayList<>(completed);
        ranked.sort((direction == Direction.MAXIMIZE ? byValue.reversed() : byValue)
                .thenComparingInt(Trial::number));
        for (Trial t : ranked) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int k = 0; k < names.size(); k++) {
                Object value = t.params().get(names.get(k));
                if (value != null) {
                    x.add(k + 1.0);
                    y.add(normalised(t.distributions().get(names.get(k)), value));
                }
            }
            chart.addSeries("trial " + t.number() + ": " + t.value(),
                    x.stream().mapToDouble(Double::doubleValue).toArray(),
                    y.stream().mapToDouble(Double::doubleValue).toArray());
        }
        return chart.build();
    }
}
