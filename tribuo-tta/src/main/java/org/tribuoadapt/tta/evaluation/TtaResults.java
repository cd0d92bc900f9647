package org.tribuoadapt.tta.evaluation;

import org.tribuoadapt.core.report.ReportSection;
import org.tribuoadapt.tta.scenario.ShiftScenario;
import org.tribuoadapt.tta.scenario.TtaStream;

import java.util.ArrayList;
import java.util.List;

/**
 * The evaluations of several methods on one shifted stream, Source first, and the report section that shows
 * them.
 */
public final class TtaResults {

    private final ShiftScenario scenario;
    private final TtaStream stream;
    private final List<TtaEvaluation> evaluations;

    /**
     * Collects results.
     * @param scenario The scenario.
     * @param stream The stream it built.
     * @param evaluations The evaluations, Source first.
     */
    TtaResults(ShiftScenario scenario, TtaStream stream, List<TtaEvaluation> evaluations) {
        this.scenario = scenario;
        this.stream = stream;
        this.evaluations = List.copyOf(evaluations);
    }

    /**
     * The scenario.
     * @return The scenario.
     */
    public ShiftScenario scenario() {
        return scenario;
    }

    /**
     * The stream the methods were replayed on.
     * @return The stream.
     */
    public TtaStream stream() {
        return stream;
    }

    /**
     * The evaluations, Source first.
     * @return The evaluations.
     */
    public List<TtaEvaluation> evaluations() {
        return evaluations;
    }

    /**
     * The evaluation of one method.
     * @param method The method's name, e.g. {@code tent}.
     * @return The evaluation.
     * @throws IllegalArgumentException listing the names, if there is none by that name.
     */
    public TtaEvaluation evaluation(String method) {
        List<String> names = new ArrayList<>();
        for (TtaEvaluation e : evaluations) {
            if (e.method().equals(method)) {
                return e;
            }
            names.add(e.method());
        }
        throw new IllegalArgumentException("no method '" + method + "' was evaluated; methods are " + names);
    }

    /**
     * A report section with the summary, per-domain and per-severity tables and the accuracy-versus-severity
     * chart.
     * @param title The section title.
     * @param notes Paragraphs to put first (for example, why a subset of corruptions was chosen).
     * @return The section.
     */
    public ReportSection section(String title, String... notes) {
        return TtaReport.section(title, this, java.util.Collections.emptyMap(), notes);
    }

    /**
     * A report section as {@link #section(String, String...)}, that also records each method's reproducible metrics
     * under the name of its evaluation's provenance entry in the report.
     * @param title The section title.
     * @param provenanceNames The provenance entry name of each method's evaluation, by method name.
     * @param notes Paragraphs to put first.
     * @return The section.
     */
    public ReportSection section(String title, java.util.Map<String, String> provenanceNames, String... notes) {
        return TtaReport.section(title, this, provenanceNames, notes);
    }
}
