package org.tribuoadapt.peft.lora;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;

public class LoraSpecTest {

    private static LoraSpec lora(AdapterTargets targets, int r, double alpha, boolean rs, boolean dora, LoraInit init) {
        return new LoraSpec(targets, r, alpha, 0.0, rs, dora, init, Map.of(), Map.of());
    }

    @Test
    public void parameterCountsFollowTheFormula() {
        // r (in + out) per Linear target
        assertEquals(3 * (16 + 12) + 3 * (12 + 10), AdapterContract.trainableCount(
                new LoraSpec(AdapterTargets.modules("fc1", "fc2"), 3, 6), MLP, MLP_OUTPUTS));
        // DoRA adds one magnitude per output feature; the head to save adds its weight and bias
        assertEquals(3 * (16 + 12) + 12 + 3 * (12 + 10) + 10 + (10 * 4 + 4), AdapterContract.trainableCount(
                lora(AdapterTargets.modules("fc1", "fc2").saving("head"), 3, 6, false, true, LoraInit.DEFAULT), MLP, MLP_OUTPUTS));
        // conv: A is r x in x k x k, B is out x r x 1 x 1
        assertEquals(2 * 1 * 9 + 3 * 2 + 2 * 3 * 9 + 4 * 2, AdapterContract.trainableCount(
                new LoraSpec(AdapterTargets.modules("conv1", "conv2"), 2, 4), CNN, CNN_OUTPUTS));
    }

    @Test
    public void mergedEqualsUnmerged() {
        AdapterContract.assertMergeEqualsUnmerged(new LoraSpec(AdapterTargets.allLinear(), 3, 6), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new LoraSpec(AdapterTargets.modules("conv1", "conv2", "fc1", "head"), 2, 4),
                CNN, CNN_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new LoraSpec(AdapterTargets.modules("fc1", "fc2"), 3, 5, 0.0, true, true,
                LoraInit.GAUSSIAN, Map.of("fc2", 5), Map.of("fc1", 2.0)), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(lora(AdapterTargets.modules("conv1", "conv2"), 2, 4, false, true,
                LoraInit.DEFAULT), CNN, CNN_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(lora(AdapterTargets.modules("conv2", "fc1"), 2, 4, false, false,
                LoraInit.PISSA), CNN, CNN_OUTPUTS);
    }

    @Test
    public void freshAdaptersLeaveTheOutputsUnchanged() {
        for (LoraInit init : new LoraInit[] {LoraInit.DEFAULT, LoraInit.GAUSSIAN, LoraInit.PISSA}) {
            for (boolean dora : new boolean[] {false, true}) {
                LoraSpec spec = lora(AdapterTargets.modules("conv1", "conv2", "head"), 2, 3, false, dora, init);
                float[] x = AdapterContract.input(CNN, 4);
                try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
                    float[] base = AdapterContract.forward(peft.network(), x, 4);
                    peft.addAdapter("a", spec, CNN_OUTPUTS, 3L);
                    peft.setActiveAdapters(List.of("a"));
                    AdapterContract.assertClose(base, AdapterContract.forward(peft.network(), x, 4), 1e-4, init + " dora " + dora);
                }
            }
        }
    }

    @Test
    public void pissaMovesThePrincipalComponentsOutOfTheBaseAndDeletionRestoresIt() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            float[] original = peft.network().parameters().get("fc1.weight").toFloatArray();
            peft.addAdapter("p", lora(AdapterTargets.modules("fc1"), 4, 8, false, false, LoraInit.PISSA), MLP_OUTPUTS, 1L);
            LoraModule module = (LoraModule) peft.modules("p").get("fc1");
            float[] residual = module.target().weight().toFloatArray();
            assertFalse(java.util.Arrays.equals(original, residual), "PiSSA changes the base weight, as in PEFT");
            // W0 = W_res + s B A
            float[] a = module.loraA().toFloatArray();
            float[] b = module.loraB().toFloatArray();
            for (int o = 0; o < 12; o++) {
                for (int i = 0; i < 16; i++) {
                    double sum = residual[o * 16 + i];
                    for (int k = 0; k < 4; k++) {
                        sum += module.scaling() * b[o * 4 + k] * a[k * 16 + i];
                    }
                    assertEquals(original[o * 16 + i], sum, 1e-5);
                }
            }
            // A's rows are orthogonal (scaled right singular vectors)
            for (int p = 0; p < 4; p++) {
                for (int q = p + 1; q < 4; q++) {
                    double dot = 0;
                    for (int i = 0; i < 16; i++) {
                        dot += a[p * 16 + i] * a[q * 16 + i];
                    }
                    assertEquals(0, dot, 1e-4);
                }
            }
            peft.deleteAdapter("p");
            assertArrayEquals(original, peft.network().parameters().get("fc1.weight").toFloatArray());
        }
    }

    @Test
    public void rsLoraAndPatternsSetRankAndScalingPerLayer() {
        LoraSpec spec = new LoraSpec(AdapterTargets.modules("fc1", "fc2"), 4, 8, 0.0, true, false, LoraInit.DEFAULT,
                Map.of("fc2", 9, "fc", 100), Map.of("fc1", 2.0));
        assertEquals(4, spec.rank("fc1"));
        assertEquals(9, spec.rank("fc2"));
        assertEquals(2.0 / Math.sqrt(4), spec.scaling("fc1"), 1e-12);
        assertEquals(8 / Math.sqrt(9), spec.scaling("fc2"), 1e-12);
        assertEquals(9, spec.rank("blocks.0.fc2"), "a key matches a '.key' suffix");
        assertEquals(8.0 / 4, new LoraSpec(AdapterTargets.modules("fc1"), 4, 8).scaling("fc1"), 1e-12);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", spec, MLP_OUTPUTS, 1L);
            assertEquals(Map.of("fc1", 4, "fc2", 9), peft.ranks("a"));
        }
    }

    @Test
    public void onlyTheAdapterTrains() {
        AdapterContract.assertOnlyAdapterTrains(new LoraSpec(AdapterTargets.modules("fc1", "fc2").saving("head"), 2, 4),
                MLP, MLP_OUTPUTS);
        AdapterContract.assertOnlyAdapterTrains(new LoraSpec(AdapterTargets.modules("conv1", "conv2", "fc1"), 2, 4, 0.1,
                false, true, LoraInit.DEFAULT, Map.of(), Map.of()), CNN, CNN_OUTPUTS);
    }

    @Test
    public void saveLoadRoundTrip(@TempDir Path dir) throws Exception {
        AdapterContract.assertSaveLoadRoundTrip(new LoraSpec(AdapterTargets.modules("fc1", "fc2").saving("head"), 3, 6, 0.0,
                true, true, LoraInit.DEFAULT, Map.of("fc2", 2), Map.of("fc2", 1.5)), MLP, MLP_OUTPUTS, dir.resolve("mlp"));
        AdapterContract.assertSaveLoadRoundTrip(new LoraSpec(AdapterTargets.pattern("conv\\d").saving("bn2"), 2, 4, 0.0,
                false, true, LoraInit.DEFAULT, Map.of(), Map.of()), CNN, CNN_OUTPUTS, dir.resolve("cnn"));
    }

    @Test
    public void pissaOnConv2dIsRefusedOnSaveBecausePeftCannotLoadIt(@TempDir Path dir) throws Exception {
        // PiSSA on the Linear layers of the CNN saves and loads back
        AdapterContract.assertSaveLoadRoundTrip(lora(AdapterTargets.modules("fc1"), 2, 4, false, false, LoraInit.PISSA),
                CNN, CNN_OUTPUTS, dir.resolve("linear"));
        LoraSpec conv = lora(AdapterTargets.modules("fc1", "conv2"), 2, 4, false, false, LoraInit.PISSA);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            peft.addAdapter("a", conv, CNN_OUTPUTS, 1L);
            Map<String, TensorData> tensors = peft.adapterTensors("a");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AdapterFiles.save(dir.resolve("conv"), conv, tensors));
            assertEquals("PEFT cannot load a PiSSA adapter on Conv2d layer 'conv2': its Conv2d LoRA layer rejects "
                    + "init_lora_weights='pissa'. Save PiSSA adapters that target Linear layers only, or keep this one in "
                    + "a PeftModel", e.getMessage());
            assertFalse(java.nio.file.Files.exists(dir.resolve("conv")), "nothing is written");
            // other initialisations on Conv2d layers save as before
            lora(AdapterTargets.modules("fc1", "conv2"), 2, 4, false, false, LoraInit.GAUSSIAN).requireLoadableByPeft(tensors);
        }
    }

    @Test
    public void peftConfigUsesPeftNames() {
        String json = new LoraSpec(AdapterTargets.modules("fc1").saving("head"), 4, 16, 0.05, true, true, LoraInit.GAUSSIAN,
                Map.of("fc1", 2), Map.of()).toPeftConfig().toString();
        for (String field : new String[] {"\"peft_type\" : \"LORA\"", "\"r\" : 4", "\"lora_alpha\" : 16", "\"lora_dropout\" : 0.05",
                "\"use_rslora\" : true", "\"use_dora\" : true", "\"init_lora_weights\" : \"gaussian\"", "\"target_modules\" : [ \"fc1\" ]",
                "\"modules_to_save\" : [ \"head\" ]", "\"rank_pattern\" : {", "\"bias\" : \"none\""}) {
            assertTrue(json.contains(field), field + " in " + json);
        }
    }

    @Test
    public void configurationAndProvenanceRoundTrip() {
        Helpers.testConfigurableRoundtrip(new LoraSpec(AdapterTargets.modules("fc1", "fc2").saving("head"), 4, 8, 0.1,
                true, true, LoraInit.PISSA, Map.of("fc2", 2), Map.of("fc1", 3.5)));
        Helpers.testConfigurableRoundtrip(new LoraSpec(AdapterTargets.allLinear().excluding("fc2"), 4, 8));
    }

    @Test
    public void targetingFollowsPeftRules() {
        try (Network net = AdapterContract.base(MLP, MLP_OUTPUTS)) {
            Map<String, org.tribuoadapt.core.nn.Layer> layers = net.layers();
            assertEquals(List.of("fc1", "fc2"), AdapterTargets.allLinear().resolve(layers));
            assertEquals(List.of("fc1", "fc2"), AdapterTargets.pattern("fc\\d|head").saving("head").resolve(layers));
            assertEquals(List.of("fc2", "head"), AdapterTargets.pattern("fc2|head").resolve(layers));
            assertEquals(List.of("fc1"), AdapterTargets.allLinear().excluding("fc2").resolve(layers));
            assertEquals(List.of("fc2"), AdapterTargets.modules("fc2").resolve(layers));
        }
    }

    @Test
    public void badSettingsAreRejectedWithClearMessages() {
        PropertyException rank = assertThrows(PropertyException.class, () -> new LoraSpec(AdapterTargets.modules("fc1"), 0, 8));
        assertTrue(rank.getMessage().contains("rank must be a positive integer, found 0"), rank.getMessage());
        PropertyException alpha = assertThrows(PropertyException.class, () -> new LoraSpec(AdapterTargets.modules("fc1"), 4, -1));
        assertTrue(alpha.getMessage().contains("alpha must be positive"), alpha.getMessage());
        PropertyException dropout = assertThrows(PropertyException.class, () -> new LoraSpec(AdapterTargets.modules("fc1"),
                4, 8, 1.5, false, false, LoraInit.DEFAULT, Map.of(), Map.of()));
        assertTrue(dropout.getMessage().contains("dropout must be in [0, 1)"), dropout.getMessage());
        PropertyException pattern = assertThrows(PropertyException.class, () -> new LoraSpec(AdapterTargets.modules("fc1"),
                4, 8, 0, false, false, LoraInit.DEFAULT, Map.of("fc1", -2), Map.of()));
        assertTrue(pattern.getMessage().contains("rankPattern['fc1'] must be a positive integer"), pattern.getMessage());
        IllegalArgumentException regex = assertThrows(IllegalArgumentException.class, () -> AdapterTargets.pattern("fc[1"));
        assertTrue(regex.getMessage().contains("not a valid regular expression"), regex.getMessage());
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> peft.addAdapter("a", new LoraSpec(AdapterTargets.modules("fc9"), 2, 4), MLP_OUTPUTS, 1L));
            assertEquals("target module 'fc9' not found; layers are: fc1, act1, fc2, act2, head", unknown.getMessage());
            IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                    () -> peft.addAdapter("a", new LoraSpec(AdapterTargets.pattern("act1|fc1"), 2, 4), MLP_OUTPUTS, 1L));
            assertTrue(kind.getMessage().startsWith("layer 'act1' (RELU) matches the targets 'act1|fc1', but adapters target "
                    + "Linear and Conv2d layers only"), kind.getMessage());
            IllegalArgumentException save = assertThrows(IllegalArgumentException.class,
                    () -> peft.addAdapter("a", new LoraSpec(AdapterTargets.modules("fc1").saving("classifier"), 2, 4), MLP_OUTPUTS, 1L));
            assertTrue(save.getMessage().startsWith("module to save 'classifier' not found; layers are: fc1"), save.getMessage());
            Map<String, String> layersBefore = new java.util.LinkedHashMap<>();
            peft.network().layers().forEach((k, v) -> layersBefore.put(k, v.describe()));
            float[] fc1Before = peft.network().parameters().get("fc1.weight").toFloatArray();
            IllegalArgumentException pissa = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    lora(AdapterTargets.modules("fc1", "head"), 5, 8, false, false, LoraInit.PISSA), MLP_OUTPUTS, 1L));
            assertTrue(pissa.getMessage().contains("PiSSA at 'head' needs rank <= min(out, in) = 4"), pissa.getMessage());
            // the failed addition changed nothing: fc1's PiSSA residual was undone and no layer was wrapped
            assertArrayEquals(fc1Before, peft.network().parameters().get("fc1.weight").toFloatArray());
            Map<String, String> layersAfter = new java.util.LinkedHashMap<>();
            peft.network().layers().forEach((k, v) -> layersAfter.put(k, v.describe()));
            assertEquals(layersBefore, layersAfter);
            IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                    () -> peft.addAdapter("a.b", new LoraSpec(AdapterTargets.modules("fc1"), 2, 4), MLP_OUTPUTS, 1L));
            assertTrue(name.getMessage().contains("contain no dots"), name.getMessage());
            assertTrue(peft.adapterNames().isEmpty(), "failed additions leave no adapter behind");
            peft.addAdapter("a", new LoraSpec(AdapterTargets.modules("fc1", "head"), 2, 4), MLP_OUTPUTS, 1L);
            assertEquals(List.of("fc1", "head"), peft.targets("a"));
        }
    }

    @Test
    public void tensorsForAnotherBaseAreRejectedNamingTheModuleAndBothShapes() {
        Map<String, TensorData> tensors;
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", new LoraSpec(AdapterTargets.modules("fc1"), 2, 4), MLP_OUTPUTS, 1L);
            tensors = new java.util.LinkedHashMap<>(peft.adapterTensors("a"));
        }
        tensors.put("base_model.model.fc1.lora_A.weight", TensorData.ofFloats(new long[] {2, 20}, new float[40]));
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", new LoraSpec(AdapterTargets.modules("fc1"), 2, 4), MLP_OUTPUTS, 1L);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> peft.loadAdapterTensors("a", tensors));
            assertTrue(e.getMessage().contains("tensor 'base_model.model.fc1.lora_A.weight' has shape [2, 20] but module 'fc1' "
                    + "(Linear(16 -> 12)) needs [2, 16]"), e.getMessage());
            tensors.remove("base_model.model.fc1.lora_A.weight");
            tensors.put("base_model.model.fc7.lora_A.weight", TensorData.ofFloats(new long[] {2, 16}, new float[32]));
            IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> peft.loadAdapterTensors("a", tensors));
            assertTrue(other.getMessage().contains("base_model.model.fc7.lora_A.weight") && other.getMessage().contains("another base")
                    && other.getMessage().contains("lacks tensors [base_model.model.fc1.lora_A.weight]"), other.getMessage());
        }
    }
}
