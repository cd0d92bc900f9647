package org.tribuoadapt.peft.prefix;

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
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.LoadedAdapter;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.PeftTrainer;
import org.tribuoadapt.peft.io.AdapterFormatException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class PrefixTuningSpecTest {

    /** Sequences of 3 tokens of width 3, model width 4, one block with 2 heads (head width 2), feed-forward width 6. */
    private static final NetworkSpec TRANSFORMER = TransformerSpec.forSequences(9, 3, 4, 1, 2, 6);
    private static final int OUTPUTS = 3;
    private static final int D = 4;
    private static final int HEADS = 2;
    private static final int HD = 2;

    private static PrefixTuningSpec reparameterised() {
        return new PrefixTuningSpec(AdapterTargets.modules("attn"), 2, 0.5, 5);
    }

    /**
     * Self-attention with prefixes, element by element: {@code proj(softmax(q [P_K; K]^T / sqrt(hd)) [P_V; V])} per
     * head, for tokens {@code [T, D]} and prefixes {@code [l, D]}.
     */
    private static float[] handAttention(float[] x, int t, float[] qkvW, float[] qkvB, float[] projW, float[] projB,
                                         float[] keys, float[] values, int l) {
        double[][] qkv = new double[t][3 * D];
        for (int i = 0; i < t; i++) {
            for (int o = 0; o < 3 * D; o++) {
                double sum = qkvB[o];
                for (int k = 0; k < D; k++) {
                    sum += qkvW[o * D + k] * x[i * D + k];
                }
                qkv[i][o] = sum;
            }
        }
        float[] out = new float[t * D];
        for (int i = 0; i < t; i++) {
            double[] attended = new double[D];
            for (int h = 0; h < HEADS; h++) {
                double[] scores = new double[l + t];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < l + t; j++) {
                    double dot = 0;
                    for (int e = 0; e < HD; e++) {
                        double key = j < l ? keys[j * D + h * HD + e] : qkv[j - l][D + h * HD + e];
                        dot += qkv[i][h * HD + e] * key;
                    }
                    scores[j] = dot / Math.sqrt(HD);
                    max = Math.max(max, scores[j]);
                }
                double total = 0;
                for (int j = 0; j < l + t; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    total += scores[j];
                }
                for (int j = 0; j < l + t; j++) {
                    for (int e = 0; e < HD; e++) {
                        double value = j < l ? values[j * D + h * HD + e] : qkv[j - l][2 * D + h * HD + e];
                        attended[h * HD + e] += scores[j] / total * value;
                    }
                }
            }
            for (int o = 0; o < D; o++) {
                double sum = projB[o];
                for (int k = 0; k < D; k++) {
                    sum += projW[o * D + k] * attended[k];
                }
                out[i * D + o] = (float) sum;
            }
        }
        return out;
    }

    @Test
    public void attentionAttendsToThePrefixes() {
        float[] x = Initializers.uniform(3 * D, 1.0, new SplittableRandom(4));
        for (PrefixTuningSpec spec : List.of(new PrefixTuningSpec(2), reparameterised())) {
            try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
                peft.addAdapter("a", spec, OUTPUTS, 7L);
                peft.setActiveAdapters(List.of("a"));
                AdapterContract.randomise(peft, "a", 5L);
                // the keys and values: the trained tensors, or the reparameterisation folded by export
                Map<String, TensorData> exported = spec.export(peft.adapterTensors("a")).tensors();
                float[] keys = exported.get("base_model.model.blocks.0.attn.prefix_keys").toFloatArray();
                float[] values = exported.get("base_model.model.blocks.0.attn.prefix_values").toFloatArray();
                Linear qkv = (Linear) peft.baseLayers().get("blocks.0.attn.qkv");
                Linear proj = (Linear) peft.baseLayers().get("blocks.0.attn.proj");
                float[] expected = handAttention(x, 3, qkv.weight().toFloatArray(), qkv.bias().toFloatArray(),
                        proj.weight().toFloatArray(), proj.bias().toFloatArray(), keys, values, 2);
                float[] withoutPrefix = handAttention(x, 3, qkv.weight().toFloatArray(), qkv.bias().toFloatArray(),
                        proj.weight().toFloatArray(), proj.bias().toFloatArray(), keys, values, 0);
                try (NDManager m = peft.network().manager().newSubManager(); GradientMode ignored = GradientMode.disabled()) {
                    NDArray tokens = m.create(x, new Shape(1, 3, D));
                    ForwardContext context = ForwardContext.inference(m);
                    float[] actual = peft.network().layer("blocks.0.attn").apply(tokens, context).toFloatArray();
                    AdapterContract.assertClose(expected, actual, 1e-5, spec.toString());
                    AdapterContract.assertClose(withoutPrefix, peft.baseLayers().get("blocks.0.attn").apply(tokens, context)
                            .toFloatArray(), 1e-5, "the base attention");
                }
                assertFalse(Arrays.equals(expected, withoutPrefix));
            }
        }
    }

    @Test
    public void parameterCounts() {
        assertEquals(2 * 2 * D, AdapterContract.trainableCount(new PrefixTuningSpec(2), TRANSFORMER, OUTPUTS));
        // l d + h d + h + 2 d h + 2 d with l = 2, h = 5
        assertEquals(2 * D + 5 * D + 5 + 2 * D * 5 + 2 * D, AdapterContract.trainableCount(reparameterised(), TRANSFORMER,
                OUTPUTS));
    }

    @Test
    public void onlyThePrefixesTrainAndTheyRoundTrip(@TempDir Path dir) throws Exception {
        AdapterContract.assertOnlyAdapterTrains(new PrefixTuningSpec(2), TRANSFORMER, OUTPUTS);
        AdapterContract.assertOnlyAdapterTrains(reparameterised(), TRANSFORMER, OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(new PrefixTuningSpec(AdapterTargets.modules("attn").saving("head"), 3, 0.1, 0),
                TRANSFORMER, OUTPUTS, dir.resolve("direct"));
        Helpers.testConfigurableRoundtrip(reparameterised());
        String provenance = reparameterised().getProvenance().toString();
        assertTrue(provenance.contains("prefixLength") && provenance.contains("projectionHiddenSize"), provenance);
    }

    @Test
    public void theReparameterisationIsFoldedAwayWhenSaved(@TempDir Path dir) throws Exception {
        float[] x = AdapterContract.input(TRANSFORMER, 4);
        float[] expected;
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            peft.addAdapter("a", reparameterised(), OUTPUTS, 7L);
            AdapterContract.randomise(peft, "a", 13L);
            peft.setActiveAdapters(List.of("a"));
            expected = AdapterContract.forward(peft.network(), x, 4);
            AdapterFiles.save(dir.resolve("adapter"), reparameterised(), peft.adapterTensors("a"));
        }
        LoadedAdapter loaded = AdapterFiles.load(dir.resolve("adapter"));
        assertEquals(0, ((PrefixTuningSpec) loaded.spec()).projectionHiddenSize());
        assertEquals(List.of("base_model.model.blocks.0.attn.prefix_keys", "base_model.model.blocks.0.attn.prefix_values"),
                loaded.tensors().keySet().stream().sorted().toList());
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            peft.addAdapter("b", loaded.spec(), OUTPUTS, 99L);
            peft.loadAdapterTensors("b", loaded.tensors());
            peft.setActiveAdapters(List.of("b"));
            AdapterContract.assertClose(expected, AdapterContract.forward(peft.network(), x, 4), 1e-5, "folded prefixes");
        }
    }

    @Test
    public void trainedModelKeepsTheFoldedPrefixesAndRefusesToMerge() {
        TransformerSpec net = TransformerSpec.forSequences(64, 8, 8, 1, 2, 16);
        NetworkModel base = new NetworkTrainer(net, new AdamOptimiserFactory(0.01), 1, 32, TestSeeds.of(1))
                .train(SyntheticImages.dataset(60, 3, 8, TestSeeds.of(1)));
        MutableDataset<Label> target = SyntheticImages.dataset(40, 3, 8, TestSeeds.of(2));
        PeftModel model = new PeftTrainer(new PrefixTuningSpec(AdapterTargets.modules("attn").saving("head"), 2, 0.5, 4),
                new AdamOptimiserFactory(0.02), 1, 16, 5L).train(target, base);
        assertEquals(List.of("base_model.model.blocks.0.attn.prefix_keys", "base_model.model.blocks.0.attn.prefix_values"),
                model.adapterTensors("default").keySet().stream().filter(k -> k.contains("prefix")).sorted().toList());
        String provenance = model.getProvenance().toString();
        assertTrue(provenance.contains("PrefixTuningSpec"), provenance);
        assertEquals(target.size(), model.predict(target).size());
        IllegalStateException e = assertThrows(IllegalStateException.class, model::merge);
        assertTrue(e.getMessage().contains("adapter 'default' cannot be merged") && e.getMessage().contains("softmax"),
                e.getMessage());
    }

    @Test
    public void twoActivePrefixesAtOneLayerAreRefused() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            peft.addAdapter("a", new PrefixTuningSpec(2), OUTPUTS, 7L);
            peft.addAdapter("b", new PrefixTuningSpec(3), OUTPUTS, 8L);
            peft.setActiveAdapters(List.of("a", "b"));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> AdapterContract.forward(peft.network(), AdapterContract.input(TRANSFORMER, 2), 2));
            assertTrue(e.getMessage().contains("two active adapters at layer 'blocks.0.attn' change how its base layer runs"),
                    e.getMessage());
        }
    }

    @Test
    public void rejectsBadSettings() throws Exception {
        PropertyException length = assertThrows(PropertyException.class, () -> new PrefixTuningSpec(0));
        assertTrue(length.getMessage().contains("prefixLength must be a positive integer, found 0"), length.getMessage());
        PropertyException hidden = assertThrows(PropertyException.class,
                () -> new PrefixTuningSpec(AdapterTargets.modules("attn"), 2, 0.02, -1));
        assertTrue(hidden.getMessage().contains("projectionHiddenSize must be 0"), hidden.getMessage());
        PropertyException std = assertThrows(PropertyException.class,
                () -> new PrefixTuningSpec(AdapterTargets.modules("attn"), 2, Double.NaN, 0));
        assertTrue(std.getMessage().contains("initialStd must be non-negative and finite"), std.getMessage());
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            IllegalArgumentException mlp = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new PrefixTuningSpec(AdapterTargets.modules("mlp"), 2, 0.02, 0), OUTPUTS, 1L));
            assertTrue(mlp.getMessage().contains("prefix tuning adapts attention layers, but 'blocks.0.mlp' is a"),
                    mlp.getMessage());
            assertTrue(peft.adapterNames().isEmpty());
            IllegalArgumentException linear = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new PrefixTuningSpec(AdapterTargets.modules("qkv"), 2, 0.02, 0), OUTPUTS, 1L));
            assertTrue(linear.getMessage().contains("cannot adapt a LINEAR layer"), linear.getMessage());
        }
        String json = "{\"peft_type\": \"ATTENTION_PREFIX_TUNING\", \"target_modules\": [\"attn\"], "
                + "\"num_virtual_tokens\": 4, \"prefix_projection\": true, \"encoder_hidden_size\": 0}";
        AdapterFormatException mismatch = assertThrows(AdapterFormatException.class,
                () -> AdapterFiles.parseConfig(json.getBytes(StandardCharsets.UTF_8), "adapter_config.json"));
        assertTrue(mismatch.getMessage().contains("prefix_projection (true) needs a positive encoder_hidden_size"),
                mismatch.getMessage());
        PrefixTuningSpec read = (PrefixTuningSpec) AdapterFiles.parseConfig(json.replace("\"encoder_hidden_size\": 0",
                "\"encoder_hidden_size\": 16").getBytes(StandardCharsets.UTF_8), "adapter_config.json");
        assertEquals(16, read.projectionHiddenSize());
        assertEquals(4, read.prefixLength());
    }

    @Test
    public void exampleConfigurationFitsTheSequenceTransformer() {
        ConfigurationManager cm = new ConfigurationManager(Paths.get("..", "examples", "configs", "peft-prefix-tuning.xml")
                .toString());
        PrefixTuningSpec spec = (PrefixTuningSpec) cm.lookup("adapter");
        assertInstanceOf(PeftTrainer.class, cm.lookup("peft-trainer"));
        NetworkSpec network = (NetworkSpec) cm.lookup("network");
        try (PeftNetwork peft = PeftNetwork.wrap(network.build(5, 1L))) {
            peft.addAdapter("default", spec, 5, 1L);
            peft.setTrainable("default");
            // 2 attention layers of width 64 with l = 8, h = 32: l d + h d + h + 2 d h + 2 d each; the head's copy
            long perLayer = 8 * 64 + 32 * 64 + 32 + 2 * 64 * 32 + 2 * 64;
            assertEquals(2 * perLayer + 64 * 5 + 5, peft.trainableSummary().trainable());
        }
    }
}
