package org.tribuoadapt.hpo.stn;

import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.util.Pair;
import org.tribuo.Example;
import org.tribuo.Excuse;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.model.LabelPredictions;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The classifier a {@link SelfTuningTrainer} produces: the Self-Tuning Network collapsed at the final hyperparameters
 * into an ordinary ReLU multilayer perceptron ({@code W = W_elem + diag(V λ) W_hyper}, see {@link StnLinear}), with no
 * dropout at prediction time. It holds its weights as Java arrays, so it is immutable and needs no native memory.
 * The hyperparameter trajectory and every training setting are in its provenance.
 */
public final class SelfTuningModel extends Model<Label> {
    private static final long serialVersionUID = 1L;

    private final double[][][] layers;
    private final double[] dropoutRates;
    private final double l2;

    SelfTuningModel(String name, ModelProvenance provenance, ImmutableFeatureMap features,
                    ImmutableOutputInfo<Label> outputs, double[][][] layers, double[] dropoutRates, double l2) {
        super(name, provenance, features, outputs, true);
        this.layers = deepCopy(layers);
        this.dropoutRates = dropoutRates.clone();
        this.l2 = l2;
    }

    /**
     * The dropout rates (one per hidden layer) the network was tuned to.
     * @return A copy of the rates.
     */
    public double[] dropoutRates() {
        return dropoutRates.clone();
    }

    /**
     * The L2 coefficient the network was tuned to.
     * @return The coefficient.
     */
    public double l2() {
        return l2;
    }

    @Override
    public Prediction<Label> predict(Example<Label> example) {
        FeatureTensorizer tensorizer = new FeatureTensorizer(featureIDMap, new Shape(featureIDMap.size()));
        float[] input = tensorizer.toArray(List.of(example));
        double[] h = new double[input.length];
        for (int i = 0; i < h.length; i++) {
            h[i] = input[i];
        }
        for (int l = 0; l < layers.length; l++) {
            h = affine(layers[l], h, l < layers.length - 1);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : h) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : h) {
            sum += Math.exp(v - max);
        }
        float[] probabilities = new float[h.length];
        for (int c = 0; c < h.length; c++) {
            probabilities[c] = (float) (Math.exp(h[c] - max) / sum);
        }
        return LabelPredictions.fromProbabilities(probabilities, List.of(example), outputIDInfo, featureIDMap).get(0);
    }

    @Override
    public Map<String, List<Pair<String, Double>>> getTopFeatures(int n) {
        return Collections.emptyMap();
    }

    @Override
    public Optional<Excuse<Label>> getExcuse(Example<Label> example) {
        return Optional.empty();
    }

    @Override
    protected SelfTuningModel copy(String newName, ModelProvenance newProvenance) {
        return new SelfTuningModel(newName, newProvenance, featureIDMap, outputIDInfo, layers, dropoutRates, l2);
    }

    private static double[] affine(double[][] layer, double[] input, boolean relu) {
        int out = layer.length - 1;
        double[] bias = layer[out];
        double[] result = new double[out];
        for (int o = 0; o < out; o++) {
            double v = bias[o];
            double[] row = layer[o];
            for (int i = 0; i < input.length; i++) {
                v += row[i] * input[i];
            }
            result[o] = relu ? Math.max(0, v) : v;
        }
        return result;
    }

    private static double[][][] deepCopy(double[][][] layers) {
        double[][][] copy = new double[layers.length][][];
        for (int l = 0; l < layers.length; l++) {
            copy[l] = new double[layers[l].length][];
            for (int r = 0; r < layers[l].length; r++) {
                copy[l][r] = layers[l][r].clone();
            }
        }
        return copy;
    }
}
