package org.tribuoadapt.examples.bench.isogclr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;

import java.util.Arrays;

/**
 * A linear probe of a frozen encoder: the output of one layer (the encoder's penultimate features) is read for every
 * image, standardised with the training images' mean and deviation, and a softmax regression (an {@link MLPSpec}
 * without hidden layers) is trained on it; its test accuracy judges the features.
 */
final class LinearProbe {

    private static final int BATCH = 256;

    private final String layer;
    private final int epochs;
    private final double learningRate;

    /**
     * Creates a probe.
     * @param layer The path of the layer whose output is the features.
     * @param epochs The regression's epochs.
     * @param learningRate The regression's Adam learning rate.
     */
    LinearProbe(String layer, int epochs, double learningRate) {
        this.layer = layer;
        this.epochs = epochs;
        this.learningRate = learningRate;
    }

    /**
     * The test accuracy of a regression on the network's features.
     * @param network The encoder's network.
     * @param train The probe's training images; their feature map lays out every image.
     * @param test The test images.
     * @param seed The regression's seed.
     * @return The accuracy.
     */
    double accuracy(Network network, MutableDataset<Label> train, MutableDataset<Label> test, long seed) {
        float[][] trainFeatures = features(network, train, train);
        float[][] testFeatures = features(network, train, test);
        int width = trainFeatures[0].length;
        double[] mean = new double[width];
        double[] deviation = new double[width];
        for (float[] row : trainFeatures) {
            for (int j = 0; j < width; j++) {
                mean[j] += row[j] / (double) trainFeatures.length;
            }
        }
        for (float[] row : trainFeatures) {
            for (int j = 0; j < width; j++) {
                deviation[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / trainFeatures.length;
            }
        }
        for (int j = 0; j < width; j++) {
            deviation[j] = Math.sqrt(deviation[j]) + 1e-6;
        }
        NetworkModel regression = new NetworkTrainer(new MLPSpec(width, new int[0], Activation.RELU, 0.0),
                new AdamOptimiserFactory(learningRate), epochs, 128, seed)
                .train(standardised(trainFeatures, train, mean, deviation));
        return new LabelEvaluator().evaluate(regression, standardised(testFeatures, test, mean, deviation)).accuracy();
    }

    private float[][] features(Network network, MutableDataset<Label> layout, MutableDataset<Label> data) {
        TensorDataset images = TensorDataset.from(data, new FeatureTensorizer(layout.getFeatureIDMap(),
                network.inputShape()), layout.getOutputIDInfo());
        float[][] out = new float[images.size()][];
        for (int from = 0; from < images.size(); from += BATCH) {
            int[] indices = new int[Math.min(BATCH, images.size() - from)];
            int offset = from;
            Arrays.setAll(indices, i -> offset + i);
            try (NDManager batch = network.manager().newSubManager()) {
                float[][] captured = new float[1][];
                ForwardContext context = ForwardContext.inference(batch).withObserver((l, in, output) -> {
                    if (l.path().equals(layer)) {
                        captured[0] = output.toFloatArray();
                    }
                });
                NDArray ignored = network.forward(images.features(batch, indices), context);
                if (captured[0] == null) {
                    throw new IllegalArgumentException("the network has no layer '" + layer + "' to probe");
                }
                int width = captured[0].length / indices.length;
                for (int i = 0; i < indices.length; i++) {
                    out[offset + i] = Arrays.copyOfRange(captured[0], i * width, (i + 1) * width);
                }
            }
        }
        return out;
    }

    private static MutableDataset<Label> standardised(float[][] features, MutableDataset<Label> source, double[] mean,
                                                      double[] deviation) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> out = new MutableDataset<>(new SimpleDataSourceProvenance("probe-features", factory), factory);
        String[] names = new String[mean.length];
        Arrays.setAll(names, j -> String.format("f%03d", j));
        int i = 0;
        for (Example<Label> e : source) {
            double[] values = new double[mean.length];
            for (int j = 0; j < values.length; j++) {
                values[j] = (features[i][j] - mean[j]) / deviation[j];
            }
            out.add(new ArrayExample<>(e.getOutput(), names, values));
            i++;
        }
        return out;
    }
}
