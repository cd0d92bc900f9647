package org.tribuoadapt.tta.selection;

import ai.djl.ndarray.types.Shape;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.tta.evaluation.ReplayObserver;
import org.tribuoadapt.tta.evaluation.TtaEvaluation;
import org.tribuoadapt.tta.evaluation.TtaEvaluator;
import org.tribuoadapt.tta.evaluation.TtaResults;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.ModelOutputs;
import org.tribuoadapt.tta.method.TestTimeMethod;
import org.tribuoadapt.tta.method.source.SourceOnly;
import org.tribuoadapt.tta.scenario.StreamBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nested, realistic model-selection protocol of SKADA-Bench (Lalou et al. 2024, "SKADA-Bench: Benchmarking
 * Unsupervised Domain Adaptation Methods with Realistic Validation") for test-time methods: every configuration of a
 * method's grid (for example Tent at several learning rates) is replayed on the same shifted stream by a
 * {@link TtaEvaluator}; each unsupervised {@link SelectionScorer} scores every configuration from its adapted outputs
 * without target labels and chooses its best; and the target accuracy of each scorer's choice is reported against
 * the oracle's, the best accuracy over the grid, which only the target labels can find.
 * <p>
 * What the scorers see of a configuration ({@link SelectionInputs}):
 * <ul>
 *     <li>target probabilities: the configuration's online predictions over the whole stream;</li>
 *     <li>source probabilities: the predictions of the configuration's session, in the state the stream left it
 *     in, on the labelled source validation set, given as one batch after the stream;</li>
 *     <li>features: the source model's, on the stream's inputs and on the validation inputs (for a network, the
 *     input of {@code featureLayer}, by default the penultimate features; for other models, the input features).
 *     They do not depend on the configuration, since a session's adapted network is private to it.</li>
 * </ul>
 */
public final class HyperparameterSelection {

    /** The layer whose input gives the features by default: the penultimate features. */
    public static final String DEFAULT_FEATURE_LAYER = "head";

    /**
     * One configuration of a grid.
     * @param setting What distinguishes it, for the table (e.g. {@code lr=1e-3}).
     * @param method The configured method.
     */
    public record Candidate(String setting, TestTimeMethod method) {
        /**
         * Checks the values.
         * @param setting The setting.
         * @param method The method.
         */
        public Candidate {
            if (setting == null || setting.isBlank()) {
                throw new IllegalArgumentException("a candidate needs a non-blank setting");
            }
            if (method == null) {
                throw new IllegalArgumentException("candidate '" + setting + "' has no method");
            }
        }
    }

    private final TtaEvaluator evaluator;
    private final List<SelectionScorer> scorers;
    private final String featureLayer;

    /**
     * Creates the protocol with the five scorers of {@link #defaultScorers()} and the penultimate features.
     * @param evaluator The evaluator, with the scenario that builds the stream.
     */
    public HyperparameterSelection(TtaEvaluator evaluator) {
        this(evaluator, defaultScorers(), DEFAULT_FEATURE_LAYER);
    }

    /**
     * Creates the protocol.
     * @param evaluator The evaluator, with the scenario that builds the stream.
     * @param scorers The scorers, at least one, with distinct names.
     * @param featureLayer For network models, the layer whose input gives the features.
     */
    public HyperparameterSelection(TtaEvaluator evaluator, List<? extends SelectionScorer> scorers,
                                   String featureLayer) {
        if (evaluator == null) {
            throw new IllegalArgumentException("the selection needs an evaluator");
        }
        if (scorers == null || scorers.isEmpty()) {
            throw new IllegalArgumentException("the selection needs at least one scorer");
        }
        Set<String> names = new HashSet<>();
        for (SelectionScorer scorer : scorers) {
            if (!names.add(scorer.name())) {
                throw new IllegalArgumentException("two scorers are named '" + scorer.name() + "'");
            }
        }
        this.evaluator = evaluator;
        this.scorers = List.copyOf(scorers);
        this.featureLayer = featureLayer;
    }

    /**
     * IWCV, DEV, SND, prediction entropy and circular validation, with their papers' defaults.
     * @return The scorers.
     */
    public static List<SelectionScorer> defaultScorers() {
        return List.of(new ImportanceWeightedValidation(), new DeepEmbeddedValidation(),
                new SoftNeighbourhoodDensity(), new PredictionEntropy(), new CircularValidation());
    }

    /**
     * Runs the protocol. The evaluator's observer is replaced for the run and cleared afterwards.
     * @param model The source model.
     * @param testData The clean test data the scenario shifts (null for file replays).
     * @param sourceData Source-distribution data for methods that use it (labels unused), or null.
     * @param validationData Labelled source validation data, not empty.
     * @param candidates The grid, at least one configuration, with distinct settings.
     * @return The table and the evaluations.
     * @throws IllegalArgumentException if the grid or the validation data is empty, two settings are equal, a
     * configuration is Source, or a method cannot work with the model.
     */
    public SelectionResult select(Model<Label> model, Dataset<Label> testData, Dataset<Label> sourceData,
                                  Dataset<Label> validationData, List<Candidate> candidates) {
        if (candidates == null || candidates.isEmpty()) {
            throw new IllegalArgumentException("the grid has no configuration");
        }
        Set<String> settings = new HashSet<>();
        for (Candidate candidate : candidates) {
            if (candidate.method() instanceof SourceOnly) {
                throw new IllegalArgumentException("configuration '" + candidate.setting() + "' is Source, which "
                        + "has nothing to select and always runs as the baseline");
            }
            if (!settings.add(candidate.setting())) {
                throw new IllegalArgumentException("two configurations have the setting '" + candidate.setting()
                        + "'");
            }
        }
        if (validationData == null || validationData.size() == 0) {
            throw new IllegalArgumentException("the source validation data is empty");
        }
        int width = model.getFeatureIDMap().size();
        FeatureTensorizer tensorizer = new FeatureTensorizer(model.getFeatureIDMap(), new Shape(width));
        int nValidation = validationData.size();
        float[] validationInputs = new float[Math.multiplyExact(nValidation, width)];
        int[] validationLabels = new int[nValidation];
        int i = 0;
        for (Example<Label> example : validationData) {
            int id = model.getOutputIDInfo().getID(example.getOutput());
            if (id < 0) {
                throw new IllegalArgumentException("validation example " + i + " has label '"
                        + example.getOutput().getLabel() + "', which the model does not know");
            }
            validationLabels[i] = id;
            tensorizer.write(example, i, validationInputs, i * width);
            i++;
        }
        try (ModelOutputs outputs = ModelOutputs.of(model, featureLayer)) {
            ModelOutputs.Outputs validationEmbedding = outputs.run(validationInputs, nValidation, true);
            Recorder recorder = new Recorder(outputs, validationInputs, nValidation);
            TtaResults results;
            try {
                results = evaluator.withObserver(recorder).evaluate(model, testData, sourceData,
                        candidates.stream().map(Candidate::method).toList());
            } finally {
                evaluator.withObserver(ReplayObserver.NONE);
            }
            List<TtaEvaluation> evaluations = results.evaluations();
            int offset = evaluations.size() - candidates.size();
            List<TtaEvaluation> candidateEvaluations = evaluations.subList(offset, evaluations.size());
            List<SelectionInputs> inputs = new ArrayList<>();
            for (TtaEvaluation evaluation : candidateEvaluations) {
                inputs.add(new SelectionInputs(validationEmbedding.featureWidth(), outputs.numClasses(),
                        validationEmbedding.features(), validationLabels,
                        recorder.sourceProbabilities.get(evaluation.method()), recorder.targetEmbedding(),
                        recorder.targetProbabilities(evaluation.method())));
            }
            return tabulate(candidates, evaluations.get(0), candidateEvaluations, inputs,
                    validationData);
        }
    }

    private SelectionResult tabulate(List<Candidate> candidates, TtaEvaluation source,
                                     List<TtaEvaluation> evaluations, List<SelectionInputs> inputs,
                                     Dataset<Label> validationData) {
        List<String> settings = candidates.stream().map(Candidate::setting).toList();
        double[] accuracies = evaluations.stream().mapToDouble(TtaEvaluation::accuracy).toArray();
        int oracle = argMax(accuracies, "the oracle");
        Map<String, double[]> scores = new LinkedHashMap<>();
        List<SelectionRow> rows = new ArrayList<>();
        for (SelectionScorer scorer : scorers) {
            double[] values = new double[candidates.size()];
            for (int c = 0; c < values.length; c++) {
                values[c] = scorer.score(inputs.get(c));
            }
            int chosen = argMax(values, "scorer '" + scorer.name() + "'");
            scores.put(scorer.name(), values);
            rows.add(new SelectionRow(scorer.name(), settings.get(chosen), values[chosen], accuracies[chosen],
                    settings.get(oracle), accuracies[oracle]));
        }
        return new SelectionResult(settings, source, evaluations, scores, rows,
                scorers.stream().map(SelectionScorer::getProvenance).toList(), validationData.getProvenance(),
                featureLayer);
    }

    /** The index of the greatest value, the first on ties; NaN values are never chosen. */
    private static int argMax(double[] values, String who) {
        int best = -1;
        for (int c = 0; c < values.length; c++) {
            if (!Double.isNaN(values[c]) && (best < 0 || values[c] > values[best])) {
                best = c;
            }
        }
        if (best < 0) {
            throw new IllegalStateException(who + " gave every configuration a NaN value");
        }
        return best;
    }

    /** Keeps every replay's online outputs, the stream's embedding, and each session's validation outputs. */
    private static final class Recorder implements ReplayObserver {
        private final ModelOutputs outputs;
        private final float[] validationInputs;
        private final int nValidation;
        private final Map<String, FloatBuffer> target = new HashMap<>();
        private final Map<String, float[]> sourceProbabilities = new HashMap<>();
        private String embeddedMethod;
        private final FloatBuffer embedding = new FloatBuffer();

        Recorder(ModelOutputs outputs, float[] validationInputs, int nValidation) {
            this.outputs = outputs;
            this.validationInputs = validationInputs;
            this.nValidation = nValidation;
        }

        @Override
        public void onBatch(String method, StreamBatch batch, float[] probabilities) {
            target.computeIfAbsent(method, m -> new FloatBuffer()).append(probabilities);
            if (embeddedMethod == null) {
                embeddedMethod = method;
            }
            if (embeddedMethod.equals(method)) {
                embedding.append(outputs.run(batch.features(), batch.size(), true).features());
            }
        }

        @Override
        public void onReplayEnd(String method, AdaptationSession session) {
            sourceProbabilities.put(method, session.predict(validationInputs.clone(), nValidation));
        }

        float[] targetProbabilities(String method) {
            return target.get(method).toArray();
        }

        float[] targetEmbedding() {
            return embedding.toArray();
        }
    }

    /** A growing float array. */
    private static final class FloatBuffer {
        private float[] values = new float[1024];
        private int size;

        void append(float[] more) {
            if (size + more.length > values.length) {
                values = Arrays.copyOf(values, Math.max(values.length * 2, size + more.length));
            }
            System.arraycopy(more, 0, values, size, more.length);
            size += more.length;
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
