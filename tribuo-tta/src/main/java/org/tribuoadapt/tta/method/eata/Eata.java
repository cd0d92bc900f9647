package org.tribuoadapt.tta.method.eata;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.MethodRequirements;
import org.tribuoadapt.tta.method.NormAffineMethod;
import org.tribuoadapt.tta.method.NormAffineSession;

import java.util.ArrayList;
import java.util.List;

/**
 * EATA (Niu et al. 2022, "Efficient Test-Time Model Adaptation without Forgetting", ICML): Tent's entropy
 * minimisation on the normalisation layers' affine parameters, restricted to reliable, non-redundant samples and
 * weighted by their confidence ({@link EataSampleFilter}, Eqs. 3-6), plus the anti-forgetting regulariser
 * {@code beta sum_i F_i (theta_i - theta0_i)^2} (Eq. 8), whose diagonal Fisher information F is the mean over
 * batches of the squared gradients of the cross-entropy to the model's own pseudo-labels, computed once on
 * unlabelled source-distribution samples (Eq. 9). A batch with no kept sample makes no update.
 * <p>
 * Defaults follow the CIFAR-10 settings of the benchmark of Marsden, Döbler and Yang (2024): E0 = 0.4 ln C, cosine
 * margin 0.4, moving-average momentum 0.9, beta = 1, 2000 Fisher samples, Adam with learning rate 1e-3. With
 * {@code fisherAlpha} 0 the method is ETA and needs no source samples.
 */
public final class Eata extends NormAffineMethod {

    /** The method's name. */
    public static final String NAME = "eata";

    @Config(description = "E0 as a fraction of ln(number of classes).")
    private double entropyMarginFactor = 0.4;

    @Config(description = "Cosine-similarity margin epsilon of the redundancy filter, in (0, 1].")
    private double redundancyMargin = 0.4;

    @Config(description = "Momentum of the moving average of kept probabilities, in [0, 1).")
    private double meanMomentum = 0.9;

    @Config(description = "Weight beta of the Fisher regulariser; 0 gives ETA.")
    private double fisherAlpha = 1.0;

    @Config(description = "Source samples used to estimate the Fisher information.")
    private int fisherSamples = 2000;

    @Config(description = "Batch size of the Fisher estimation.")
    private int fisherBatchSize = 64;

    /** For OLCUT. */
    private Eata() {
        super(new AdamOptimiserFactory(1e-3));
    }

    /**
     * Creates EATA with the CIFAR-10 defaults and Adam (lr 1e-3), adapting every normalisation layer.
     * @return The method.
     */
    public static Eata withDefaults() {
        Eata eata = new Eata();
        eata.postConfig();
        return eata;
    }

    /**
     * Creates EATA.
     * @param optimiser The optimiser of the affine parameters.
     * @param entropyMarginFactor E0 as a fraction of ln C.
     * @param redundancyMargin The cosine margin epsilon.
     * @param fisherAlpha The Fisher regulariser weight beta (0 for ETA).
     * @param fisherSamples Source samples for the Fisher information.
     * @param normLayers Layer paths, or empty for all normalisation layers.
     * @param episodic Whether to reset before every batch.
     */
    public Eata(OptimiserFactory optimiser, double entropyMarginFactor, double redundancyMargin,
                       double fisherAlpha, int fisherSamples, List<String> normLayers, boolean episodic) {
        super(optimiser, normLayers, episodic);
        this.entropyMarginFactor = entropyMarginFactor;
        this.redundancyMargin = redundancyMargin;
        this.fisherAlpha = fisherAlpha;
        this.fisherSamples = fisherSamples;
        postConfig();
    }

    @Override
    public void postConfig() {
        super.postConfig();
        if (!(entropyMarginFactor > 0)) {
            throw new PropertyException("", "entropyMarginFactor", "entropyMarginFactor must be positive, found "
                    + entropyMarginFactor);
        }
        if (!(redundancyMargin > 0 && redundancyMargin <= 1)) {
            throw new PropertyException("", "redundancyMargin", "redundancyMargin must be in (0, 1], found "
                    + redundancyMargin);
        }
        if (!(meanMomentum >= 0 && meanMomentum < 1)) {
            throw new PropertyException("", "meanMomentum", "meanMomentum must be in [0, 1), found " + meanMomentum);
        }
        if (!(fisherAlpha >= 0) || Double.isInfinite(fisherAlpha)) {
            throw new PropertyException("", "fisherAlpha", "fisherAlpha must be finite and >= 0, found " + fisherAlpha);
        }
        if (fisherSamples < 1 || fisherBatchSize < 1) {
            throw new PropertyException("", "fisherSamples", "fisherSamples and fisherBatchSize must be at least 1, "
                    + "found " + fisherSamples + " and " + fisherBatchSize);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected String displayName() {
        return "EATA";
    }

    /**
     * E0 for a number of classes.
     * @param classes The number of classes.
     * @return {@code entropyMarginFactor * ln(classes)}.
     */
    public double entropyMargin(int classes) {
        return entropyMarginFactor * Math.log(classes);
    }

    @Override
    public Session start(Model<Label> model, AdaptationContext context) {
        return new Session(model, context);
    }

    @Override
    public String toString() {
        return "Eata(" + sharedSettings() + ",entropyMarginFactor=" + entropyMarginFactor + ",redundancyMargin="
                + redundancyMargin + ",meanMomentum=" + meanMomentum + ",fisherAlpha=" + fisherAlpha + ",fisherSamples="
                + fisherSamples + ",fisherBatchSize=" + fisherBatchSize + ")";
    }

    /**
     * An EATA run; it counts the samples its filters keep.
     */
    public final class Session extends NormAffineSession {
        private final EataSampleFilter filter;
        private final NDManager fisherMemory;
        private final List<NDArray> fisher = new ArrayList<>();
        private final List<NDArray> anchors = new ArrayList<>();
        private long seen;
        private long reliable;
        private long kept;

        Session(Model<Label> model, AdaptationContext context) {
            super(MethodRequirements.network(model, "EATA"), Eata.this, context);
            this.filter = new EataSampleFilter(entropyMargin(numClasses), redundancyMargin, meanMomentum);
            this.fisherMemory = network.manager().newSubManager();
            try {
                if (fisherAlpha > 0) {
                    TensorDataset source = context.source().orElseThrow(() -> new IllegalArgumentException(
                            "EATA with fisherAlpha > 0 needs unlabelled source samples for its Fisher regulariser "
                                    + "(Niu et al. 2022, Eq. 9); give the evaluator source data, or set fisherAlpha to 0 (ETA)"));
                    estimateFisher(source);
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private void estimateFisher(TensorDataset source) {
            try (GradientMode noGrad = GradientMode.disabled()) {
                for (Parameter p : parameters) {
                    NDArray zero = fisherMemory.zeros(p.shape());
                    NDArray anchor = p.array().duplicate();
                    anchor.attach(fisherMemory);
                    NDScope.unregister(zero, anchor);
                    fisher.add(zero);
                    anchors.add(anchor);
                }
            }
            int count = Math.min(fisherSamples, source.size());
            int batches = 0;
            for (int from = 0; from < count; from += fisherBatchSize) {
                int[] indices = Evaluation.range(from, Math.min(count, from + fisherBatchSize));
                try (NDManager batch = network.manager().newSubManager(); NDScope ignored = new NDScope()) {
                    NDArray x = source.features(batch, indices).reshape(new Shape(indices.length).addAll(network.inputShape()));
                    try (GradientMode recording = GradientMode.enabled()) {
                        NDArray logits = forward(batch, x);
                        NDArray pseudoLabels = logits.stopGradient().argMax(1);
                        GradientMode.backward(BatchObjective.crossEntropy(logits, pseudoLabels));
                    }
                    try (GradientMode noGrad = GradientMode.disabled()) {
                        for (int i = 0; i < parameters.size(); i++) {
                            fisher.get(i).addi(parameters.get(i).array().getGradient().square());
                        }
                    }
                    clearGradients();
                }
                batches++;
            }
            for (NDArray f : fisher) {
                f.divi(batches);
            }
        }

        @Override
        protected NDArray adapt(NDManager batch, NDArray input) {
            NDArray logits;
            EataSampleFilter.Selection selection;
            try (GradientMode recording = GradientMode.enabled()) {
                logits = forward(batch, input);
                NDArray entropies = entropy(logits);
                float[] probabilities;
                float[] entropyValues;
                try (GradientMode noGrad = GradientMode.disabled()) {
                    probabilities = logits.stopGradient().softmax(1).toFloatArray();
                    entropyValues = entropies.stopGradient().toFloatArray();
                }
                selection = filter.select(entropyValues, probabilities, numClasses);
                seen += entropyValues.length;
                kept += selection.keptCount();
                for (boolean r : selection.reliable()) {
                    reliable += r ? 1 : 0;
                }
                if (selection.keptCount() > 0) {
                    NDArray weights = batch.create(selection.weights());
                    NDArray loss = TapeConstants.dividedBy(entropies.mul(weights).sum(), selection.keptCount());
                    for (int i = 0; i < fisher.size(); i++) {
                        NDArray drift = parameters.get(i).array().sub(anchors.get(i));
                        loss = loss.add(TapeConstants.times(fisher.get(i).mul(drift.square()).sum(), fisherAlpha));
                    }
                    GradientMode.backward(loss);
                }
            }
            if (selection.keptCount() > 0) {
                step();
            }
            return logits;
        }

        @Override
        protected void resetState() {
            filter.reset();
        }

        /**
         * The number of samples predicted so far.
         * @return The count.
         */
        public long seen() {
            return seen;
        }

        /**
         * The number of samples that passed the entropy filter.
         * @return The count.
         */
        public long reliable() {
            return reliable;
        }

        /**
         * The number of samples that passed both filters and drove updates.
         * @return The count.
         */
        public long kept() {
            return kept;
        }

        @Override
        public void close() {
            fisherMemory.close();
            super.close();
        }
    }
}
