package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.nn.spec.WideNetSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.EpochSummary;
import org.tribuoadapt.core.train.LoadBalancingObjective;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WideNet (Xue et al. 2022): one attention and one mixture of experts shared by every layer, individual LayerNorms,
 * the load-balancing objective, configuration checks, training, serialization and provenance.
 */
public class WideNetTest {

    private static final int DIM = 16;

    private static WideNetSpec spec(int depth) {
        return WideNetSpec.forSequences(64, 8, DIM, depth, 2, 24, 4, 2, 1.25);
    }

    private static long weights(Layer layer) {
        long count = layer.parameters().values().stream().mapToLong(p -> p.size()).sum();
        for (Layer child : layer.children().values()) {
            count += weights(child);
        }
        return count;
    }

    private static TensorDataset tensors(MutableDataset<Label> data) {
        return TensorDataset.from(data, new FeatureTensorizer(data.getFeatureIDMap(), new Shape(64)));
    }

    private static int[] all(TensorDataset data) {
        return IntStream.range(0, data.size()).toArray();
    }

    @Test
    public void attentionAndExpertsAreSharedAndOnlyTheNormsRepeat() {
        try (Network network = spec(3).build(3, 1L)) {
            long attention = weights(network.layer("encoder.attn"));
            long moe = weights(network.layer("encoder.moe"));
            assertEquals((DIM * 3 * DIM + 3 * DIM) + (DIM * DIM + DIM), attention);
            assertEquals(DIM * 4 + 4 * ((DIM * 24 + 24) + (24 * DIM + DIM)), moe);
            long embedding = (8 * DIM + DIM) + 8 * DIM;
            long head = 2 * DIM + (DIM * 3 + 3);
            long norms = 3 * 2 * (2 * DIM);
            assertEquals(embedding + attention + moe + norms + head, network.countWeights(false));
            try (Network shallow = spec(1).build(3, 1L)) {
                assertEquals(2 * 2 * (2 * DIM), network.countWeights(false) - shallow.countWeights(false));
            }
        }
    }

    @Test
    public void changingTheSharedWeightChangesEveryLayer() {
        MutableDataset<Label> data = SyntheticImages.dataset(4, 2, 8, TestSeeds.of(61));
        TensorDataset tensors = tensors(data);
        try (Network network = spec(3).build(2, 2L); NDManager batch = network.manager().newSubManager();
             NDScope ignored = new NDScope()) {
            Layer attention = network.layer("encoder.attn");
            List<NDArray> inputs = new ArrayList<>();
            List<float[]> outputs = new ArrayList<>();
            ForwardContext observed = ForwardContext.inference(batch).withObserver((layer, input, output) -> {
                if (layer == attention) {
                    inputs.add(input);
                    outputs.add(output.toFloatArray());
                }
            });
            network.forward(tensors.features(batch, all(tensors)), observed);
            assertEquals(3, inputs.size(), "the shared attention runs once per layer");
            assertEquals(3, network.layers().keySet().stream().filter(p -> p.matches("encoder\\.norm1_\\d")).count());
            float[] qkv = network.parameters().get("encoder.attn.qkv.weight").toFloatArray();
            for (int i = 0; i < qkv.length; i++) {
                qkv[i] *= 0.5f;
            }
            network.parameters().get("encoder.attn.qkv.weight").assign(qkv);
            for (int layer = 0; layer < 3; layer++) {
                float[] changed = attention.apply(inputs.get(layer), ForwardContext.inference(batch)).toFloatArray();
                assertFalse(Arrays.equals(outputs.get(layer), changed), "layer " + layer + " kept its own attention weight");
            }
        }
    }

    @Test
    public void theObjectiveAddsTheWeightedLoadBalancingLossOfEveryLayer() {
        MutableDataset<Label> data = SyntheticImages.dataset(6, 2, 8, TestSeeds.of(62));
        TensorDataset tensors = tensors(data);
        try (Network network = spec(2).build(2, 3L); NDManager batch = network.manager().newSubManager();
             NDScope ignored = new NDScope()) {
            NDArray features = tensors.features(batch, all(tensors));
            NDArray labels = tensors.labels(batch, all(tensors));
            ForwardContext context = ForwardContext.training(batch);
            MixtureOfExperts moe = (MixtureOfExperts) network.layer("encoder.moe");
            double[] balancing = new double[1];
            int[] applications = new int[1];
            network.forward(features, context.withObserver((layer, input, output) -> {
                if (layer == moe) {
                    balancing[0] += moe.loadBalancingLoss(input, context).getFloat();
                    applications[0]++;
                }
            }));
            assertEquals(2, applications[0]);
            double crossEntropy = BatchObjective.crossEntropy(network.forward(features, context), labels).getFloat();
            double total = new LoadBalancingObjective(0.3).newBatchObjective(new SplittableRandom(1))
                    .loss(network, features, labels, context).getFloat();
            assertEquals(crossEntropy + 0.3 * balancing[0], total, 1e-5);
            assertTrue(balancing[0] >= 2.0 - 1e-5, "each layer's loss is at least 1, found " + balancing[0]);
        }
        try (Network mlp = new MLPSpec(64, new int[] {4}, Activation.RELU, 0.0).build(2, 1L);
             NDManager batch = mlp.manager().newSubManager()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new LoadBalancingObjective(0.01)
                    .newBatchObjective(new SplittableRandom(1)).loss(mlp, tensors.features(batch, all(tensors)),
                            tensors.labels(batch, all(tensors)), ForwardContext.training(batch)));
            assertTrue(e.getMessage().contains("MixtureOfExperts"), e.getMessage());
        }
    }

    @Test
    public void impossibleConfigurationsAreRefusedAtConfigurationTime() {
        assertTrue(assertThrows(PropertyException.class, () -> WideNetSpec.forSequences(64, 8, DIM, 2, 2, 24, 0, 1, 1.0))
                .getMessage().contains("at least one expert"));
        assertTrue(assertThrows(PropertyException.class, () -> WideNetSpec.forSequences(64, 8, DIM, 2, 2, 24, 2, 3, 1.0))
                .getMessage().contains("topK"));
        assertTrue(assertThrows(PropertyException.class, () -> WideNetSpec.forSequences(64, 8, DIM, 2, 2, 24, 2, 0, 1.0))
                .getMessage().contains("topK"));
        assertTrue(assertThrows(PropertyException.class, () -> WideNetSpec.forSequences(64, 8, DIM, 2, 2, 24, 2, 1, 0.0))
                .getMessage().contains("capacityFactor"));
        assertTrue(assertThrows(PropertyException.class, () -> WideNetSpec.forSequences(64, 8, DIM, 0, 2, 24, 2, 1, 1.0))
                .getMessage().contains("depth"));
        assertTrue(assertThrows(PropertyException.class, () -> WideNetSpec.forSequences(64, 7, DIM, 2, 2, 24, 2, 1, 1.0))
                .getMessage().contains("tokenWidth"));
        assertTrue(assertThrows(PropertyException.class, () -> new LoadBalancingObjective(-1.0))
                .getMessage().contains("weight"));
    }

    @Test
    public void aWideNetTrainsRoundTripsAndRecordsItsSettings() {
        MutableDataset<Label> train = SyntheticImages.dataset(160, 3, 8, TestSeeds.of(63));
        WideNetSpec spec = WideNetSpec.forImages(1, 8, 8, 4, DIM, 2, 2, 24, 4, 1, 1.25);
        NetworkTrainer trainer = new NetworkTrainer(spec, new AdamOptimiserFactory(0.01), 4, 32, TestSeeds.of(64))
                .withObjective(new LoadBalancingObjective(0.01));
        NetworkModel model = trainer.train(train);
        List<EpochSummary> epochs = model.history().orElseThrow().epochs();
        assertTrue(epochs.get(epochs.size() - 1).trainLoss() < epochs.get(0).trainLoss(),
                "the training loss fell from " + epochs.get(0).trainLoss() + " to " + epochs.get(epochs.size() - 1).trainLoss());
        for (ConfiguredObjectProvenance provenance : new ConfiguredObjectProvenance[] {trainer.getProvenance(),
                model.getProvenance().getTrainerProvenance()}) {
            ConfiguredObjectProvenance network = (ConfiguredObjectProvenance) provenance.getConfiguredParameters().get("network");
            assertEquals(WideNetSpec.class.getName(), network.getClassName());
            assertEquals(4, ((IntProvenance) network.getConfiguredParameters().get("experts")).getValue());
            assertEquals(1, ((IntProvenance) network.getConfiguredParameters().get("topK")).getValue());
            assertEquals(1.25, ((DoubleProvenance) network.getConfiguredParameters().get("capacityFactor")).getValue());
            ConfiguredObjectProvenance objective = (ConfiguredObjectProvenance) provenance.getConfiguredParameters().get("objective");
            assertEquals(0.01, ((DoubleProvenance) objective.getConfiguredParameters().get("weight")).getValue());
        }
        try (Network network = model.newNetwork()) {
            assertSame(MixtureOfExperts.class, network.layer("encoder.moe").getClass());
        }
        Helpers.testModelProtoSerialization(model, Label.class, train);
        Helpers.testConfigurableRoundtrip(spec);
        Helpers.testConfigurableRoundtrip(trainer);
    }
}
