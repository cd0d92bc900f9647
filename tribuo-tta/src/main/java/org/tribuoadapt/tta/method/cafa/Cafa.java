package org.tribuoadapt.tta.method.cafa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.MethodRequirements;
import org.tribuoadapt.tta.method.ModelOutputs;
import org.tribuoadapt.tta.method.NormAffineMethod;
import org.tribuoadapt.tta.method.NormAffineSession;

import java.util.ArrayList;
import java.util.List;

/**
 * CAFA (Jung et al. 2023, "CAFA: Class-Aware Feature Alignment for Test-Time Adaptation", ICCV). Before the first
 * test batch, class-conditional Gaussians with a shared covariance ({@link ClassGaussians}) are fitted to the
 * features of the run's labelled source samples, computed by the source network. On every test batch, with
 * BatchNorm on the batch's statistics, one optimiser step on the normalisation layers' affine parameters minimises
 * the class-aware alignment loss
 * <pre>
 *   L = (1/N) sum_i log( D_{y_i}(f_i) / sum_c D_c(f_i) ),   D_c(f) = (f - mu_c)^T Sigma^+ (f - mu_c),
 * </pre>
 * where {@code y_i} is the current prediction (the pseudo-label) of test sample i: the Mahalanobis distance to the
 * predicted class's source distribution shrinks (intra-class alignment) relative to the distances to all classes
 * (inter-class separation); being a ratio it needs no weight between the two, so the method adds no
 * hyper-parameter. The prediction is the output of the forward pass that computes the loss, as in Tent.
 * <p>
 * Features: the input of {@code featureLayer} ({@code head} by default, i.e. the penultimate features). The paper
 * fits its Gaussians to the feature extractor's output; aligning intermediate layers as well is not done here.
 * Defaults follow Tent's CIFAR settings (Adam with learning rate 1e-3, one step per batch), as the paper does.
 */
public final class Cafa extends NormAffineMethod {

    /** The method's name. */
    public static final String NAME = "cafa";

    /** Source samples per forward pass when the source statistics are computed. */
    private static final int SOURCE_BATCH = 256;

    @Config(description = "The layer whose input is the feature vector that is aligned.")
    private String featureLayer = "head";

    /** For OLCUT. */
    private Cafa() {
        super(new AdamOptimiserFactory(1e-3));
    }

    /**
     * Creates CAFA with Adam (lr 1e-3), the features feeding {@code head}, all normalisation layers, not episodic.
     * @return The method.
     */
    public static Cafa withDefaults() {
        return new Cafa(new AdamOptimiserFactory(1e-3), "head", new ArrayList<>(), false);
    }

    /**
     * Creates CAFA.
     * @param optimiser The optimiser of the affine parameters.
     * @param featureLayer The layer whose input is the aligned feature vector.
     * @param normLayers Layer paths to adapt, or empty for all normalisation layers.
     * @param episodic Whether to reset to the source weights before every batch.
     */
    public Cafa(OptimiserFactory optimiser, String featureLayer, List<String> normLayers, boolean episodic) {
        super(optimiser, normLayers, episodic);
        this.featureLayer = featureLayer;
        postConfig();
    }

    @Override
    public void postConfig() {
        super.postConfig();
        if (featureLayer == null || featureLayer.isBlank()) {
            throw new PropertyException("", "featureLayer", "featureLayer must name a layer, e.g. head");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected String displayName() {
        return "CAFA";
    }

    @Override
    public Session start(Model<Label> model, AdaptationContext context) {
        return new Session(model, context);
    }

    @Override
    public String toString() {
        return "Cafa(" + sharedSettings() + ",featureLayer=" + featureLayer + ")";
    }

    /**
     * The class-aware alignment loss {@code (1/N) sum_i log(D_{y_i,i} / sum_c D_{c,i})}.
     * @param distances Squared Mahalanobis distances {@code [N, C]}.
     * @param pseudoLabels The predicted class of each row, {@code [N]} (integer).
     * @return The scalar loss, on the tape when the distances are.
     */
    static NDArray alignmentLoss(NDArray distances, NDArray pseudoLabels) {
        int classes = Math.toIntExact(distances.getShape().get(1));
        NDArray intra = distances.mul(pseudoLabels.oneHot(classes)).sum(new int[] {1});
        return intra.log().sub(distances.sum(new int[] {1}).log()).mean();
    }

    /**
     * Fits the class-conditional Gaussians to the source network's features of labelled source samples.
     * @param model The source model.
     * @param source The samples.
     * @param featureLayer The layer whose input is the feature vector.
     * @return The Gaussians.
     */
    static ClassGaussians sourceGaussians(Model<Label> model, TensorDataset source, String featureLayer) {
        try (ModelOutputs outputs = ModelOutputs.of(model, featureLayer);
             NDManager manager = DjlRuntime.newManager()) {
            float[] features = null;
            int width = 0;
            for (int from = 0; from < source.size(); from += SOURCE_BATCH) {
                int n = Math.min(SOURCE_BATCH, source.size() - from);
                try (NDManager batch = manager.newSubManager()) {
                    float[] inputs = source.features(batch, Evaluation.range(from, from + n)).toFloatArray();
                    ModelOutputs.Outputs out = outputs.run(inputs, n, true);
                    if (features == null) {
                        width = out.featureWidth();
                        features = new float[source.size() * width];
                    }
                    System.arraycopy(out.features(), 0, features, from * width, n * width);
                }
            }
            return ClassGaussians.fit(features, source.labels(), width, outputs.numClasses());
        }
    }

    /**
     * A CAFA run.
     */
    public final class Session extends NormAffineSession {
        private final ClassGaussians gaussians;

        Session(Model<Label> model, AdaptationContext context) {
            super(MethodRequirements.network(model, "CAFA"), Cafa.this, context);
            try {
                network.layer(featureLayer);
                TensorDataset source = context.source().filter(s -> s.size() > 0).orElseThrow(() ->
                        new IllegalArgumentException("CAFA needs labelled source samples for its class-conditional "
                                + "source statistics (Jung et al. 2023); give the evaluator source data"));
                this.gaussians = sourceGaussians(model, source, featureLayer);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /**
         * The source statistics the session aligns to.
         * @return The Gaussians.
         */
        public ClassGaussians gaussians() {
            return gaussians;
        }

        @Override
        protected NDArray adapt(NDManager batch, NDArray input) {
            NDArray logits;
            try (GradientMode recording = GradientMode.enabled()) {
                NDArray[] features = new NDArray[1];
                logits = forward(batch, input, (layer, in, out) -> {
                    if (layer.path().equals(featureLayer)) {
                        features[0] = in;
                    }
                });
                NDArray flat = features[0].reshape(input.getShape().get(0), -1);
                NDArray pseudoLabels = logits.stopGradient().argMax(1);
                GradientMode.backward(alignmentLoss(gaussians.distances(batch, flat), pseudoLabels));
            }
            step();
            return logits;
        }
    }
}
