package org.tribuoadapt.peft.bottleneck;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.safetensors.SafetensorsFile;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.peft.AdaptedLayer;
import org.tribuoadapt.peft.AdapterApplication;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.PeftTrainer;
import org.tribuoadapt.peft.io.AdapterFormatException;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class BottleneckSpecTest {

    /** Sequences of 4 tokens of width 3, model width 4, one block with 2 heads and a feed-forward width of 6. */
    private static final NetworkSpec TRANSFORMER = TransformerSpec.forSequences(12, 3, 4, 1, 2, 6);
    private static final int OUTPUTS = 3;
    private static final int WIDTH = 4;

    private static BottleneckSpec houlsby(BottleneckPlacement placement) {
        return new BottleneckSpec(BottleneckArchitecture.HOULSBY, placement, 2, 0.5);
    }

    @Test
    public void startsEqualToTheBase() {
        float[] x = AdapterContract.input(TRANSFORMER, 5);
        for (BottleneckPlacement placement : BottleneckPlacement.values()) {
            try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
                float[] base = AdapterContract.forward(peft.network(), x, 5);
                peft.addAdapter("a", houlsby(placement), OUTPUTS, 7L);
                peft.setActiveAdapters(List.of("a"));
                assertEquals(List.of("blocks.0.attn", "blocks.0.mlp"), List.copyOf(peft.modules("a").keySet()));
                assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 5), placement.toString());
                AdapterContract.randomise(peft, "a", 3L);
                assertFalse(java.util.Arrays.equals(base, AdapterContract.forward(peft.network(), x, 5)),
                        "a randomised adapter changes the outputs");
            }
        }
    }

    @Test
    public void parameterCountIsTwoRdPlusRPlusDPerBranch() {
        // per branch of width d = 4 with r = 2: W_down 2x4, b_down 2, W_up 4x2, b_up 4
        long perBranch = 2 * 2 * WIDTH + 2 + WIDTH;
        assertEquals(2 * perBranch, AdapterContract.trainableCount(houlsby(BottleneckPlacement.SEQUENTIAL), TRANSFORMER,
                OUTPUTS));
        assertEquals(perBranch, AdapterContract.trainableCount(new BottleneckSpec(BottleneckArchitecture.PFEIFFER,
                BottleneckPlacement.PARALLEL, 2, 1.0), TRANSFORMER, OUTPUTS));
    }

    /** {@code h + s (ReLU(z W_down^T + b_down) W_up^T + b_up)} for every token, computed element by element. */
    private static float[] handComputed(float[] h, float[] z, float[] down, float[] downBias, float[] up, float[] upBias,
                                        int r, double s) {
        float[] out = new float[h.length];
        for (int t = 0; t < h.length / WIDTH; t++) {
            double[] hidden = new double[r];
            for (int j = 0; j < r; j++) {
                double sum = downBias[j];
                for (int k = 0; k < WIDTH; k++) {
                    sum += down[j * WIDTH + k] * z[t * WIDTH + k];
                }
                hidden[j] = Math.max(0, sum);
            }
            for (int i = 0; i < WIDTH; i++) {
                double sum = upBias[i];
                for (int j = 0; j < r; j++) {
                    sum += up[i * r + j] * hidden[j];
                }
                out[t * WIDTH + i] = (float) (h[t * WIDTH + i] + s * sum);
            }
        }
        return out;
    }

    @Test
    public void sequentialReadsTheBranchOutputAndParallelItsInput() {
        float[] tokens = Initializers.uniform(2 * 4 * WIDTH, 1.0, new SplittableRandom(21));
        for (BottleneckPlacement placement : BottleneckPlacement.values()) {
            for (String branch : List.of("blocks.0.attn", "blocks.0.mlp")) {
                try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
                    peft.addAdapter("a", houlsby(placement), OUTPUTS, 7L);
                    peft.setActiveAdapters(List.of("a"));
                    AdapterContract.randomise(peft, "a", 5L);
                    BottleneckModule module = (BottleneckModule) peft.modules("a").get(branch);
                    AdaptedLayer adapted = (AdaptedLayer) peft.network().layer(branch);
                    Layer base = adapted.children().get(AdaptedLayer.BASE);
                    try (NDManager m = peft.network().manager().newSubManager(); GradientMode ignored = GradientMode.disabled()) {
                        NDArray x = m.create(tokens, new Shape(2, 4, WIDTH));
                        ForwardContext context = ForwardContext.inference(m);
                        float[] h = base.apply(x, context).toFloatArray();
                        float[] actual = adapted.apply(x, context).toFloatArray();
                        float[] z = placement == BottleneckPlacement.SEQUENTIAL ? h : tokens;
                        float[] expected = handComputed(h, z, module.peftTensors().get("adapter_down.weight").toFloatArray(),
                                module.peftTensors().get("adapter_down.bias").toFloatArray(),
                                module.peftTensors().get("adapter_up.weight").toFloatArray(),
                                module.peftTensors().get("adapter_up.bias").toFloatArray(), 2, 0.5);
                        AdapterContract.assertClose(expected, actual, 1e-5, placement + " at " + branch);
                    }
                }
            }
        }
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        for (BottleneckPlacement placement : BottleneckPlacement.values()) {
            AdapterContract.assertOnlyAdapterTrains(houlsby(placement), TRANSFORMER, OUTPUTS);
            AdapterContract.assertSaveLoadRoundTrip(houlsby(placement), TRANSFORMER, OUTPUTS, dir.resolve(placement.name()));
        }
        AdapterContract.assertSaveLoadRoundTrip(new BottleneckSpec(BottleneckArchitecture.PFEIFFER.targets().saving("head"),
                BottleneckPlacement.PARALLEL, 3, 2.0), TRANSFORMER, OUTPUTS, dir.resolve("pfeiffer"));
        Helpers.testConfigurableRoundtrip(houlsby(BottleneckPlacement.PARALLEL));
    }

    @Test
    public void provenanceRecordsTheSettings() {
        String provenance = houlsby(BottleneckPlacement.PARALLEL).getProvenance().toString();
        assertTrue(provenance.contains("placement") && provenance.contains("PARALLEL"), provenance);
        assertTrue(provenance.contains("bottleneckSize") && provenance.contains("scaling"), provenance);
    }

    @Test
    public void mergingIsRefusedAndLeavesTheNetworkUnmerged() {
        float[] x = AdapterContract.input(TRANSFORMER, 3);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            peft.addAdapter("a", houlsby(BottleneckPlacement.SEQUENTIAL), OUTPUTS, 7L);
            peft.setActiveAdapters(List.of("a"));
            AdapterContract.randomise(peft, "a", 5L);
            float[] adapted = AdapterContract.forward(peft.network(), x, 3);
            IllegalStateException e = assertThrows(IllegalStateException.class, peft::merge);
            assertTrue(e.getMessage().contains("adapter 'a' cannot be merged") && e.getMessage().contains("non-linear"),
                    e.getMessage());
            assertThrows(IllegalStateException.class, peft::mergedStateDict);
            assertFalse(peft.isMerged());
            assertArrayEquals(adapted, AdapterContract.forward(peft.network(), x, 3));
            UnsupportedOperationException direct = assertThrows(UnsupportedOperationException.class,
                    () -> peft.modules("a").get("blocks.0.mlp").mergeIntoTarget());
            assertTrue(direct.getMessage().contains("'blocks.0.mlp' cannot be merged"), direct.getMessage());
            // without the bottleneck adapter active, the (empty) merge is allowed
            peft.setActiveAdapters(List.of());
            peft.merge();
            peft.unmerge();
        }
    }

    @Test
    public void rejectsBadSettings() {
        PropertyException size = assertThrows(PropertyException.class,
                () -> new BottleneckSpec(BottleneckArchitecture.HOULSBY, BottleneckPlacement.SEQUENTIAL, 0, 1.0));
        assertTrue(size.getMessage().contains("bottleneckSize must be a positive integer, found 0"), size.getMessage());
        for (double s : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            PropertyException e = assertThrows(PropertyException.class,
                    () -> new BottleneckSpec(BottleneckArchitecture.HOULSBY, BottleneckPlacement.SEQUENTIAL, 2, s));
            assertTrue(e.getMessage().contains("scaling must be positive and finite"), e.getMessage());
        }
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            IllegalArgumentException linear = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new BottleneckSpec(AdapterTargets.modules("fc1"), BottleneckPlacement.SEQUENTIAL, 2, 1.0), OUTPUTS, 1L));
            assertTrue(linear.getMessage().contains("BOTTLENECK cannot adapt a LINEAR layer"), linear.getMessage());
            IllegalArgumentException layerNorm = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new BottleneckSpec(AdapterTargets.modules("norm1"), BottleneckPlacement.SEQUENTIAL, 2, 1.0), OUTPUTS, 1L));
            assertTrue(layerNorm.getMessage().contains("cannot adapt a LAYER_NORM layer"), layerNorm.getMessage());
        }
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(AdapterContract.MLP, AdapterContract.MLP_OUTPUTS))) {
            IllegalArgumentException notABranch = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    houlsby(BottleneckPlacement.SEQUENTIAL), AdapterContract.MLP_OUTPUTS, 1L));
            assertTrue(notABranch.getMessage().contains("target module 'attn' not found"), notABranch.getMessage());
        }
    }

    @Test
    public void residualBranchesAndTheirLayersCannotBothBeWrapped() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            peft.addAdapter("lora", new LoraSpec(AdapterTargets.modules("qkv"), 2, 2), OUTPUTS, 1L);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> peft.addAdapter("a", houlsby(BottleneckPlacement.SEQUENTIAL), OUTPUTS, 1L));
            assertTrue(e.getMessage().contains("layer 'blocks.0.attn' is inside or around layer 'blocks.0.attn.qkv', which "
                    + "adapter 'lora' wraps; adapters cannot be nested"), e.getMessage());
            assertEquals(List.of("lora"), List.copyOf(peft.adapterNames()));
        }
    }

    @Test
    public void trainedModelRecordsTheAdapterAndRefusesToMerge() {
        TransformerSpec net = TransformerSpec.forSequences(64, 8, 8, 1, 2, 16);
        NetworkModel base = new NetworkTrainer(net, new AdamOptimiserFactory(0.01), 1, 32, TestSeeds.of(1))
                .train(SyntheticImages.dataset(60, 3, 8, TestSeeds.of(1)));
        MutableDataset<Label> target = SyntheticImages.dataset(40, 3, 8, TestSeeds.of(2));
        BottleneckSpec spec = new BottleneckSpec(BottleneckArchitecture.PFEIFFER.targets().saving("head"),
                BottleneckPlacement.PARALLEL, 2, 1.0);
        PeftModel model = new PeftTrainer(spec, new AdamOptimiserFactory(0.02), 1, 16, 5L).train(target, base);
        String provenance = model.getProvenance().toString();
        assertTrue(provenance.contains("BottleneckSpec") && provenance.contains("PARALLEL"), provenance);
        assertEquals(target.size(), model.predict(target).size());
        IllegalStateException e = assertThrows(IllegalStateException.class, model::merge);
        assertTrue(e.getMessage().contains("adapter 'default' cannot be merged"), e.getMessage());
        IllegalStateException inPlace = assertThrows(IllegalStateException.class, model::mergeAdapters);
        assertTrue(inPlace.getMessage().contains("adapter 'default' cannot be merged"), inPlace.getMessage());
    }

    @Test
    public void exampleConfigurationFitsTheSequenceTransformer() {
        ConfigurationManager cm = new ConfigurationManager(Paths.get("..", "examples", "configs", "peft-bottleneck.xml")
                .toString());
        BottleneckSpec spec = (BottleneckSpec) cm.lookup("adapter");
        assertInstanceOf(PeftTrainer.class, cm.lookup("peft-trainer"));
        NetworkSpec network = (NetworkSpec) cm.lookup("network");
        try (PeftNetwork peft = PeftNetwork.wrap(network.build(5, 1L))) {
            peft.addAdapter("default", spec, 5, 1L);
            peft.setTrainable("default");
            // 2 blocks x 2 branches x (2 r d + r + d) with d = 64, r = 8, and the head's copy 64 x 5 + 5
            assertEquals(4 * (2 * 8 * 64 + 8 + 64) + 64 * 5 + 5, peft.trainableSummary().trainable());
        }
    }

    @Test
    public void applyWritesTheAdaptedOutputOnly(@TempDir Path dir) throws Exception {
        Path config = Paths.get("..", "examples", "configs", "peft-bottleneck.xml");
        ConfigurationManager cm = new ConfigurationManager(config.toString());
        BottleneckSpec spec = (BottleneckSpec) cm.lookup("adapter");
        NetworkSpec network = (NetworkSpec) cm.lookup("network");
        float[] x = AdapterContract.input(network, 2);
        float[] expected;
        try (PeftNetwork peft = PeftNetwork.wrap(network.build(5, 3L))) {
            SafetensorsWriter.write(dir.resolve("base.safetensors"), peft.mergedStateDict(), Map.of("format", "pt"));
            peft.addAdapter("a", spec, 5, 7L);
            AdapterContract.randomise(peft, "a", 3L);
            peft.setActiveAdapters(List.of("a"));
            expected = AdapterContract.forward(peft.network(), x, 2);
            AdapterFiles.save(dir.resolve("adapter"), spec, peft.adapterTensors("a"));
        }
        SafetensorsWriter.write(dir.resolve("input.safetensors"),
                Map.of(AdapterApplication.INPUT, TensorData.ofFloats(new long[] {2, 784}, x)), Map.of());
        AdapterApplication.apply(config, dir.resolve("base.safetensors"), dir.resolve("adapter"),
                dir.resolve("input.safetensors"), dir.resolve("out.safetensors"));
        SafetensorsFile got = SafetensorsReader.read(dir.resolve("out.safetensors"));
        assertEquals(List.of(AdapterApplication.OUTPUT_ADAPTED), List.copyOf(got.names()));
        AdapterContract.assertClose(expected, got.get(AdapterApplication.OUTPUT_ADAPTED).toFloatArray(), 1e-5, "adapted");
    }

    @Test
    public void readsItsConfigurationAndRejectsOtherNonLinearities() throws Exception {
        String json = "{\"peft_type\": \"BOTTLENECK\", \"target_modules\": [\"mlp\"], \"placement\": \"parallel\", "
                + "\"bottleneck_size\": 5, \"scaling\": 4.0, \"non_linearity\": \"relu\"}";
        BottleneckSpec spec = (BottleneckSpec) AdapterFiles.parseConfig(json.getBytes(StandardCharsets.UTF_8), "adapter_config.json");
        assertEquals(BottleneckPlacement.PARALLEL, spec.placement());
        assertEquals(5, spec.bottleneckSize());
        assertEquals(4.0, spec.scaling());
        assertEquals(List.of("mlp"), spec.targets().modules());
        AdapterFormatException gelu = assertThrows(AdapterFormatException.class, () -> AdapterFiles.parseConfig(
                json.replace("\"relu\"", "\"gelu\"").getBytes(StandardCharsets.UTF_8), "adapter_config.json"));
        assertTrue(gelu.getMessage().contains("non_linearity must be 'relu', found 'gelu'"), gelu.getMessage());
        AdapterFormatException placement = assertThrows(AdapterFormatException.class, () -> AdapterFiles.parseConfig(
                json.replace("\"parallel\"", "\"diagonal\"").getBytes(StandardCharsets.UTF_8), "adapter_config.json"));
        assertTrue(placement.getMessage().contains("placement must be 'sequential' or 'parallel', found 'diagonal'"),
                placement.getMessage());
    }
}
