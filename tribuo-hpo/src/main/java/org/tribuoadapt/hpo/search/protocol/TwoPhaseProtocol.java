package org.tribuoadapt.hpo.search.protocol;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.hpo.search.Objective;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;
import org.tribuoadapt.hpo.search.objective.ConfigObjective;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The two-phase evaluation protocol of Cha and Cho ("Hyperparameters in Continual Learning: A Reality Check",
 * arXiv 2403.09066) over an OLCUT configuration file. Phase 1 (hyper-parameter tuning) runs a {@link Study} of a
 * {@link ConfigObjective} that trains on the tuning training source and scores on the tuning validation source.
 * The best trial's values are then frozen, and phase 2 (evaluation) trains the same trainer once with exactly those
 * values on the evaluation training source and scores it on the evaluation test source: phase 2 never searches. The
 * paper keeps the scenario configuration and changes the data between the phases; here both phases share the
 * configuration file, trainer, metric and search space, and the four data sources are components of that file.
 * <p>
 * A phase-2 source may not be a phase-1 source (the check is by component name: two names configured alike are not
 * detected). The {@link TwoPhaseResult} holds both scores and their {@linkplain TwoPhaseResult#gap() gap}, the best
 * phase-1 trial with its model's provenance, the phase-2 model's provenance and this protocol's configuration.
 * {@link #oracle(Study)}, a separate diagnostic, scores every phase-1 point in phase 2.
 */
public final class TwoPhaseProtocol implements Configurable, Provenancable<ConfiguredObjectProvenance> {

    @Config(mandatory = true, description = "The OLCUT configuration file holding the trainer and the four data sources.")
    private Path configFile;

    @Config(mandatory = true, description = "Name of the Trainer<Label> component.")
    private String trainer;

    @Config(mandatory = true, description = "Phase 1: name of the training DataSource<Label> component.")
    private String tuningTrainingSource;

    @Config(mandatory = true, description = "Phase 1: name of the validation DataSource<Label> component the study scores on.")
    private String tuningValidationSource;

    @Config(mandatory = true, description = "Phase 2: name of the training DataSource<Label> component.")
    private String evaluationTrainingSource;

    @Config(mandatory = true, description = "Phase 2: name of the test DataSource<Label> component.")
    private String evaluationTestSource;

    @Config(description = "The metric both phases report.")
    private ConfigObjective.Metric metric = ConfigObjective.Metric.ACCURACY;

    @Config(mandatory = true, description = "The search space of phase 1, one component.property=kind:arguments per entry (see SearchSpace).")
    private List<String> space;

    private ConfigObjective tuning;
    private ConfigObjective evaluation;

    private TwoPhaseProtocol() {}

    /**
     * Creates a protocol.
     * @param configFile The configuration file.
     * @param trainer The trainer component.
     * @param tuningTrainingSource Phase 1's training data source component.
     * @param tuningValidationSource Phase 1's validation data source component.
     * @param evaluationTrainingSource Phase 2's training data source component.
     * @param evaluationTestSource Phase 2's test data source component.
     * @param metric The metric.
     * @param space The search space in text form.
     */
    public TwoPhaseProtocol(Path configFile, String trainer, String tuningTrainingSource, String tuningValidationSource,
                            String evaluationTrainingSource, String evaluationTestSource, ConfigObjective.Metric metric,
                            List<String> space) {
        this.configFile = configFile;
        this.trainer = trainer;
        this.tuningTrainingSource = tuningTrainingSource;
        this.tuningValidationSource = tuningValidationSource;
        this.evaluationTrainingSource = evaluationTrainingSource;
        this.evaluationTestSource = evaluationTestSource;
        this.metric = metric;
        this.space = List.copyOf(space);
        postConfig();
    }

    @Override
    public void postConfig() {
        Set<String> shared = new TreeSet<>(List.of(tuningTrainingSource, tuningValidationSource));
        shared.retainAll(Set.of(evaluationTrainingSource, evaluationTestSource));
        if (!shared.isEmpty()) {
            String property = shared.contains(evaluationTrainingSource) ? "evaluationTrainingSource" : "evaluationTestSource";
            throw new PropertyException("", property, "the phases must use disjoint data, but "
                    + String.join(", ", shared) + " is a source of both phase 1 (" + tuningTrainingSource + ", "
                    + tuningValidationSource + ") and phase 2 (" + evaluationTrainingSource + ", "
                    + evaluationTestSource + ")");
        }
        tuning = new ConfigObjective(configFile, trainer, tuningTrainingSource, tuningValidationSource, metric, space);
        evaluation = new ConfigObjective(configFile, trainer, evaluationTrainingSource, evaluationTestSource, metric, space);
    }

    /**
     * Phase 1's objective: create the study with its {@link ConfigObjective#direction()}.
     * @return The objective over the tuning sources.
     */
    public ConfigObjective tuningObjective() {
        return tuning;
    }

    /**
     * Runs both phases: {@code nTrials} trials of phase 1 in an empty study, then one phase-2 training with the best
     * trial's values on the evaluation sources.
     * @param study An empty single-objective study in the metric's direction.
     * @param nTrials How many phase-1 trials to run.
     * @return Both phases.
     */
    public TwoPhaseResult run(Study study, int nTrials) {
        if (study.direction() != tuning.direction()) {
            throw new IllegalArgumentException("study '" + study.name() + "' is to " + study.direction() + " but "
                    + metric + " is to " + tuning.direction());
        }
        return run(study, tuning, nTrials, this::evaluate, Optional.of(getProvenance()));
    }

    private FrozenEvaluation.Score evaluate(Map<String, Object> frozen) {
        ConfigObjective.Fit fit = evaluation.fit(frozen);
        return new FrozenEvaluation.Score(fit.score(), Optional.of(ConfigObjective.provenanceJson(fit.model())));
    }

    /**
     * Runs both phases with any objective and phase-2 evaluation: {@code nTrials} trials of {@code tuning} in an
     * empty study, then a single call of {@code evaluation} with the best trial's params.
     * @param study An empty single-objective study.
     * @param tuning Phase 1's objective.
     * @param nTrials How many phase-1 trials to run.
     * @param evaluation Phase 2, called once.
     * @return Both phases, without configuration provenance.
     */
    public static TwoPhaseResult run(Study study, Objective tuning, int nTrials, FrozenEvaluation evaluation) {
        return run(study, tuning, nTrials, evaluation, Optional.empty());
    }

    private static TwoPhaseResult run(Study study, Objective tuning, int nTrials, FrozenEvaluation evaluation,
                                      Optional<ConfiguredObjectProvenance> configuration) {
        if (study.directions().size() != 1) {
            throw new IllegalArgumentException("study '" + study.name() + "' has " + study.directions().size()
                    + " objectives; the two-phase protocol freezes the values of a single best trial");
        }
        if (!study.trials().isEmpty()) {
            throw new IllegalArgumentException("study '" + study.name() + "' already has " + study.trials().size()
                    + " trials; phase 1 needs an empty study so that only its own trials are chosen from");
        }
        study.optimize(tuning, nTrials);
        List<Trial> trials = study.trials();
        Trial best;
        try {
            best = study.bestTrial();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("phase 1 chose nothing: none of the " + trials.size()
                    + " trials of study '" + study.name() + "' completed", e);
        }
        Map<String, Object> frozen = best.params();
        FrozenEvaluation.Score score = phaseTwo(evaluation, frozen, "trial " + best.number());
        return new TwoPhaseResult(study.name(), study.direction(), trials.size(), best, frozen, score, configuration);
    }

    /**
     * The phase-2 oracle over a finished phase 1 (see {@link PhaseTwoOracle}): trains and scores, on the evaluation
     * sources, every distinct set of values among the study's COMPLETE trials.
     * @param study The phase-1 study of {@link #run(Study, int)}.
     * @return The best of them in phase 2.
     */
    public PhaseTwoOracle oracle(Study study) {
        return oracle(study, this::evaluate);
    }

    /**
     * The phase-2 oracle with any phase-2 evaluation: one call of {@code evaluation} per distinct set of values
     * among the study's COMPLETE trials, in trial order; the best score in the study's direction wins (the first of
     * equals).
     * @param study A single-objective study with at least one COMPLETE trial.
     * @param evaluation Phase 2.
     * @return The best phase-2 score among the phase-1 points.
     */
    public static PhaseTwoOracle oracle(Study study, FrozenEvaluation evaluation) {
        LinkedHashSet<Map<String, Object>> points = new LinkedHashSet<>();
        for (Trial t : study.trials()) {
            if (t.state() == TrialState.COMPLETE) {
                points.add(t.params());
            }
        }
        if (points.isEmpty()) {
            throw new IllegalStateException("study '" + study.name() + "' has no COMPLETE trial to evaluate in phase 2");
        }
        Map<String, Object> bestValues = null;
        double bestScore = Double.NaN;
        for (Map<String, Object> values : points) {
            double score = phaseTwo(evaluation, values, "the oracle's point").value();
            if (bestValues == null || study.direction().loss(score) < study.direction().loss(bestScore)) {
                bestValues = values;
                bestScore = score;
            }
        }
        return new PhaseTwoOracle(bestValues, bestScore, points.size());
    }

    private static FrozenEvaluation.Score phaseTwo(FrozenEvaluation evaluation, Map<String, Object> values, String what) {
        FrozenEvaluation.Score score;
        try {
            score = evaluation.evaluate(values);
        } catch (Exception e) {
            throw new IllegalStateException("phase 2 failed with the values " + values + " of " + what + ": "
                    + e.getMessage(), e);
        }
        if (!Double.isFinite(score.value())) {
            throw new IllegalStateException("phase 2 scored " + score.value() + " with the values " + values + " of "
                    + what);
        }
        return score;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TwoPhaseProtocol");
    }

    @Override
    public String toString() {
        return "TwoPhaseProtocol(configFile=" + configFile + ", trainer=" + trainer + ", tuning=" + tuningTrainingSource
                + "/" + tuningValidationSource + ", evaluation=" + evaluationTrainingSource + "/" + evaluationTestSource
                + ", metric=" + metric + ", space=" + space + ")";
    }
}
