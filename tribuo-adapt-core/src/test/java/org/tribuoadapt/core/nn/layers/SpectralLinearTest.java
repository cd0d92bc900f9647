package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * σReparam (Zhai et al. 2023): the layer starts as the plain one, applies a weight of spectral norm gamma, learns
 * gamma, and keeps its power-iteration vector across training passes only.
 */
public class SpectralLinearTest {

    private static final int IN = 6;
    private static final int OUT = 4;

    private static Network single(NDManager manager) {
        Network network = new Network(manager, new Sequential().add("fc", new SpectralLinear(manager, IN, OUT, true)),
                new Shape(IN));
        network.initialize(7L);
        return network;
    }

    /** The largest singular value of a row-major matrix, by many power iterations. */
    private static double spectralNorm(float[] w, int rows, int cols) {
        double[] x = new double[cols];
        Arrays.fill(x, 1.0);
        double sigma = 0;
        for (int it = 0; it < 500; it++) {
            double[] y = new double[rows];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    y[r] += w[r * cols + c] * x[c];
                }
            }
            double[] z = new double[cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    z[c] += w[r * cols + c] * y[r];
                }
            }
            double norm = Math.sqrt(Arrays.stream(z).map(v -> v * v).sum());
            sigma = Math.sqrt(norm);
            for (int c = 0; c < cols; c++) {
                x[c] = z[c] / norm;
            }
        }
        return sigma;
    }

    @Test
    public void startsAsThePlainLayerWithGammaTheSpectralNorm() {
        try (NDManager manager = DjlRuntime.newManager(); Network network = single(manager)) {
            SpectralLinear layer = (SpectralLinear) network.layer("fc");
            float[] weight = layer.parameter("weight").toFloatArray();
            double sigma = spectralNorm(weight, OUT, IN);
            assertEquals(sigma, layer.parameter("sn_gamma").toFloatArray()[0], 1e-3 * sigma);
            float[] effective = layer.effectiveWeight();
            for (int i = 0; i < weight.length; i++) {
                assertEquals(weight[i], effective[i], 1e-3 * Math.abs(sigma));
            }
            // gamma 2 gives an applied weight of spectral norm 2
            layer.parameter("sn_gamma").assign(new float[] {2f});
            assertEquals(2.0, spectralNorm(layer.effectiveWeight(), OUT, IN), 1e-2);
        }
    }

    @Test
    public void gammaAndTheWeightLearnAndOnlyTrainingPassesMoveU() {
        try (NDManager manager = DjlRuntime.newManager(); Network network = single(manager)) {
            SpectralLinear layer = (SpectralLinear) network.layer("fc");
            Parameter u = layer.parameter("sn_u");
            float[] random = new float[IN];
            SplittableRandom rng = new SplittableRandom(3);
            for (int i = 0; i < IN; i++) {
                random[i] = (float) rng.nextDouble();
            }
            u.assign(random);
            try (NDManager batch = manager.newSubManager(); NDScope scope = new NDScope()) {
                NDArray x = batch.randomUniform(0, 1, new Shape(5, IN));
                network.forward(x, ForwardContext.inference(batch));
                assertArrayEquals(random, u.toFloatArray(), "an inference pass must not move u");
                try (GradientMode on = GradientMode.enabled()) {
                    NDArray loss = network.forward(x, ForwardContext.training(batch)).square().sum();
                    GradientMode.backward(loss);
                }
                assertFalse(Arrays.equals(random, u.toFloatArray()), "a training pass stores the new u");
                for (String name : new String[] {"weight", "bias", "sn_gamma"}) {
                    float gradient = layer.parameter(name).array().getGradient().abs().sum().getFloat();
                    assertTrue(gradient > 0, name + " has no gradient");
                }
            }
        }
    }

    @Test
    public void aSpectralTransformerTrainsAndRoundTrips() {
        MutableDataset<Label> train = SyntheticImages.dataset(120, 3, 8, TestSeeds.of(41));
        TransformerSpec spec = TransformerSpec.forSequences(64, 8, 16, 1, 4, 24).withSpectralReparam();
        NetworkModel model = new NetworkTrainer(spec, new AdamOptimiserFactory(0.01), 3, 32, TestSeeds.of(42)).train(train);
        try (Network network = model.newNetwork()) {
            for (String path : new String[] {"embed", "blocks.0.attn.qkv", "blocks.0.attn.proj", "blocks.0.mlp.fc1",
                    "blocks.0.mlp.fc2", "head"}) {
                assertTrue(network.layer(path) instanceof SpectralLinear, path + " is " + network.layer(path).describe());
            }
        }
        assertTrue(model.stateDict().containsKey("head.sn_gamma") && model.stateDict().containsKey("head.sn_u"));
        assertTrue(Double.isFinite(model.history().orElseThrow().best().trainLoss()));
        assertTrue(spec.toString().contains("spectralReparam=true"));
        Helpers.testModelProtoSerialization(model, Label.class, train);
        Helpers.testConfigurableRoundtrip(spec);
    }
}
