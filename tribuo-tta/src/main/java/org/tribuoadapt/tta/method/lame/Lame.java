package org.tribuoadapt.tta.method.lame;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.MethodRequirements;
import org.tribuoadapt.tta.method.ModelOutputs;
import org.tribuoadapt.tta.method.TestTimeMethod;

/**
 * LAME (Boudiaf et al. 2022, "Parameter-free Online Test-time Adaptation", CVPR): the model is left untouched and
 * only its outputs are corrected, batch by batch, by the Laplacian-regularised assignment of {@link LameSolver}
 * over a kNN, RBF or linear affinity of the L2-normalised features ({@link LameAffinity}). No gradients, no state.
 * <p>
 * The default is the kNN affinity with k = 1. The reference code tunes the affinity (kNN, RBF, linear) and k (1, 3,
 * 5) per setting and ships RBF with k = 5 as its default. On this project's corrupted Fashion-MNIST benchmark
 * (docs/benchmarks.md) every larger pull costs accuracy on i.i.d. batches: at severity 5, batch 64, RBF lost 20
 * points to Source, linear 45, kNN with k = 5 8.4, k = 3 3.9, and k = 1 0.9, the only one within a point of Source.
 * k = 5 gains most on long label-correlated streams (5.0 points against 0.8 for k = 1), so use
 * {@code new Lame(LameAffinity.KNN, 5, 100, "head")} when the stream is known to be correlated.
 * <p>
 * Features: for a {@code NetworkModel}, the input of the layer {@code featureLayer} (by default {@code head}, so
 * the penultimate features, i.e. the output of the layer feeding the classifier), captured with a layer observer.
 * Any other Tribuo model that outputs probabilities can be used too; its features are then its input features.
 */
public final class Lame implements TestTimeMethod {

    /** The method's name. */
    public static final String NAME = "lame";

    @Config(description = "The affinity: KNN, RBF or LINEAR.")
    private LameAffinity affinity = LameAffinity.KNN;

    @Config(description = "Neighbours of the kNN affinity, or the neighbour rank that sets the RBF width.")
    private int knn = 1;

    @Config(description = "Largest number of bound iterations.")
    private int maxIterations = 100;

    @Config(description = "For network models, the layer whose input is the feature vector.")
    private String featureLayer = "head";

    /** For OLCUT. */
    private Lame() {}

    /**
     * Creates LAME with the kNN affinity (k = 1), 100 iterations and the features feeding {@code head}.
     * @return The method.
     */
    public static Lame withDefaults() {
        return new Lame(LameAffinity.KNN, 1, 100, "head");
    }

    /**
     * Creates LAME.
     * @param affinity The affinity.
     * @param knn The neighbour count.
     * @param maxIterations The largest number of iterations.
     * @param featureLayer For network models, the layer whose input is the feature vector.
     */
    public Lame(LameAffinity affinity, int knn, int maxIterations, String featureLayer) {
        this.affinity = affinity;
        this.knn = knn;
        this.maxIterations = maxIterations;
        this.featureLayer = featureLayer;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (affinity == null) {
            throw new PropertyException("", "affinity", "affinity must be KNN, RBF or LINEAR");
        }
        if (knn < 1) {
            throw new PropertyException("", "knn", "knn must be at least 1, found " + knn);
        }
        if (maxIterations < 1) {
            throw new PropertyException("", "maxIterations", "maxIterations must be at least 1, found " + maxIterations);
        }
        if (featureLayer == null || featureLayer.isBlank()) {
            throw new PropertyException("", "featureLayer", "featureLayer must name a layer, e.g. head");
        }
    }

    /**
     * The same LAME with another affinity and neighbour count.
     * @param otherAffinity The affinity.
     * @param otherKnn The neighbour count (kNN) or the neighbour rank that sets sigma (RBF).
     * @return A new method; this one is unchanged.
     */
    public Lame withAffinity(LameAffinity otherAffinity, int otherKnn) {
        return new Lame(otherAffinity, otherKnn, maxIterations, featureLayer);
    }

    /**
     * The affinity.
     * @return The affinity.
     */
    public LameAffinity affinity() {
        return affinity;
    }

    /**
     * The neighbour count (kNN) or the neighbour rank that sets sigma (RBF).
     * @return k.
     */
    public int knn() {
        return knn;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AdaptationSession start(Model<Label> model, AdaptationContext context) {
        MethodRequirements.probabilities(model, "LAME");
        ModelOutputs outputs = ModelOutputs.of(model, featureLayer);
        return new AdaptationSession() {
            @Override
            public float[] predict(float[] features, int n) {
                ModelOutputs.Outputs out = outputs.run(features, n, true);
                double[] z = LameSolver.solve(out.probabilities(), outputs.numClasses(), out.features(),
                        out.featureWidth(), affinity, knn, maxIterations).assignment();
                float[] result = new float[z.length];
                for (int i = 0; i < z.length; i++) {
                    result[i] = (float) z[i];
                }
                return result;
            }

            @Override
            public void reset() {
                // LAME keeps nothing between batches
            }

            @Override
            public void close() {
                outputs.close();
            }
        };
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TestTimeMethod");
    }

    @Override
    public String toString() {
        return "Lame(affinity=" + affinity + ",knn=" + knn + ",maxIterations=" + maxIterations
                + ",featureLayer=" + featureLayer + ")";
    }
}
