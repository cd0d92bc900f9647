package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.GradientClipper;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.core.train.TrainingPlan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class NetworkTest {

    @Test
    public void layersHaveStablePyTorchNames() {
        try (Network cnn = new CNNSpec(1, 8, 8, new int[] {4, 8}, true, 2, new int[] {16}).build(3, 1L)) {
            assertEquals(List.of("conv1", "bn1", "act1", "pool1", "conv2", "bn2", "act2", "pool2", "flatten", "fc1",
                    "fc_act1", "head"), new ArrayList<>(cnn.layers().keySet()));
            assertEquals(List.of("conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean",
                    "bn1.running_var", "bn1.num_batches_tracked"), new ArrayList<>(cnn.parameters().keySet()).subList(0, 7));
            assertEquals(new Shape(16, 32), cnn.parameters().get("fc1.weight").shape());
            assertEquals(new Shape(3), cnn.outputShape());
        }
        try (Network vit = TransformerSpec.forImages(1, 8, 8, 4, 16, 2, 2, 32).build(3, 1L)) {
            assertTrue(vit.layers().keySet().containsAll(List.of("embed", "pos_embed", "blocks.0.attn.qkv",
                    "blocks.1.mlp.fc2", "norm", "head")), vit.layers().keySet().toString());
            assertEquals(new Shape(48, 16), vit.layer("blocks.1.attn.qkv").parameters().get("weight").shape());
        }
    }

    @Test
    public void heterogeneousTransformerLayersHaveTheirOwnWidths() {
        TransformerSpec uniform = TransformerSpec.forSequences(20, 4, 16, 3, 2, 32);
        TransformerSpec flexi = uniform.withLayers(new int[] {1, 4, 2}, new int[] {8, 32, 64});
        try (Network plain = uniform.build(3, 1L); Network net = flexi.build(3, 1L);
             Network sigma = flexi.withSpectralReparam().build(3, 1L)) {
            assertEquals(new Shape(8, 16), net.parameters().get("blocks.0.mlp.fc1.weight").shape());
            assertEquals(new Shape(16, 64), net.parameters().get("blocks.2.mlp.fc2.weight").shape());
            assertEquals(new Shape(64, 16), sigma.parameters().get("blocks.2.mlp.fc1.weight").shape());
            // heads change no parameter shape, only the split of qkv; the widths change only the feed-forward layers
            long ffn = (16L * 8 + 8 + 8 * 16 + 16) + (16L * 32 + 32 + 32 * 16 + 16) + (16L * 64 + 64 + 64 * 16 + 16);
            assertEquals(plain.countWeights(false) - 3 * (16L * 32 + 32 + 32 * 16 + 16) + ffn, net.countWeights(false));
            try (NDManager batch = net.manager().newSubManager()) {
                assertEquals(new Shape(5, 3), net.forward(batch.ones(new Shape(5, 20)), ForwardContext.inference(batch)).getShape());
            }
        }
        assertTrue(flexi.toString().contains("layerHeads=[1, 4, 2],layerMlpDims=[8, 32, 64]"), flexi.toString());
        Helpers.testConfigurableRoundtrip(flexi);
        com.oracle.labs.mlrg.olcut.config.PropertyException length = assertThrows(
                com.oracle.labs.mlrg.olcut.config.PropertyException.class, () -> uniform.withLayers(new int[] {2, 2}, new int[0]));
        assertTrue(length.getMessage().contains("one value per block (depth=3), found 2"), length.getMessage());
        com.oracle.labs.mlrg.olcut.config.PropertyException heads = assertThrows(
                com.oracle.labs.mlrg.olcut.config.PropertyException.class, () -> uniform.withLayers(new int[] {2, 3, 2}, new int[0]));
        assertTrue(heads.getMessage().contains("block 1 has 3 heads, which do not divide dim=16"), heads.getMessage());
        assertThrows(com.oracle.labs.mlrg.olcut.config.PropertyException.class,
                () -> uniform.withLayers(new int[0], new int[] {8, 0, 8}));
    }

    @Test
    public void sameSeedSameWeightsAndLayerStreamsAreIndependent() {
        MLPSpec spec = new MLPSpec(10, new int[] {6}, Activation.TANH, 0.0);
        MLPSpec wider = new MLPSpec(10, new int[] {6, 4}, Activation.TANH, 0.0);
        try (Network a = spec.build(2, 5L); Network b = spec.build(2, 5L); Network c = wider.build(2, 5L);
             Network d = spec.build(2, 6L)) {
            assertArrayEquals(a.stateDict().get("fc1.weight").toFloatArray(), b.stateDict().get("fc1.weight").toFloatArray());
            // fc1 does not depend on which other layers exist
            assertArrayEquals(a.stateDict().get("fc1.weight").toFloatArray(), c.stateDict().get("fc1.weight").toFloatArray());
            assertFalse(java.util.Arrays.equals(a.stateDict().get("fc1.weight").toFloatArray(),
                    d.stateDict().get("fc1.weight").toFloatArray()));
            // PyTorch's default Linear initialisation bound is 1/sqrt(fan_in)
            for (float w : a.stateDict().get("fc1.weight").toFloatArray()) {
                assertTrue(Math.abs(w) <= 1 / Math.sqrt(10));
            }
        }
    }

    @Test
    public void loadingWeightsChecksNamesAndShapes() {
        MLPSpec spec = new MLPSpec(4, new int[] {3}, Activation.RELU, 0.0);
        try (Network network = spec.build(2, 1L)) {
            Map<String, TensorData> state = network.stateDict();
            Map<String, TensorData> wrongShape = new LinkedHashMap<>(state);
            wrongShape.put("fc1.weight", TensorData.ofFloats(new long[] {3, 5}, new float[15]));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> network.loadStateDict(wrongShape, true));
            assertTrue(e.getMessage().contains("fc1.weight") && e.getMessage().contains("[3, 5]") && e.getMessage().contains("[3, 4]"),
                    e.getMessage());
            Map<String, TensorData> missing = new LinkedHashMap<>(state);
            missing.remove("head.bias");
            e = assertThrows(IllegalArgumentException.class, () -> network.loadStateDict(missing, true));
            assertTrue(e.getMessage().contains("missing tensors [head.bias]"), e.getMessage());
            Map<String, TensorData> extra = new LinkedHashMap<>(state);
            extra.put("fc9.weight", TensorData.ofFloats(new long[] {1}, new float[1]));
            e = assertThrows(IllegalArgumentException.class, () -> network.loadStateDict(extra, false));
            assertTrue(e.getMessage().contains("unexpected tensors [fc9.weight]"), e.getMessage());
            // nothing changed on failure
            assertArrayEquals(state.get("fc1.weight").toFloatArray(), network.stateDict().get("fc1.weight").toFloatArray());
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> network.layer("fc7"));
            assertTrue(unknown.getMessage().contains("fc1, act1, head"), unknown.getMessage());
        }
    }

    @Test
    public void replacedLayersTakePartInTheForwardPass() {
        try (Network network = new MLPSpec(4, new int[] {3}, Activation.RELU, 0.0).build(2, 1L);
             NDManager batch = network.manager().newSubManager()) {
            Linear zero = new Linear(network.manager(), 3, 2, true);
            network.replaceLayer("head", zero);
            assertEquals("head", zero.path());
            NDArray out;
            try (GradientMode ignored = GradientMode.disabled()) {
                out = network.forward(batch.ones(new Shape(5, 4)), ForwardContext.inference(batch));
            }
            assertArrayEquals(new float[10], out.toFloatArray());
            List<String> seen = new ArrayList<>();
            try (GradientMode ignored = GradientMode.disabled()) {
                network.forward(batch.ones(new Shape(1, 4)),
                        ForwardContext.inference(batch).withObserver((layer, in, o) -> seen.add(layer.path())));
            }
            assertEquals(List.of("fc1", "act1", "head", ""), seen);
        }
    }

    @Test
    public void nativeMemoryDoesNotGrowWithBatches() {
        MutableDataset<Label> train = SyntheticImages.dataset(256, 3, 8, 1);
        CNNSpec spec = new CNNSpec(1, 8, 8, new int[] {4}, true, 2, new int[] {8});
        try (Network network = spec.build(3, 1L)) {
            TensorDataset data = TensorDataset.from(train, new FeatureTensorizer(train.getFeatureIDMap(), spec.inputShape()));
            try (NetworkOptimiser optimiser = new AdamOptimiserFactory(0.01).create(network.trainableParameters(),
                    new TrainingPlan(1, 1, 256, 64, 16, 1))) {
                TrainingLoop loop = new TrainingLoop(1, 16, 1.0, 1);
                loop.fit(network, optimiser, data, data, BatchObjective.crossEntropy(), new SplittableRandom(1), TrainingListener.NONE);
                int after1 = network.manager().getManagedArrays().size();
                for (int i = 0; i < 3; i++) {
                    loop.fit(network, optimiser, data, data, BatchObjective.crossEntropy(), new SplittableRandom(1), TrainingListener.NONE);
                }
                assertEquals(after1, network.manager().getManagedArrays().size());
            }
        }
    }

    @Test
    public void clippingBoundsTheGlobalNorm() {
        try (NDManager manager = DjlRuntime.newManager()) {
            Parameter a = new Parameter("a", Parameter.Kind.WEIGHT, manager.create(new float[] {3f}));
            Parameter b = new Parameter("b", Parameter.Kind.WEIGHT, manager.create(new float[] {4f}));
            NDArray loss;
            try (GradientMode ignored = GradientMode.enabled()) {
                loss = a.array().square().add(b.array().square()).sum().div(2);
            }
            GradientMode.backward(loss);
            double norm = GradientClipper.clip(List.of(a, b), 1.0);
            assertEquals(5.0, norm, 1e-6);
            assertEquals(0.6, a.array().getGradient().getFloat(0), 1e-5);
            assertEquals(0.8, b.array().getGradient().getFloat(0), 1e-5);
        }
    }

    @Test
    public void specsRoundTripThroughConfiguration() {
        Helpers.testConfigurableRoundtrip(new MLPSpec(12, new int[] {5, 4}, Activation.GELU, 0.1));
        Helpers.testConfigurableRoundtrip(new CNNSpec(3, 16, 16, new int[] {8}, false, 0, new int[0]));
        Helpers.testConfigurableRoundtrip(TransformerSpec.forSequences(20, 4, 8, 1, 2, 16));
        assertThrows(com.oracle.labs.mlrg.olcut.config.PropertyException.class,
                () -> TransformerSpec.forImages(1, 28, 28, 5, 16, 1, 2, 16));
        assertThrows(com.oracle.labs.mlrg.olcut.config.PropertyException.class,
                () -> TransformerSpec.forSequences(20, 4, 9, 1, 2, 16));
        assertThrows(com.oracle.labs.mlrg.olcut.config.PropertyException.class,
                () -> new CNNSpec(1, 8, 8, new int[] {0}, false, 0, new int[0]));
    }
}
