package org.tribuoadapt.peft.zeroi2v;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.Network;
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
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.PeftTrainer;
import org.tribuoadapt.peft.SingleLayerNetworks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ZeroI2VSpecTest {

    /** Sequences of 3 tokens of width 3, model width 4, two blocks with 2 heads, feed-forward width 6. */
    private static final NetworkSpec TRANSFORMER = TransformerSpec.forSequences(9, 3, 4, 2, 2, 6);
    private static final int OUTPUTS = 3;

    /** fc = Linear(3, 2): W = [[1, 2, 0], [0, -1, 3]], b = [0.5, -0.5]. */
    private static final float[] W = {1, 2, 0, 0, -1, 3};
    private static final float[] B = {0.5f, -0.5f};
    private static final float[] X = {1, -2, 0.5f, 0.25f, 1, -1};

    /** The adapter's tensors, r = 1, for an adapted width w: D = [1, -1, 0...], b_D = 0.5, U = [2, 1, 0...], b_U = 0.1. */
    private static Map<String, TensorData> tensors(int w) {
        float[] down = new float[w];
        down[0] = 1;
        down[1] = -1;
        float[] up = new float[w];
        up[0] = 2;
        up[1] = 1;
        float[] upBias = new float[w];
        Arrays.fill(upBias, 0.1f);
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : List.of(
                SingleLayerNetworks.tensor("adapter_down.weight", new long[] {1, w}, down),
                SingleLayerNetworks.tensor("adapter_down.bias", new long[] {1}, 0.5f),
                SingleLayerNetworks.tensor("adapter_up.weight", new long[] {w, 1}, up),
                SingleLayerNetworks.tensor("adapter_up.bias", new long[] {w}, upBias))) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** {@code g(z) = z + s ((z . D + b_D) U + b_U)} for the adapter of {@link #tensors}. */
    private static double[] g(double[] z, double s) {
        double hidden = z[0] - z[1] + 0.5;
        double[] out = z.clone();
        out[0] += s * (2 * hidden + 0.1);
        out[1] += s * (hidden + 0.1);
        for (int i = 2; i < out.length; i++) {
            out[i] += s * 0.1;
        }
        return out;
    }

    private static double[] fc(double[] x) {
        return new double[] {W[0] * x[0] + W[1] * x[1] + W[2] * x[2] + B[0], W[3] * x[0] + W[4] * x[1] + W[5] * x[2] + B[1]};
    }

    @Test
    public void handComputedBeforeAndAfterTheLayerAndMerged() {
        double s = 0.5;
        for (LinearAdapterPlacement placement : LinearAdapterPlacement.values()) {
            boolean after = placement == LinearAdapterPlacement.AFTER;
            ZeroI2VSpec spec = new ZeroI2VSpec(AdapterTargets.modules("fc"), after ? List.of("fc") : List.of(), 1, s, 0.1);
            try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(W, B))) {
                peft.addAdapter("a", spec, 2, 1L);
                assertEquals(placement, assertInstanceOf(LinearAdapterModule.class, peft.modules("a").get("fc")).placement());
                peft.loadAdapterTensors("a", tensors(after ? 2 : 3));
                peft.setActiveAdapters(List.of("a"));
                float[] expected = new float[4];
                for (int row = 0; row < 2; row++) {
                    double[] x = {X[3 * row], X[3 * row + 1], X[3 * row + 2]};
                    double[] y = after ? g(fc(x), s) : fc(g(x, s));
                    expected[2 * row] = (float) y[0];
                    expected[2 * row + 1] = (float) y[1];
                }
                AdapterContract.assertClose(expected, AdapterContract.forward(peft.network(), X, 2), 1e-6, placement.toString());
                peft.merge();
                AdapterContract.assertClose(expected, AdapterContract.forward(peft.network(), X, 2), 1e-5,
                        "merged " + placement);
            }
        }
    }

    @Test
    public void startsEqualToTheBaseAndMergesIntoIt() {
        float[] x = AdapterContract.input(TRANSFORMER, 5);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 5);
            peft.addAdapter("a", new ZeroI2VSpec(2), OUTPUTS, 7L);
            peft.setActiveAdapters(List.of("a"));
            Map<String, AdapterModule> modules = peft.modules("a");
            assertEquals(List.of("blocks.0.attn.qkv", "blocks.0.attn.proj", "blocks.0.mlp.fc1", "blocks.0.mlp.fc2"),
                    modules.keySet().stream().filter(k -> k.startsWith("blocks.0.")).toList());
            assertEquals(LinearAdapterPlacement.BEFORE, ((LinearAdapterModule) modules.get("blocks.1.attn.qkv")).placement());
            assertEquals(LinearAdapterPlacement.AFTER, ((LinearAdapterModule) modules.get("blocks.1.attn.proj")).placement());
            assertEquals(LinearAdapterPlacement.BEFORE, ((LinearAdapterModule) modules.get("blocks.1.mlp.fc1")).placement());
            assertEquals(LinearAdapterPlacement.AFTER, ((LinearAdapterModule) modules.get("blocks.1.mlp.fc2")).placement());
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 5));
        }
        AdapterContract.assertMergeEqualsUnmerged(new ZeroI2VSpec(2), TRANSFORMER, OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new ZeroI2VSpec(AdapterTargets.modules("fc1", "fc2"), List.of("fc1"), 3,
                2.0, 0.0), AdapterContract.MLP, AdapterContract.MLP_OUTPUTS);
    }

    @Test
    public void parameterCounts() {
        // per block: qkv (before, width 4), proj (after, 4), fc1 (before, 4), fc2 (after, 4): 2 r w + r + w each
        int r = 2;
        assertEquals(2 * 4 * (2 * r * 4 + r + 4), AdapterContract.trainableCount(new ZeroI2VSpec(r), TRANSFORMER, OUTPUTS));
        // after fc1 (16 -> 12) the width is 12
        assertEquals(2 * r * 12 + r + 12, AdapterContract.trainableCount(new ZeroI2VSpec(AdapterTargets.modules("fc1"),
                List.of("fc1"), r, 1.0, 0.0), AdapterContract.MLP, AdapterContract.MLP_OUTPUTS));
    }

    @Test
    public void onlyTheAdaptersTrainAndTheyRoundTrip(@TempDir Path dir) throws Exception {
        AdapterContract.assertOnlyAdapterTrains(new ZeroI2VSpec(2), TRANSFORMER, OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(new ZeroI2VSpec(AdapterTargets.modules("qkv", "proj", "fc1", "fc2")
                .saving("head"), List.of("proj", "fc2"), 3, 0.5, 0.1), TRANSFORMER, OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(new ZeroI2VSpec(2));
        String provenance = new ZeroI2VSpec(2).getProvenance().toString();
        assertTrue(provenance.contains("afterModules") && provenance.contains("bottleneckSize")
                && provenance.contains("scaling") && provenance.contains("dropout"), provenance);
    }

    @Test
    public void trainedModelMergesIntoAPlainNetworkWithTheSamePredictions() {
        TransformerSpec net = TransformerSpec.forSequences(64, 8, 8, 1, 2, 16);
        NetworkModel base = new NetworkTrainer(net, new AdamOptimiserFactory(0.01), 1, 32, TestSeeds.of(1))
                .train(SyntheticImages.dataset(60, 3, 8, TestSeeds.of(1)));
        MutableDataset<Label> target = SyntheticImages.dataset(40, 3, 8, TestSeeds.of(2));
        PeftModel model = new PeftTrainer(new ZeroI2VSpec(AdapterTargets.modules("qkv", "proj", "fc1", "fc2").saving("head"),
                List.of("proj", "fc2"), 2, 0.5, 0.1), new AdamOptimiserFactory(0.02), 1, 16, 5L).train(target, base);
        String provenance = model.getProvenance().toString();
        assertTrue(provenance.contains("ZeroI2VSpec") && provenance.contains("afterModules"), provenance);
        NetworkModel merged = model.merge();
        List<Prediction<Label>> adapted = model.predict(target);
        List<Prediction<Label>> plain = merged.predict(target);
        int i = 0;
        for (Example<Label> example : target) {
            for (Label label : adapted.get(i).getOutputScores().values()) {
                double other = plain.get(i).getOutputScores().get(label.getLabel()).getScore();
                assertEquals(label.getScore(), other, 1e-5, "example " + i + " label " + label.getLabel());
            }
            i++;
        }
        assertEquals(target.size(), i);
    }

    @Test
    public void rejectsBadSettings() throws Exception {
        PropertyException size = assertThrows(PropertyException.class, () -> new ZeroI2VSpec(0));
        assertTrue(size.getMessage().contains("bottleneckSize must be a positive integer, found 0"), size.getMessage());
        PropertyException scaling = assertThrows(PropertyException.class, () -> new ZeroI2VSpec(
                AdapterTargets.modules("fc1"), List.of(), 2, Double.POSITIVE_INFINITY, 0.0));
        assertTrue(scaling.getMessage().contains("scaling must be positive and finite"), scaling.getMessage());
        PropertyException dropout = assertThrows(PropertyException.class, () -> new ZeroI2VSpec(
                AdapterTargets.modules("fc1"), List.of(), 2, 1.0, 1.0));
        assertTrue(dropout.getMessage().contains("dropout must be in [0, 1)"), dropout.getMessage());
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, OUTPUTS))) {
            IllegalArgumentException branch = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new ZeroI2VSpec(AdapterTargets.modules("attn"), List.of(), 2, 1.0, 0.0), OUTPUTS, 1L));
            assertTrue(branch.getMessage().contains("cannot adapt a RESIDUAL_BRANCH layer"), branch.getMessage());
        }
        String json = "{\"peft_type\": \"ZEROI2V_LINEAR_ADAPTER\", \"target_modules\": [\"qkv\", \"fc2\"], "
                + "\"after_modules\": [\"fc2\"], \"bottleneck_size\": 5, \"scaling\": 0.25}";
        ZeroI2VSpec read = (ZeroI2VSpec) AdapterFiles.parseConfig(json.getBytes(StandardCharsets.UTF_8), "adapter_config.json");
        assertEquals(5, read.bottleneckSize());
        assertEquals(0.25, read.scaling());
        assertEquals(LinearAdapterPlacement.AFTER, read.placementOf("blocks.0.mlp.fc2"));
        assertEquals(LinearAdapterPlacement.BEFORE, read.placementOf("blocks.0.attn.qkv"));
    }

    @Test
    public void exampleConfigurationFitsTheSequenceTransformer() {
        ConfigurationManager cm = new ConfigurationManager(Paths.get("..", "examples", "configs", "peft-zeroi2v.xml").toString());
        ZeroI2VSpec spec = (ZeroI2VSpec) cm.lookup("adapter");
        assertInstanceOf(PeftTrainer.class, cm.lookup("peft-trainer"));
        NetworkSpec network = (NetworkSpec) cm.lookup("network");
        try (Network built = network.build(5, 1L); PeftNetwork peft = PeftNetwork.wrap(built)) {
            peft.addAdapter("default", spec, 5, 1L);
            peft.setTrainable("default");
            // 2 blocks; r = 16: qkv, proj and fc1 at width 64 and fc2 after (width 64): 2 r w + r + w each; the head's copy
            long perLayer = 2 * 16 * 64 + 16 + 64;
            assertEquals(2 * 4 * perLayer + 64 * 5 + 5, peft.trainableSummary().trainable());
        }
    }
}
