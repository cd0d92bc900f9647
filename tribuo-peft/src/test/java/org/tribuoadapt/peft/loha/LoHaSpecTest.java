package org.tribuoadapt.peft.loha;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.lycoris.LycorisOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;

public class LoHaSpecTest {

    private static LoHaSpec loha(AdapterTargets targets, int r, boolean cp) {
        return new LoHaSpec(targets, new LycorisOptions(r, 2 * r, 0.0, 0.0, cp, Map.of(), Map.of()), true);
    }

    @Test
    public void parameterCountsFollowTheFormula() {
        // 2 r (in + out) per layer
        assertEquals(2 * 3 * (16 + 12) + 2 * 3 * (12 + 10), AdapterContract.trainableCount(
                loha(AdapterTargets.modules("fc1", "fc2"), 3, false), MLP, MLP_OUTPUTS));
        // flattened kernels: 2 r (in k k + out); CP cores: 2 (r r k k + r in + r out)
        assertEquals(2 * 2 * (3 * 9 + 4), AdapterContract.trainableCount(loha(AdapterTargets.modules("conv2"), 2, false),
                CNN, CNN_OUTPUTS));
        assertEquals(2 * (2 * 2 * 9 + 2 * 3 + 2 * 4), AdapterContract.trainableCount(loha(AdapterTargets.modules("conv2"), 2, true),
                CNN, CNN_OUTPUTS));
    }

    @Test
    public void updateIsTheHadamardProductOfTwoLowRankProducts() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", loha(AdapterTargets.modules("head"), 2, false), MLP_OUTPUTS, 1L);
            AdapterContract.randomise(peft, "a", 3L);
            LoHaModule module = (LoHaModule) peft.modules("a").get("head");
            Map<String, Parameter> t = module.peftTensors();
            float[] w1a = t.get("hada_w1_a").toFloatArray();
            float[] w1b = t.get("hada_w1_b").toFloatArray();
            float[] w2a = t.get("hada_w2_a").toFloatArray();
            float[] w2b = t.get("hada_w2_b").toFloatArray();
            try (ai.djl.ndarray.NDManager m = peft.network().manager().newSubManager()) {
                float[] delta = module.deltaWeight(m).toFloatArray();
                for (int o = 0; o < 4; o++) {
                    for (int i = 0; i < 10; i++) {
                        double p1 = 0;
                        double p2 = 0;
                        for (int k = 0; k < 2; k++) {
                            p1 += w1a[o * 2 + k] * w1b[k * 10 + i];
                            p2 += w2a[o * 2 + k] * w2b[k * 10 + i];
                        }
                        assertEquals(p1 * p2 * (4.0 / 2), delta[o * 10 + i], 1e-5);
                    }
                }
            }
        }
    }

    @Test
    public void mergedEqualsUnmergedAndFreshAdaptersAreNoOps() {
        AdapterContract.assertMergeEqualsUnmerged(loha(AdapterTargets.allLinear(), 3, false), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(loha(AdapterTargets.modules("conv1", "conv2", "head"), 2, false), CNN, CNN_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(loha(AdapterTargets.modules("conv1", "conv2"), 2, true), CNN, CNN_OUTPUTS);
        float[] x = AdapterContract.input(CNN, 2);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 2);
            peft.addAdapter("a", loha(AdapterTargets.modules("conv1", "conv2"), 2, true), CNN_OUTPUTS, 1L);
            peft.setActiveAdapters(List.of("a"));
            AdapterContract.assertClose(base, AdapterContract.forward(peft.network(), x, 2), 1e-6, "hada_w2_b = 0");
        }
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        LoHaSpec withDropout = new LoHaSpec(AdapterTargets.modules("conv1", "conv2", "fc1"),
                new LycorisOptions(2, 4, 0.3, 0.2, true, Map.of("conv2", 3), Map.of()), true);
        AdapterContract.assertOnlyAdapterTrains(withDropout, CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(withDropout, CNN, CNN_OUTPUTS, dir.resolve("cnn"));
        AdapterContract.assertSaveLoadRoundTrip(loha(AdapterTargets.allLinear().saving("head"), 2, false), MLP, MLP_OUTPUTS,
                dir.resolve("mlp"));
        Helpers.testConfigurableRoundtrip(withDropout);
    }

    @Test
    public void readsPeftConfigurationsAndRejectsBadValues() throws Exception {
        String json = "{\"peft_type\": \"LOHA\", \"r\": 4, \"alpha\": 6, \"rank_dropout\": 0.0, \"module_dropout\": 0.0, "
                + "\"use_effective_conv2d\": true, \"target_modules\": [\"conv2\"], \"init_weights\": true, "
                + "\"rank_pattern\": {}, \"alpha_pattern\": {}, \"layers_to_transform\": null}";
        LoHaSpec spec = (LoHaSpec) AdapterFiles.parseConfig(json.getBytes(StandardCharsets.UTF_8), "adapter_config.json");
        assertEquals(1.5, spec.scaling("conv2"), 1e-12);
        assertTrue(spec.useEffectiveConv2d());
        assertTrue(assertThrows(PropertyException.class, () -> loha(AdapterTargets.modules("fc1"), 0, false)).getMessage()
                .contains("rank must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new LoHaSpec(AdapterTargets.modules("fc1"),
                LycorisOptions.of(2, 0), true)).getMessage().contains("alpha must be positive"));
        assertTrue(assertThrows(PropertyException.class, () -> new LoHaSpec(AdapterTargets.modules("fc1"),
                new LycorisOptions(2, 2, 1.0, 0, false, Map.of(), Map.of()), true)).getMessage()
                .contains("rankDropout must be in [0, 1)"));
    }
}
