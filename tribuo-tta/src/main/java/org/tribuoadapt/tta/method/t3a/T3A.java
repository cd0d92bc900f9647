package org.tribuoadapt.tta.method.t3a;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.MethodRequirements;
import org.tribuoadapt.tta.method.ModelOutputs;
import org.tribuoadapt.tta.method.NetworkOutputs;
import org.tribuoadapt.tta.method.RowSoftmax;
import org.tribuoadapt.tta.method.TestTimeMethod;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * T3A, the test-time template adjuster (Iwasawa and Matsuo 2021, "Test-Time Classifier Adjustment Module for
 * Model-Agnostic Domain Generalization", NeurIPS): the linear classifier is replaced by class prototypes. Each
 * class starts with one support, its row of the classifier's weight matrix (labelled by the classifier's own
 * prediction on it). Every test feature (the classifier's input) is added as a support of its predicted class with
 * the prediction's entropy; each class keeps its {@code filterK} = M lowest-entropy supports (100 by default). A
 * prototype is the sum of a class's L2-normalised supports, normalised; the output for feature z is
 * {@code softmax(z . prototype_c)}. The current batch is added before it is predicted, as in the reference. The
 * network itself is not changed. Needs a {@code NetworkModel} whose classifier layer is a {@code Linear} layer.
 */
public final class T3A implements TestTimeMethod {

    /** The method's name. */
    public static final String NAME = "t3a";

    @Config(description = "Supports kept per class (M), the lowest-entropy ones.")
    private int filterK = 100;

    @Config(description = "The linear classifier layer; its input is the feature vector.")
    private String classifierLayer = "head";

    @Config(description = "Forget the test supports before every batch.")
    private boolean episodic = false;

    /** For OLCUT. */
    private T3A() {}

    /**
     * Creates T3A.
     * @param filterK Supports kept per class.
     * @param classifierLayer The linear classifier layer.
     * @param episodic Whether to forget the test supports before every batch.
     */
    public T3A(int filterK, String classifierLayer, boolean episodic) {
        this.filterK = filterK;
        this.classifierLayer = classifierLayer;
        this.episodic = episodic;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (filterK < 1) {
            throw new PropertyException("", "filterK", "filterK must be at least 1, found " + filterK);
        }
        if (classifierLayer == null || classifierLayer.isBlank()) {
            throw new PropertyException("", "classifierLayer", "classifierLayer must name a Linear layer, e.g. head");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AdaptationSession start(Model<Label> model, AdaptationContext context) {
        Network network = MethodRequirements.newNetwork(model, "T3A");
        try {
            Layer layer = network.layer(classifierLayer);
            if (!(layer instanceof Linear)) {
                throw new IllegalArgumentException("T3A needs the classifier layer '" + classifierLayer
                        + "' to be a Linear layer, but it is " + layer.describe());
            }
            return new Session(new NetworkOutputs(network, classifierLayer), (Linear) layer);
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TestTimeMethod");
    }

    @Override
    public String toString() {
        return "T3A(filterK=" + filterK + ",classifierLayer=" + classifierLayer + ",episodic=" + episodic + ")";
    }

    /** A support: a normalised feature vector and the entropy of its prediction. */
    private record Support(double[] direction, double entropy) {}

    private final class Session implements AdaptationSession {
        private final NetworkOutputs outputs;
        private final int classes;
        private final int width;
        private final List<List<Support>> warmup = new ArrayList<>();
        private final List<List<Support>> supports = new ArrayList<>();

        Session(NetworkOutputs outputs, Linear head) {
            this.outputs = outputs;
            float[] weight = head.parameter("weight").toFloatArray();
            float[] bias = head.parameters().containsKey("bias") ? head.parameter("bias").toFloatArray() : null;
            this.classes = outputs.numClasses();
            this.width = weight.length / classes;
            for (int c = 0; c < classes; c++) {
                warmup.add(new ArrayList<>());
            }
            // each weight row is a support, labelled and scored by the classifier's own output on it
            for (int row = 0; row < classes; row++) {
                double[] logits = new double[classes];
                for (int c = 0; c < classes; c++) {
                    logits[c] = bias == null ? 0 : bias[c];
                    for (int d = 0; d < width; d++) {
                        logits[c] += (double) weight[c * width + d] * weight[row * width + d];
                    }
                }
                add(warmup, weight, row * width, toFloat(RowSoftmax.apply(logits, 1, classes)), 0);
            }
            restore();
        }

        private void restore() {
            supports.clear();
            for (List<Support> s : warmup) {
                supports.add(new ArrayList<>(s));
            }
        }

        private void add(List<List<Support>> target, float[] features, int offset, float[] p, int pOffset) {
            int best = 0;
            double entropy = 0;
            for (int c = 0; c < classes; c++) {
                if (p[pOffset + c] > p[pOffset + best]) {
                    best = c;
                }
                if (p[pOffset + c] > 0) {
                    entropy -= p[pOffset + c] * Math.log(p[pOffset + c]);
                }
            }
            double norm = 0;
            for (int d = 0; d < width; d++) {
                norm += (double) features[offset + d] * features[offset + d];
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            double[] direction = new double[width];
            for (int d = 0; d < width; d++) {
                direction[d] = features[offset + d] / norm;
            }
            target.get(best).add(new Support(direction, entropy));
        }

        @Override
        public float[] predict(float[] inputs, int n) {
            if (episodic) {
                restore();
            }
            ModelOutputs.Outputs out = outputs.run(inputs, n, true);
            for (int i = 0; i < n; i++) {
                add(supports, out.features(), i * width, out.probabilities(), i * classes);
            }
            double[][] prototypes = new double[classes][width];
            for (int c = 0; c < classes; c++) {
                List<Support> list = supports.get(c);
                // stable sort: among equal entropies the earlier support is kept
                list.sort(Comparator.comparingDouble(Support::entropy));
                if (list.size() > filterK) {
                    list.subList(filterK, list.size()).clear();
                }
                double norm = 0;
                for (Support s : list) {
                    for (int d = 0; d < width; d++) {
                        prototypes[c][d] += s.direction()[d];
                    }
                }
                for (int d = 0; d < width; d++) {
                    norm += prototypes[c][d] * prototypes[c][d];
                }
                norm = Math.max(Math.sqrt(norm), 1e-12);
                for (int d = 0; d < width; d++) {
                    prototypes[c][d] /= norm;
                }
            }
            double[] logits = new double[n * classes];
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < classes; c++) {
                    for (int d = 0; d < width; d++) {
                        logits[i * classes + c] += out.features()[i * width + d] * prototypes[c][d];
                    }
                }
            }
            return toFloat(RowSoftmax.apply(logits, n, classes));
        }

        @Override
        public void reset() {
            restore();
        }

        @Override
        public void close() {
            outputs.close();
        }
    }

    private static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
