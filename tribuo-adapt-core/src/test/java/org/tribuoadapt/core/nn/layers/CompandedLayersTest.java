package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The companded layers (Cakaj et al. 2023): they start as the plain layers they replace, compute what a plain layer
 * with the companded weight computes, pass the gradient {@code f'(raw)} times the plain layer's to the raw weight, and
 * the specs that switch them on train, round-trip and show the compander in their provenance.
 */
public class CompandedLayersTest {

    private static final WeightCompander COMPANDER = new WeightCompander(0.4, 0.02);

    private static Network single(NDManager manager, Layer layer, Shape inputShape) {
        Network network = new Network(manager, new Sequential().add("layer", layer), inputShape);
        network.initialize(7L);
        return network;
    }

    /**
     * Runs {@code sum(out^2)} forward and backward through a companded layer and through a plain layer holding its
     * applied weight and bias, and checks outputs and gradients agree.
     */
    private static void assertActsAsThePlainLayerWithTheCompandedWeight(Function<NDManager, Layer> companded,
                                                                         Function<NDManager, Layer> plain,
                                                                         Shape inputShape, long[] batchShape) {
        try (NDManager manager = DjlRuntime.newManager();
             Network reparameterised = single(manager, companded.apply(manager), inputShape);
             Network reference = single(manager, plain.apply(manager), inputShape)) {
            Layer layer = reparameterised.layer("layer");
            Layer plainLayer = reference.layer("layer");
            float[] raw = layer.parameter("weight").toFloatArray();
            float[] applied = layer instanceof CompandedLinear ? ((CompandedLinear) layer).effectiveWeight()
                    : ((CompandedConv2d) layer).effectiveWeight();
            for (int i = 0; i < raw.length; i++) {
                assertEquals(COMPANDER.apply(raw[i]), applied[i], 1e-6, "weight " + i);
            }
            // same seed and path: the companded layer starts from the plain layer's initial weight
            assertArrayEquals(plainLayer.parameter("weight").toFloatArray(), applied, 1e-6f);
            plainLayer.parameter("weight").assign(applied);
            plainLayer.parameter("bias").assign(layer.parameter("bias").toFloatArray());
            try (NDManager batch = manager.newSubManager(); NDScope scope = new NDScope()) {
                NDArray x = batch.randomNormal(new Shape(batchShape));
                float[][] outputs = new float[2][];
                Network[] networks = {reparameterised, reference};
                for (int n = 0; n < 2; n++) {
                    try (GradientMode on = GradientMode.enabled()) {
                        NDArray out = networks[n].forward(x, ForwardContext.training(batch));
                        outputs[n] = out.toFloatArray();
                        GradientMode.backward(out.square().sum());
                    }
                }
                assertArrayEquals(outputs[1], outputs[0], 1e-5f);
                float[] rawGradient = layer.parameter("weight").array().getGradient().toFloatArray();
                float[] plainGradient = plainLayer.parameter("weight").array().getGradient().toFloatArray();
                for (int i = 0; i < raw.length; i++) {
                    double expected = COMPANDER.derivative(raw[i]) * plainGradient[i];
                    assertEquals(expected, rawGradient[i], 1e-4 * (1 + Math.abs(expected)), "gradient " + i);
                }
                assertArrayEquals(plainLayer.parameter("bias").array().getGradient().toFloatArray(),
                        layer.parameter("bias").array().getGradient().toFloatArray(), 1e-4f);
            }
        }
    }

    @Test
    public void compandedLinearIsALinearWithTheCompandedWeight() {
        assertActsAsThePlainLayerWithTheCompandedWeight(m -> new CompandedLinear(m, 6, 4, true, COMPANDER),
                m -> new Linear(m, 6, 4, true), new Shape(6), new long[] {5, 6});
    }

    @Test
    public void compandedConvolutionIsAConvolutionWithTheCompandedKernel() {
        assertActsAsThePlainLayerWithTheCompandedWeight(m -> new CompandedConv2d(m, 2, 3, 3, 1, 1, true, COMPANDER),
                m -> new Conv2d(m, 2, 3, 3, 1, 1, true), new Shape(2, 5, 5), new long[] {2, 2, 5, 5});
    }

    private static void assertTrainsRoundTripsAndRecordsTheCompander(NetworkSpec spec, String[] companded,
                                                                     Class<? extends Layer> convolution) {
        MutableDataset<Label> train = SyntheticImages.dataset(96, 3, 8, TestSeeds.of(51));
        NetworkTrainer trainer = new NetworkTrainer(spec, new AdamOptimiserFactory(0.01), 2, 32, TestSeeds.of(52));
        NetworkModel model = trainer.train(train);
        try (Network network = model.newNetwork()) {
            for (String path : companded) {
                Layer layer = network.layer(path);
                assertTrue(layer instanceof CompandedLinear || layer instanceof CompandedConv2d, path + " is " + layer.describe());
                assertTrue(convolution == null || !path.startsWith("conv") || convolution.isInstance(layer));
            }
        }
        assertTrue(Double.isFinite(model.history().orElseThrow().best().trainLoss()));
        for (ConfiguredObjectProvenance provenance : new ConfiguredObjectProvenance[] {trainer.getProvenance(),
                model.getProvenance().getTrainerProvenance()}) {
            ConfiguredObjectProvenance network = (ConfiguredObjectProvenance) provenance.getConfiguredParameters().get("network");
            ConfiguredObjectProvenance compander = (ConfiguredObjectProvenance) network.getConfiguredParameters().get("weightCompander");
            assertEquals(WeightCompander.class.getName(), compander.getClassName());
            assertEquals(0.4, ((DoubleProvenance) compander.getConfiguredParameters().get("alpha")).getValue());
            assertEquals(0.02, ((DoubleProvenance) compander.getConfiguredParameters().get("beta")).getValue());
        }
        Helpers.testModelProtoSerialization(model, Label.class, train);
        Helpers.testConfigurableRoundtrip(spec);
    }

    @Test
    public void aCompandedMlpTrainsRoundTripsAndRecordsTheCompander() {
        MLPSpec plain = new MLPSpec(64, new int[] {12}, Activation.RELU, 0.0);
        assertFalse(plain.toString().contains("weightCompander"));
        MLPSpec spec = plain.withWeightCompander(COMPANDER);
        assertTrue(spec.toString().contains("weightCompander=WeightCompander(alpha=0.4,beta=0.02)"), spec.toString());
        assertTrainsRoundTripsAndRecordsTheCompander(spec, new String[] {"fc1", "head"}, null);
    }

    @Test
    public void aCompandedCnnTrainsRoundTripsAndRecordsTheCompander() {
        CNNSpec spec = new CNNSpec(1, 8, 8, new int[] {3, 4}, true, 2, new int[] {8}).withWeightCompander(COMPANDER);
        assertTrainsRoundTripsAndRecordsTheCompander(spec, new String[] {"conv1", "conv2", "fc1", "head"},
                CompandedConv2d.class);
    }
}
