package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.BooleanProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.EnumProvenance;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.HypernetworkSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.ConditionedWeightDecayObjective;
import org.tribuoadapt.core.train.EpochSummary;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hypernetworks in the plain form and with Magnitude Invariant Parametrizations (Ortiz, Guttag and Dalca, ICLR
 * 2024): the constant-norm input encodings, the residual output {@code theta0 + h(gamma)}, initialisation, the
 * conditioned weight-decay objective, configuration checks, training, serialization and provenance. The forward pass
 * and gradients against PyTorch are in {@code TorchReferenceTest}.
 */
public class HypernetworkTest {

    private static final int[] PRIMARY = {4};
    private static final int[] HYPER = {6, 5};

    private static float[] rows(int n, int width, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] out = new float[n * width];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) rng.nextDouble();
        }
        return out;
    }

    @Test
    public void theEncodingsHaveAConstantNormForEveryInput() {
        try (NDManager manager = NDManager.newBaseManager()) {
            int n = 101;
            float[] gamma = new float[n * 3];
            for (int i = 0; i < n; i++) {
                gamma[3 * i] = i / (float) (n - 1);
                gamma[3 * i + 1] = 1 - i / (float) (n - 1);
                gamma[3 * i + 2] = (i * 37 % n) / (float) (n - 1);
            }
            NDArray input = manager.create(gamma, new Shape(n, 3));
            float[] cosSin = HyperInputEncoding.COS_SIN.encode(input).toFloatArray();
            float[] complement = HyperInputEncoding.COMPLEMENT.encode(input).toFloatArray();
            assertEquals(6, HyperInputEncoding.COS_SIN.encodedSize(3));
            assertEquals(3, HyperInputEncoding.IDENTITY.encodedSize(3));
            for (int i = 0; i < n; i++) {
                double l2 = 0;
                double l1 = 0;
                for (int j = 0; j < 6; j++) {
                    l2 += cosSin[6 * i + j] * cosSin[6 * i + j];
                    l1 += Math.abs(complement[6 * i + j]);
                }
                assertEquals(3.0, l2, 1e-5, "squared L2 norm of the cos/sin encoding of row " + i);
                assertEquals(3.0, l1, 1e-5, "L1 norm of the complement encoding of row " + i);
                assertEquals(Math.cos(Math.PI / 2 * gamma[3 * i]), cosSin[6 * i], 1e-6);
                assertEquals(Math.sin(Math.PI / 2 * gamma[3 * i]), cosSin[6 * i + 3], 1e-6);
            }
            assertArrayEquals(gamma, HyperInputEncoding.IDENTITY.encode(input).toFloatArray());
        }
    }

    @Test
    public void theMagnitudeInvariantWeightsAreTheta0PlusTheResidual() {
        HypernetworkSpec spec = HypernetworkSpec.magnitudeInvariant(5, 2, PRIMARY, HYPER);
        try (Network network = spec.build(3, TestSeeds.of(71)); NDManager batch = network.manager().newSubManager()) {
            List<float[]> hidden = new ArrayList<>();
            List<float[]> theta = new ArrayList<>();
            NDArray input = batch.create(rows(4, 7, 72), new Shape(4, 7));
            network.forward(input, ForwardContext.inference(batch).withObserver((layer, in, out) -> {
                if (layer instanceof HyperWeightHead) {
                    hidden.add(in.toFloatArray());
                    theta.add(out.toFloatArray());
                }
            }));
            Map<String, TensorData> state = network.stateDict();
            float[] w = state.get("theta.weight").toFloatArray();
            float[] b = state.get("theta.bias").toFloatArray();
            float[] theta0 = state.get("theta.theta0").toFloatArray();
            int p = new PrimaryLayout(new int[] {5, 4, 3}).parameterCount();
            assertEquals(5 * 4 + 4 + 4 * 3 + 3, p);
            assertEquals(p, theta0.length);
            for (int row = 0; row < 4; row++) {
                for (int j = 0; j < p; j++) {
                    double residual = b[j];
                    for (int k = 0; k < 5; k++) {
                        residual += w[j * 5 + k] * hidden.get(0)[row * 5 + k];
                    }
                    assertEquals(theta0[j] + residual, theta.get(0)[row * p + j], 1e-5, "theta[" + row + "][" + j + "]");
                }
            }
        }
    }

    @Test
    public void theSameSeedGivesTheSameWeightsAndBothFormsShareTheirHypernetwork() {
        HypernetworkSpec mip = HypernetworkSpec.magnitudeInvariant(5, 1, PRIMARY, HYPER);
        try (Network a = mip.build(3, 5L); Network b = mip.build(3, 5L); Network c = mip.build(3, 6L);
             Network plain = HypernetworkSpec.plain(5, 1, PRIMARY, HYPER).build(3, 5L)) {
            Map<String, TensorData> first = a.stateDict();
            for (Map.Entry<String, TensorData> e : b.stateDict().entrySet()) {
                assertArrayEquals(first.get(e.getKey()).toFloatArray(), e.getValue().toFloatArray(), e.getKey());
            }
            assertFalse(Arrays.equals(first.get("theta.theta0").toFloatArray(), c.stateDict().get("theta.theta0").toFloatArray()));
            assertArrayEquals(first.get("theta.weight").toFloatArray(), plain.stateDict().get("theta.weight").toFloatArray());
            assertFalse(plain.stateDict().containsKey("theta.theta0"));
            float[] bias = first.get("theta.bias").toFloatArray();
            assertArrayEquals(new float[bias.length], bias, "the head's bias starts at zero");
            float[] theta0 = first.get("theta.theta0").toFloatArray();
            for (int i = 0; i < theta0.length; i++) {
                double bound = 1 / Math.sqrt(i < 24 ? 5 : 4);
                assertTrue(Math.abs(theta0[i]) <= bound, "theta0[" + i + "] within the primary default bound " + bound);
            }
        }
    }

    @Test
    public void theObjectiveAddsTheConditionedWeightDecayOfThePredictedWeights() {
        HypernetworkSpec spec = HypernetworkSpec.magnitudeInvariant(5, 1, PRIMARY, HYPER);
        try (Network network = spec.build(3, 3L); NDManager batch = network.manager().newSubManager()) {
            NDArray features = batch.create(rows(6, 6, 73), new Shape(6, 6));
            NDArray labels = batch.create(new long[] {0, 1, 2, 0, 1, 2});
            ForwardContext context = ForwardContext.training(batch);
            BatchObjective objective = new ConditionedWeightDecayObjective(0.05).newBatchObjective(new SplittableRandom(4));
            float[] prepared = objective.prepareInputs(network, features, labels, context).toFloatArray();
            float[] raw = features.toFloatArray();
            float gamma = prepared[5];
            for (int row = 0; row < 6; row++) {
                assertArrayEquals(Arrays.copyOfRange(raw, 6 * row, 6 * row + 5), Arrays.copyOfRange(prepared, 6 * row, 6 * row + 5));
                assertEquals(gamma, prepared[6 * row + 5], "every row of a batch gets the batch's strength");
            }
            assertTrue(gamma >= 0 && gamma < 1, "gamma " + gamma);
            NDArray inputs = batch.create(prepared, new Shape(6, 6));
            List<float[]> theta = new ArrayList<>();
            NDArray logits = network.forward(inputs, context.withObserver((layer, in, out) -> {
                if (layer instanceof HyperWeightHead) {
                    theta.add(out.toFloatArray());
                }
            }));
            double squares = 0;
            for (float t : theta.get(0)) {
                squares += t * t;
            }
            double expected = BatchObjective.crossEntropy(logits, labels).getFloat() + 0.05 * gamma * squares / 6;
            assertEquals(expected, objective.loss(network, inputs, labels, context).getFloat(), 1e-4 * expected);
        }
        try (Network mlp = new MLPSpec(6, new int[] {4}, Activation.RELU, 0.0).build(3, 1L);
             NDManager batch = mlp.manager().newSubManager()) {
            NDArray features = batch.create(rows(2, 6, 74), new Shape(2, 6));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ConditionedWeightDecayObjective(0.1)
                    .newBatchObjective(new SplittableRandom(1)).prepareInputs(mlp, features, features, ForwardContext.training(batch)));
            assertTrue(e.getMessage().contains("HypernetworkSpec"), e.getMessage());
        }
    }

    @Test
    public void thePrimaryNetworkAtAFixedConditioningValueIsAPlainMlpWithTheSameOutputs() {
        HypernetworkSpec spec = HypernetworkSpec.magnitudeInvariant(5, 2, PRIMARY, HYPER);
        try (Network network = spec.build(3, 9L); Network mlp = spec.primarySpec().assemble(3);
             NDManager batch = network.manager().newSubManager()) {
            float[] x = rows(4, 5, 77);
            float[] gamma = {0.25f, 0.75f};
            float[] rows = new float[4 * 7];
            for (int r = 0; r < 4; r++) {
                System.arraycopy(x, 5 * r, rows, 7 * r, 5);
                System.arraycopy(gamma, 0, rows, 7 * r + 5, 2);
            }
            Hypernetwork hyper = (Hypernetwork) network.root();
            mlp.loadStateDict(hyper.primaryWeightsAt(gamma, batch), true);
            float[] expected = network.forward(batch.create(rows, new Shape(4, 7)), ForwardContext.inference(batch)).toFloatArray();
            float[] actual = mlp.forward(batch.create(x, new Shape(4, 5)), ForwardContext.inference(batch)).toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5, "logit " + i);
            }
            assertTrue(assertThrows(IllegalArgumentException.class, () -> hyper.primaryWeightsAt(new float[] {0.5f}, batch))
                    .getMessage().contains("2 conditioning values"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> hyper.primaryWeightsAt(new float[] {0.5f, Float.NaN}, batch))
                    .getMessage().contains("finite"));
        }
    }

    @Test
    public void impossibleConfigurationsAndShapesAreRefused() {
        assertTrue(assertThrows(PropertyException.class, () -> HypernetworkSpec.plain(5, 0, PRIMARY, HYPER))
                .getMessage().contains("conditioning value"));
        assertTrue(assertThrows(PropertyException.class, () -> HypernetworkSpec.plain(0, 1, PRIMARY, HYPER))
                .getMessage().contains("inputSize"));
        assertTrue(assertThrows(PropertyException.class, () -> HypernetworkSpec.plain(5, 1, PRIMARY, new int[0]))
                .getMessage().contains("at least one hidden layer"));
        assertTrue(assertThrows(PropertyException.class, () -> HypernetworkSpec.magnitudeInvariant(5, 1, new int[] {0}, HYPER))
                .getMessage().contains("hiddenSizes"));
        assertTrue(assertThrows(PropertyException.class, () -> new ConditionedWeightDecayObjective(0.0))
                .getMessage().contains("maxDecay"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PrimaryLayout(new int[] {3}))
                .getMessage().contains("input and an output width"));
        try (NDManager manager = NDManager.newBaseManager()) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> new Hypernetwork(manager, 5, 1,
                    HyperInputEncoding.COS_SIN, HYPER, Activation.RELU, new PrimaryLayout(new int[] {4, 3}), Activation.RELU, true))
                    .getMessage().contains("reads 4 features but the input has 5"));
        }
        try (Network network = HypernetworkSpec.plain(5, 2, PRIMARY, HYPER).build(3, 1L);
             NDManager batch = network.manager().newSubManager()) {
            NDArray wrong = batch.zeros(new Shape(2, 6));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> network.forward(wrong, ForwardContext.inference(batch)))
                    .getMessage().contains("[N, 7]"));
        }
    }

    @Test
    public void aHypernetworkTrainsRoundTripsAndRecordsItsSettings() {
        MutableDataset<Label> train = SyntheticImages.dataset(120, 3, 8, TestSeeds.of(75));
        HypernetworkSpec spec = HypernetworkSpec.magnitudeInvariant(63, 1, new int[] {8}, new int[] {8});
        NetworkTrainer trainer = new NetworkTrainer(spec, new AdamOptimiserFactory(0.01), 4, 24, TestSeeds.of(76))
                .withObjective(new ConditionedWeightDecayObjective(1e-3));
        NetworkModel model = trainer.train(train);
        List<EpochSummary> epochs = model.history().orElseThrow().epochs();
        assertTrue(epochs.get(epochs.size() - 1).trainLoss() < epochs.get(0).trainLoss(),
                "the training loss fell from " + epochs.get(0).trainLoss() + " to " + epochs.get(epochs.size() - 1).trainLoss());
        for (ConfiguredObjectProvenance provenance : new ConfiguredObjectProvenance[] {trainer.getProvenance(),
                model.getProvenance().getTrainerProvenance()}) {
            ConfiguredObjectProvenance network = (ConfiguredObjectProvenance) provenance.getConfiguredParameters().get("network");
            assertEquals(HypernetworkSpec.class.getName(), network.getClassName());
            assertEquals(true, ((BooleanProvenance) network.getConfiguredParameters().get("residual")).getValue());
            assertEquals("COS_SIN", ((EnumProvenance<?>) network.getConfiguredParameters().get("encoding")).getValue().name());
            ConfiguredObjectProvenance objective = (ConfiguredObjectProvenance) provenance.getConfiguredParameters().get("objective");
            assertEquals(1e-3, ((DoubleProvenance) objective.getConfiguredParameters().get("maxDecay")).getValue());
        }
        Helpers.testModelProtoSerialization(model, Label.class, train);
        Helpers.testConfigurableRoundtrip(spec);
        Helpers.testConfigurableRoundtrip(HypernetworkSpec.plain(63, 1, new int[] {8}, new int[] {8}));
        Helpers.testConfigurableRoundtrip(trainer);
    }
}
