package org.tribuoadapt.tta.selection;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import org.tribuo.provenance.DataProvenance;
import org.tribuoadapt.tta.evaluation.TtaEvaluation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a {@link HyperparameterSelection}: every configuration's evaluation and scores, and one
 * {@link SelectionRow} per scorer. The provenance of every number is kept: each evaluation's
 * {@code EvaluationProvenance} holds the model, the scenario with its seed, the method's configuration and the
 * test data; the scorers' configurations and the source validation data's provenance are kept beside them.
 */
public final class SelectionResult {

    private final List<String> settings;
    private final TtaEvaluation source;
    private final List<TtaEvaluation> evaluations;
    private final Map<String, double[]> scores;
    private final List<SelectionRow> rows;
    private final List<ConfiguredObjectProvenance> scorerProvenances;
    private final DataProvenance validationProvenance;
    private final String featureLayer;

    /**
     * Collects a selection's outcome.
     * @param settings The configurations' settings, in grid order.
     * @param source Source's evaluation on the same stream.
     * @param evaluations The configurations' evaluations, in grid order.
     * @param scores Each scorer's scores of the configurations, in grid order, by scorer name in scorer order.
     * @param rows One row per scorer, in scorer order.
     * @param scorerProvenances The scorers' provenances, in scorer order.
     * @param validationProvenance The source validation data's provenance.
     * @param featureLayer The layer whose input gave the features.
     */
    SelectionResult(List<String> settings, TtaEvaluation source, List<TtaEvaluation> evaluations,
                    Map<String, double[]> scores, List<SelectionRow> rows,
                    List<ConfiguredObjectProvenance> scorerProvenances, DataProvenance validationProvenance,
                    String featureLayer) {
        this.settings = List.copyOf(settings);
        this.source = source;
        this.evaluations = List.copyOf(evaluations);
        Map<String, double[]> copy = new LinkedHashMap<>();
        scores.forEach((name, values) -> copy.put(name, values.clone()));
        this.scores = Collections.unmodifiableMap(copy);
        this.rows = List.copyOf(rows);
        this.scorerProvenances = List.copyOf(scorerProvenances);
        this.validationProvenance = validationProvenance;
        this.featureLayer = featureLayer;
    }

    /**
     * The configurations' settings, in grid order.
     * @return The settings.
     */
    public List<String> settings() {
        return settings;
    }

    /**
     * Source's evaluation on the same stream.
     * @return The evaluation.
     */
    public TtaEvaluation source() {
        return source;
    }

    /**
     * The configurations' evaluations (online target accuracy, with provenance), in grid order.
     * @return The evaluations.
     */
    public List<TtaEvaluation> evaluations() {
        return evaluations;
    }

    /**
     * A scorer's scores of the configurations, in grid order.
     * @param scorer The scorer's name.
     * @return A copy of the scores.
     * @throws IllegalArgumentException if no scorer has that name.
     */
    public double[] scores(String scorer) {
        double[] values = scores.get(scorer);
        if (values == null) {
            throw new IllegalArgumentException("no scorer named '" + scorer + "'; the scorers are " + scores.keySet());
        }
        return values.clone();
    }

    /**
     * One row per scorer, in scorer order.
     * @return The table.
     */
    public List<SelectionRow> rows() {
        return rows;
    }

    /**
     * The index in the grid of the configuration with the best target accuracy (the first on ties).
     * @return The oracle's choice.
     */
    public int oracleIndex() {
        return settings.indexOf(rows.get(0).oracleSetting());
    }

    /**
     * The scorers' provenances, in scorer order.
     * @return The provenances.
     */
    public List<ConfiguredObjectProvenance> scorerProvenances() {
        return scorerProvenances;
    }

    /**
     * The provenance of the labelled source validation data.
     * @return The provenance.
     */
    public DataProvenance validationProvenance() {
        return validationProvenance;
    }

    /**
     * The layer whose input gave the features of the scorers (for models that are not networks, the input
     * features were used).
     * @return The layer name.
     */
    public String featureLayer() {
        return featureLayer;
    }

    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        for (SelectionRow row : rows) {
            lines.add(row.scorer() + " -> " + row.chosenSetting() + " " + row.chosenAccuracy());
        }
        return "SelectionResult(oracle=" + rows.get(0).oracleSetting() + " " + rows.get(0).oracleAccuracy() + ", "
                + lines + ")";
    }
}
