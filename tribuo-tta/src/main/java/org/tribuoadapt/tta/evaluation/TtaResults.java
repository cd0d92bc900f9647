package org.tribuoadapt.tta.evaluation;

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
     * Whether the evaluations' peak memory is the resident set of the whole process (on Linux), rather than the Java
     * heap only.
     * @return True if memory figures include native memory.
     */
    public boolean memoryIsProcessWide() {
        return MemoryProbe.measuresProcess();
    }
}
