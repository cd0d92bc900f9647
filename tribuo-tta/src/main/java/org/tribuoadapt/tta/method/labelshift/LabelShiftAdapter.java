package org.tribuoadapt.tta.method.labelshift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.MethodRequirements;
import org.tribuoadapt.tta.method.NetworkInputs;
import org.tribuoadapt.tta.method.NormAffineMethod;
import org.tribuoadapt.tta.method.NormAffineSession;
import org.tribuoadapt.tta.method.TestTimeMethod;
import org.tribuoadapt.tta.method.tent.Tent;

import java.util.SplittableRandom;

/**
 * The Label Shift Adapter (Park et al. 2023, "Label Shift Adapter for Test-Time Adaptation under Covariate and
 * Label Shifts", ICCV) around a covariate-shift method: Tent by default, or EATA (any method that adapts the
 * normalisation layers' affine parameters). Before deployment an adapter network is trained on the frozen source
 * model with labelled source samples and simulated label shifts ({@link ShiftAdapterNetwork}: source batches
 * resampled with class priors drawn from a Dirichlet distribution); it maps the target label distribution, relative
 * to the source one, to the parameters of the classifier. During the stream:
 * <ol>
 *   <li>the target label distribution is estimated online ({@link LabelDistributionEstimator}: a moving average of
 *   each batch's EM-corrected class priors, computed from the covariate method's posteriors before the
 *   modulation);</li>
 *   <li>the adapter turns the current estimate into per-class scales and shifts of the logits, the classifier the
 *   adapter was trained to give for that distribution;</li>
 *   <li>the covariate method predicts and adapts on the modulated model, its loss (Tent's entropy, EATA's filtered
 *   entropy) computed on the modulated logits; only its parameters change, the adapter stays frozen.</li>
 * </ol>
 * Each batch is modulated with the estimate from the batches before it (the source distribution for the first).
 * At the source label distribution the adapter gives exactly the source classifier, so on a stream without label
 * shift the method starts as its covariate method.
 * <p>
 * "Adapter" is meant in the paper's sense, a small network that generates parameters, not a parameter-efficient
 * fine-tuning module. Differences from the paper, whose code we could not find: its adapter generates parameters of
 * a small part of the network (summaries of the paper name the classifier and a feature scaling) and is trained with
 * a generalised logit-adjusted loss from a scalar imbalance degree of the distribution; here it takes the whole
 * log-ratio of the distributions and modulates the classifier's logits only, trained with the cross-entropy on the
 * resampled batches, whose minimiser is the classifier for the simulated priors. The source distribution is the
 * model's mean posterior on the source samples, so that EM starts at its fixed point on an unshifted stream.
 */
public final class LabelShiftAdapter implements TestTimeMethod {

    /** The method's name. */
    public static final String NAME = "label-shift-adapter";

    private static final String DISPLAY_NAME = "Label Shift Adapter";

    /** Source samples per forward pass when the source logits are computed. */
    private static final int SOURCE_BATCH = 256;

    /** EM's convergence tolerance on each batch's priors (label-shift EM's default). */
    private static final double EM_TOLERANCE = 1e-6;

    @Config(description = "The covariate-shift method run on the modulated model: Tent or EATA (any method that "
            + "adapts normalisation layers' affine parameters).")
    private NormAffineMethod covariateMethod = Tent.withDefaults();

    @Config(description = "Hidden units of the adapter network.")
    private int hiddenUnits = 64;

    @Config(description = "Adam steps of the adapter's pre-training on source data.")
    private int pretrainSteps = 2000;

    @Config(description = "Source examples per pre-training step.")
    private int pretrainBatchSize = 64;

    @Config(description = "Dirichlet concentration of the label distributions simulated in pre-training.")
    private double pretrainConcentration = 1.0;

    @Config(description = "Adam learning rate of the adapter's pre-training.")
    private double learningRate = 1e-3;

    @Config(description = "Weight of the old estimate in the moving average of the target label distribution, in "
            + "[0, 1).")
    private double estimateMomentum = 0.9;

    @Config(description = "Largest number of EM iterations of each batch's class-prior estimate.")
    private int maxIterations = 100;

    @Config(description = "Seed of the adapter's initial weights and simulated label shifts.")
    private long seed = 1L;

    /** For OLCUT. */
    private LabelShiftAdapter() {}

    /**
     * Creates the adapter around a covariate-shift method.
     * @param covariateMethod Tent, EATA or another normalisation-affine method.
     * @param hiddenUnits Hidden units of the adapter network.
     * @param pretrainSteps Adam steps of the pre-training.
     * @param pretrainBatchSize Source examples per pre-training step.
     * @param pretrainConcentration Dirichlet concentration of the simulated label distributions.
     * @param learningRate Adam's learning rate.
     * @param estimateMomentum Weight of the old estimate of the target label distribution.
     * @param seed The seed of the pre-training.
     */
    public LabelShiftAdapter(NormAffineMethod covariateMethod, int hiddenUnits, int pretrainSteps,
                             int pretrainBatchSize, double pretrainConcentration, double learningRate,
                             double estimateMomentum, long seed) {
        this.covariateMethod = covariateMethod;
        this.hiddenUnits = hiddenUnits;
        this.pretrainSteps = pretrainSteps;
        this.pretrainBatchSize = pretrainBatchSize;
        this.pretrainConcentration = pretrainConcentration;
        this.learningRate = learningRate;
        this.estimateMomentum = estimateMomentum;
        this.seed = seed;
        postConfig();
    }

    /**
     * The adapter around Tent with the defaults: 64 hidden units, 2000 pre-training steps of 64 examples with
     * Dirichlet(1) label distributions, Adam with learning rate 1e-3, estimate momentum 0.9.
     * @return The method.
     */
    public static LabelShiftAdapter withDefaults() {
        LabelShiftAdapter method = new LabelShiftAdapter();
        method.postConfig();
        return method;
    }

    @Override
    public void postConfig() {
        if (covariateMethod == null) {
            throw new PropertyException("", "covariateMethod", "the Label Shift Adapter needs a covariate-shift "
                    + "method such as Tent or EATA");
        }
        if (hiddenUnits < 1 || pretrainSteps < 1 || pretrainBatchSize < 1 || maxIterations < 1) {
            throw new PropertyException("", "hiddenUnits", "hiddenUnits, pretrainSteps, pretrainBatchSize and "
                    + "maxIterations must be at least 1, found " + hiddenUnits + ", " + pretrainSteps + ", "
                    + pretrainBatchSize + " and " + maxIterations);
        }
        if (!(pretrainConcentration > 0) || Double.isInfinite(pretrainConcentration)) {
            throw new PropertyException("", "pretrainConcentration", "pretrainConcentration must be finite and "
                    + "positive, found " + pretrainConcentration);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new PropertyException("", "learningRate", "learningRate must be finite and positive, found "
                    + learningRate);
        }
        if (!(estimateMomentum >= 0 && estimateMomentum < 1)) {
            throw new PropertyException("", "estimateMomentum", "estimateMomentum must be in [0, 1), found "
                    + estimateMomentum);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The covariate-shift method.
     * @return The method.
     */
    public NormAffineMethod covariateMethod() {
        return covariateMethod;
    }

    /** The frozen source network's logits on every source sample, {@code size * classes} values. */
    private static float[] sourceLogits(Model<Label> model, TensorDataset source) {
        try (Network network = MethodRequirements.newNetwork(model, DISPLAY_NAME)) {
            float[] out = null;
            for (int from = 0; from < source.size(); from += SOURCE_BATCH) {
                int n = Math.min(SOURCE_BATCH, source.size() - from);
                try (NDManager batch = network.manager().newSubManager(); NDScope ignored = new NDScope();
                     GradientMode noGrad = GradientMode.disabled()) {
                    float[] inputs = source.features(batch, Evaluation.range(from, from + n)).toFloatArray();
                    float[] logits = network.forward(NetworkInputs.batch(batch, network, inputs, n),
                            ForwardContext.inference(batch)).toFloatArray();
                    if (out == null) {
                        out = new float[source.size() * (logits.length / n)];
                    }
                    System.arraycopy(logits, 0, out, from * (logits.length / n), logits.length);
                }
            }
            return out;
        }
    }

    /** The mean softmax of rows of logits. */
    private static double[] meanPosterior(float[] logits, int classes) {
        int n = logits.length / classes;
        double[] mean = new double[classes];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[i * classes + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[i * classes + c] - max);
            }
            for (int c = 0; c < classes; c++) {
                mean[c] += Math.exp(logits[i * classes + c] - max) / sum / n;
            }
        }
        return mean;
    }

    @Override
    public Session start(Model<Label> model, AdaptationContext context) {
        MethodRequirements.network(model, DISPLAY_NAME);
        TensorDataset source = context.source().filter(s -> s.size() > 0).orElseThrow(() ->
                new IllegalArgumentException("the Label Shift Adapter pre-trains its adapter on labelled source "
                        + "samples (Park et al. 2023); give the evaluator source data"));
        float[] logits = sourceLogits(model, source);
        int classes = model.getOutputIDInfo().size();
        double[] sourcePriors = meanPosterior(logits, classes);
        ShiftAdapterNetwork adapter = ShiftAdapterNetwork.train(logits, source.labels(), sourcePriors, hiddenUnits,
                pretrainSteps, pretrainBatchSize, pretrainConcentration, learningRate, new SplittableRandom(seed));
        AdaptationSession inner = covariateMethod.start(model, context);
        if (!(inner instanceof NormAffineSession)) {
            inner.close();
            throw new IllegalStateException("the Label Shift Adapter modulates the logits of a normalisation-affine "
                    + "session, but " + covariateMethod + " started a " + inner.getClass().getName());
        }
        return new Session((NormAffineSession) inner, adapter, sourcePriors);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TestTimeMethod");
    }

    @Override
    public String toString() {
        return "LabelShiftAdapter(covariateMethod=" + covariateMethod + ",hiddenUnits=" + hiddenUnits
                + ",pretrainSteps=" + pretrainSteps + ",pretrainBatchSize=" + pretrainBatchSize
                + ",pretrainConcentration=" + pretrainConcentration + ",learningRate=" + learningRate
                + ",estimateMomentum=" + estimateMomentum + ",maxIterations=" + maxIterations + ",seed=" + seed + ")";
    }

    /**
     * A Label Shift Adapter run: the covariate method's session on the modulated model, and the online estimate of
     * the target label distribution.
     */
    public final class Session implements AdaptationSession {
        private final NormAffineSession covariate;
        private final ShiftAdapterNetwork adapter;
        private final double[] sourcePriors;
        private final LabelDistributionEstimator estimator;
        private float[] scale;
        private float[] shift;
        private float[] unmodulated;

        Session(NormAffineSession covariate, ShiftAdapterNetwork adapter, double[] sourcePriors) {
            this.covariate = covariate;
            this.adapter = adapter;
            this.sourcePriors = sourcePriors;
            this.estimator = new LabelDistributionEstimator(sourcePriors, estimateMomentum, maxIterations,
                    EM_TOLERANCE);
            covariate.transformLogits(logits -> {
                try (GradientMode noGrad = GradientMode.disabled()) {
                    unmodulated = logits.stopGradient().softmax(1).toFloatArray();
                }
                NDManager manager = logits.getManager();
                NDArray modulated = logits.mul(manager.create(scale));
                return modulated.add(manager.create(shift));
            });
        }

        @Override
        public float[] predict(float[] features, int n) {
            ShiftAdapterNetwork.Modulation modulation = adapter.modulation(estimator.estimate(), sourcePriors);
            scale = toFloats(modulation.scale());
            shift = toFloats(modulation.shift());
            float[] out = covariate.predict(features, n);
            estimator.update(unmodulated, n);
            return out;
        }

        private static float[] toFloats(double[] values) {
            float[] out = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = (float) values[i];
            }
            return out;
        }

        /**
         * The current estimate of the target label distribution.
         * @return The estimated priors, in label-id order.
         */
        public double[] estimatedPriors() {
            return estimator.estimate();
        }

        /**
         * The source label distribution the estimate is relative to: the model's mean posterior on the source samples.
         * @return The priors, in label-id order.
         */
        public double[] sourcePriors() {
            return sourcePriors.clone();
        }

        /**
         * The covariate method's session, whose network holds the adapted weights.
         * @return The session.
         */
        public NormAffineSession covariateSession() {
            return covariate;
        }

        /**
         * The adapter network.
         * @return The adapter.
         */
        ShiftAdapterNetwork adapter() {
            return adapter;
        }

        @Override
        public void reset() {
            covariate.reset();
            estimator.reset();
        }

        @Override
        public void close() {
            covariate.close();
        }
    }
}
