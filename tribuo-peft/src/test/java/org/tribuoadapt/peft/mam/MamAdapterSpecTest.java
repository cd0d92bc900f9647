package org.tribuoadapt.peft.mam;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.LoadedAdapter;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.PeftTrainer;
import org.tribuoadapt.peft.bottleneck.BottleneckArchitecture;
import org.tribuoadapt.peft.bottleneck.BottleneckModule;
import org.tribuoadapt.peft.bottleneck.BottleneckPlacement;
import org.tribuoadapt.peft.bottleneck.BottleneckSpec;
import org.tribuoadapt.peft.io.AdapterFormatException;
import org.tribuoadapt.peft.prefix.PrefixTuningModule;
import org.tribuoadapt.peft.prefix.PrefixTuningSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class MamAdapterSpecTest {

    /** Sequences of 3 tokens of width 3, model width 4, two blocks with 2 heads, feed-forward width 6. */
    private static final NetworkSpec TRANSFORMER = TransformerSpec.forSequences(9, 3, 4, 2, 2, 6);
    private static final int OUTPUTS = 3;
    private static final int D = 4;

    private static MamAdapterSpec small() {
        return new MamAdapterSpec(AdapterTargets.modules("attn", "mlp"), 2, 0.5, 3, 4.0);
    }

    @Test
    public void prefixesOnTheAttentionAndScaledParallelAdaptersOnTheFeedForward() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            peft.addAdapter("a", new MamAdapterSpec(3), OUTPUTS, 7L);
            Map<String, AdapterModule> modules = peft.modules("a");
            assertEquals(List.of("blocks.0.attn", "blocks.0.mlp", "blocks.1.attn", "blocks.1.mlp"), List.copyOf(modules.keySet()));
            assertEquals(30, assertInstanceOf(PrefixTuningModule.class, modules.get("blocks.1.attn")).rank());
            BottleneckModule adapter = assertInstanceOf(BottleneckModule.class, modules.get("blocks.0.mlp"));
            assertEquals(BottleneckPlacement.PARALLEL, adapter.placement());
            assertEquals(4.0, adapter.scaling());
            assertEquals(3, adapter.rank());
        }
    }

    /** MAM computes what prefix tuning on the attention and a parallel Pfeiffer adapter with s = 4 compute together. */
    @Test
    public void equalsPrefixTuningBesideAParallelFeedForwardAdapter() {
        float[] x = AdapterContract.input(TRANSFORMER, 4);
        Map<String, TensorData> tensors;
        float[] mam;
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 4);
            peft.addAdapter("a", small(), OUTPUTS, 7L);
            peft.setActiveAdapters(List.of("a"));
            AdapterContract.randomise(peft, "a", 5L);
            tensors = peft.adapterTensors("a");
            mam = AdapterContract.forward(peft.network(), x, 4);
            assertFalse(Arrays.equals(base, mam), "a randomised adapter changes the outputs");
        }
        Map<String, TensorData> prefixes = new LinkedHashMap<>();
        Map<String, TensorData> adapters = new LinkedHashMap<>();
        tensors.forEach((key, value) -> (key.contains(".attn.") ? prefixes : adapters).put(key, value));
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            peft.addAdapter("prefix", new PrefixTuningSpec(AdapterTargets.modules("attn"), 2, 0.5, 0), OUTPUTS, 1L);
            peft.addAdapter("adapter", new BottleneckSpec(BottleneckArchitecture.PFEIFFER, BottleneckPlacement.PARALLEL, 3,
                    4.0), OUTPUTS, 2L);
            peft.loadAdapterTensors("prefix", prefixes);
            peft.loadAdapterTensors("adapter", adapters);
            peft.setActiveAdapters(List.of("prefix", "adapter"));
            AdapterContract.assertClose(mam, AdapterContract.forward(peft.network(), x, 4), 1e-6, "prefix + adapter");
        }
    }

    @Test
    public void parameterCounts() {
        // per block: 2 l d + 2 r d + r + d with l = 2, r = 3
        assertEquals(2 * (2 * 2 * D + 2 * 3 * D + 3 + D), AdapterContract.trainableCount(small(), TRANSFORMER, OUTPUTS));
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        AdapterContract.assertOnlyAdapterTrains(small(), TRANSFORMER, OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(new MamAdapterSpec(AdapterTargets.modules("attn", "mlp").saving("head"), 3,
                0.1, 2, 4.0), TRANSFORMER, OUTPUTS, dir.resolve("mam"));
        LoadedAdapter loaded = AdapterFiles.load(dir.resolve("mam").resolve("adapter"));
        assertEquals(MamAdapterSpec.PEFT_TYPE, loaded.spec().peftType());
        assertEquals(List.of("base_model.model.blocks.0.attn.prefix_keys", "base_model.model.blocks.0.attn.prefix_values",
                "base_model.model.blocks.0.mlp.adapter_down.bias", "base_model.model.blocks.0.mlp.adapter_down.weight",
                "base_model.model.blocks.0.mlp.adapter_up.bias", "base_model.model.blocks.0.mlp.adapter_up.weight"),
                loaded.tensors().keySet().stream().filter(k -> k.contains("blocks.0.")).sorted().toList());
        Helpers.testConfigurableRoundtrip(small());
        String provenance = small().getProvenance().toString();
        assertTrue(provenance.contains("prefixLength") && provenance.contains("bottleneckSize")
                && provenance.contains("scaling"), provenance);
    }

    @Test
    public void trainedModelRefusesToMergeAndSaysWhy() {
        TransformerSpec net = TransformerSpec.forSequences(64, 8, 8, 1, 2, 16);
        NetworkModel base = new NetworkTrainer(net, new AdamOptimiserFactory(0.01), 1, 32, TestSeeds.of(1))
                .train(SyntheticImages.dataset(60, 3, 8, TestSeeds.of(1)));
        MutableDataset<Label> target = SyntheticImages.dataset(40, 3, 8, TestSeeds.of(2));
        PeftModel model = new PeftTrainer(new MamAdapterSpec(AdapterTargets.modules("attn", "mlp").saving("head"), 2, 0.02,
                4, 4.0), new AdamOptimiserFactory(0.02), 1, 16, 5L).train(target, base);
        String provenance = model.getProvenance().toString();
        assertTrue(provenance.contains("MamAdapterSpec") && provenance.contains("bottleneckSize"), provenance);
        assertEquals(target.size(), model.predict(target).size());
        IllegalStateException e = assertThrows(IllegalStateException.class, model::merge);
        assertTrue(e.getMessage().contains("adapter 'default' cannot be merged") && e.getMessage().contains("softmax")
                && e.getMessage().contains("ReLU"), e.getMessage());
    }

    @Test
    public void rejectsBadSettings() throws Exception {
        PropertyException length = assertThrows(PropertyException.class,
                () -> new MamAdapterSpec(AdapterTargets.modules("attn", "mlp"), 0, 0.02, 4, 4.0));
        assertTrue(length.getMessage().contains("prefixLength must be a positive integer, found 0"), length.getMessage());
        PropertyException size = assertThrows(PropertyException.class, () -> new MamAdapterSpec(0));
        assertTrue(size.getMessage().contains("bottleneckSize must be a positive integer, found 0"), size.getMessage());
        PropertyException scaling = assertThrows(PropertyException.class,
                () -> new MamAdapterSpec(AdapterTargets.modules("attn", "mlp"), 2, 0.02, 4, Double.NaN));
        assertTrue(scaling.getMessage().contains("scaling must be positive and finite"), scaling.getMessage());
        PropertyException std = assertThrows(PropertyException.class,
                () -> new MamAdapterSpec(AdapterTargets.modules("attn", "mlp"), 2, -1, 4, 4.0));
        assertTrue(std.getMessage().contains("initialStd must be non-negative and finite"), std.getMessage());
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            IllegalArgumentException linear = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new MamAdapterSpec(AdapterTargets.modules("qkv"), 2, 0.02, 4, 4.0), OUTPUTS, 1L));
            assertTrue(linear.getMessage().contains("cannot adapt a LINEAR layer"), linear.getMessage());
        }
        String json = "{\"peft_type\": \"MAM_ADAPTER\", \"target_modules\": [\"attn\", \"mlp\"], \"num_virtual_tokens\": 4, "
                + "\"bottleneck_size\": 5, \"placement\": \"sequential\"}";
        AdapterFormatException placement = assertThrows(AdapterFormatException.class,
                () -> AdapterFiles.parseConfig(json.getBytes(StandardCharsets.UTF_8), "adapter_config.json"));
        assertTrue(placement.getMessage().contains("feed-forward adapter is parallel, found placement 'sequential'"),
                placement.getMessage());
        MamAdapterSpec read = (MamAdapterSpec) AdapterFiles.parseConfig(json.replace("sequential", "parallel")
                .getBytes(StandardCharsets.UTF_8), "adapter_config.json");
        assertEquals(4, read.prefixLength());
        assertEquals(5, read.bottleneckSize());
        assertEquals(4.0, read.scaling());
    }

    @Test
    public void exampleConfigurationFitsTheSequenceTransformer() {
        ConfigurationManager cm = new ConfigurationManager(Paths.get("..", "examples", "configs", "peft-mam.xml").toString());
        MamAdapterSpec spec = (MamAdapterSpec) cm.lookup("adapter");
        assertInstanceOf(PeftTrainer.class, cm.lookup("peft-trainer"));
        NetworkSpec network = (NetworkSpec) cm.lookup("network");
        try (PeftNetwork peft = PeftNetwork.wrap(network.build(5, 1L))) {
            peft.addAdapter("default", spec, 5, 1L);
            peft.setTrainable("default");
            // 2 blocks of width 64 with l = 30, r = 16: 2 l d + 2 r d + r + d each; the head's copy
            long perBlock = 2 * 30 * 64 + 2 * 16 * 64 + 16 + 64;
            assertEquals(2 * perBlock + 64 * 5 + 5, peft.trainableSummary().trainable());
        }
    }
}
