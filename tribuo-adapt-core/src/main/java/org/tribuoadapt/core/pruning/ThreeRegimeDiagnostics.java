package org.tribuoadapt.core.pruning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.tribuo.Dataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.train.Evaluation;

/**
 * The loss-landscape diagnostics of the three-regime model of pruning (Zhou, Yang, Chang and Mahoney, ICML 2023) for
 * one load and temperature: the same pruned network retrained twice with different seeds (the authors' retrain seeds)
 * gives two minima, whose linear mode connectivity (the training error at 11 points of the straight path, by default)
 * and the linear CKA of their softmax outputs on the same data place the pair in a {@link Regime}.
 * <p>
 * The CKA is taken on the softmax probabilities, the last representation the authors' CKA code records, and the
 * one their phase plots read.
 */
public final class ThreeRegimeDiagnostics {

    /** The number of points on the path, as in the paper. */
    public static final int DEFAULT_POINTS = 11;

    /**
     * The diagnostics of one pair of retrained networks.
     * @param curve The metric along the linear path and its mode connectivity.
     * @param cka The linear CKA of the two networks' softmax outputs.
     * @param regime The regime the rule assigns.
     */
    public record Diagnosis(LinearModeConnectivity.Curve curve, double cka, Regime regime) {
        /**
         * The mode connectivity {@code mc}.
         * @return {@code curve().modeConnectivity()}.
         */
        public double modeConnectivity() {
            return curve.modeConnectivity();
        }
    }

    private final ThreeRegimeModel rule;
    private final int points;
    private final LinearModeConnectivity.PathMetric metric;

    /**
     * Creates the diagnostics.
     * @param rule The rule mapping the metrics to a regime.
     * @param points The number of points on the linear path, at least 2.
     * @param metric What is measured along the path.
     */
    public ThreeRegimeDiagnostics(ThreeRegimeModel rule, int points, LinearModeConnectivity.PathMetric metric) {
        if (points < 2) {
            throw new IllegalArgumentException("a path needs at least 2 points, found " + points);
        }
        this.rule = rule;
        this.points = points;
        this.metric = metric;
    }

    /**
     * The paper's settings: the default rule, 11 points and the training error.
     * @return The diagnostics.
     */
    public static ThreeRegimeDiagnostics paperDefaults() {
        return new ThreeRegimeDiagnostics(ThreeRegimeModel.defaults(), DEFAULT_POINTS, LinearModeConnectivity.PathMetric.ERROR);
    }

    /**
     * Measures a pair of retrained networks.
     * @param first One retrained network.
     * @param second The same pruned network retrained with another seed.
     * @param data The examples both metrics are measured on (the training data in the paper).
     * @return The diagnosis.
     */
    public Diagnosis diagnose(NetworkModel first, NetworkModel second, Dataset<Label> data) {
        TensorDataset dense = TensorDataset.from(data, first.tensorizer(), first.getOutputIDInfo());
        LinearModeConnectivity.Curve curve = LinearModeConnectivity.linearPath(first, second, dense, points, metric);
        double cka = LinearCka.similarity(probabilities(first, dense), probabilities(second, dense));
        return new Diagnosis(curve, cka, rule.classify(curve.modeConnectivity(), cka));
    }

    /**
     * A network's softmax outputs, in inference mode.
     * @param model The model.
     * @param data The examples.
     * @return One row of class probabilities per example.
     */
    public static double[][] probabilities(NetworkModel model, TensorDataset data) {
        double[][] out = new double[data.size()][];
        try (Network network = model.newNetwork(); GradientMode ignored = GradientMode.disabled()) {
            for (int from = 0; from < data.size(); from += Evaluation.BATCH_SIZE) {
                int[] indices = Evaluation.range(from, Math.min(data.size(), from + Evaluation.BATCH_SIZE));
                try (NDManager batch = network.manager().newSubManager(); NDScope scope = new NDScope()) {
                    NDArray logits = network.forward(data.features(batch, indices), ForwardContext.inference(batch));
                    float[] p = logits.softmax(1).toFloatArray();
                    int classes = p.length / indices.length;
                    for (int i = 0; i < indices.length; i++) {
                        double[] row = new double[classes];
                        for (int c = 0; c < classes; c++) {
                            row[c] = p[i * classes + c];
                        }
                        out[from + i] = row;
                    }
                }
            }
        }
        return out;
    }
}
