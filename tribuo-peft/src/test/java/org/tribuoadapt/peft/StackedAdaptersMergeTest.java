package org.tribuoadapt.peft;

import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.hydra.HydraSpec;
import org.tribuoadapt.peft.ia3.IA3Spec;
import org.tribuoadapt.peft.lora.LoraInit;
import org.tribuoadapt.peft.lora.LoraSpec;
import org.tribuoadapt.peft.zeroi2v.ZeroI2VSpec;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;

/**
 * Several adapters of different kinds active on the same layers: merging folds each one against the base weight the
 * forward pass uses, so the merged network computes what the stack computes, whatever the order.
 */
public class StackedAdaptersMergeTest {

    private static final AdapterTargets MLP_LAYERS = AdapterTargets.modules("fc1", "fc2");
    private static final AdapterTargets CNN_LAYERS = AdapterTargets.modules("conv1", "conv2", "fc1");

    private static AdapterSpec lora(AdapterTargets targets) {
        return new LoraSpec(targets, 2, 4);
    }

    private static AdapterSpec dora(AdapterTargets targets) {
        return new LoraSpec(targets, 2, 4, 0.0, false, true, LoraInit.DEFAULT, Map.of(), Map.of());
    }

    private static AdapterSpec hydra(AdapterTargets targets) {
        return new HydraSpec(targets, 2, 0.5);
    }

    /** IA3 scaling fc1's (conv1's, ...) outputs and the feed-forward layer's inputs. */
    private static AdapterSpec ia3(AdapterTargets targets, String feedforward) {
        return new IA3Spec(targets, List.of(feedforward));
    }

    /**
     * Adds the adapters, randomises them and checks merged == unmerged with them active in the given order and in the
     * reverse order.
     */
    private static void assertStackMerges(NetworkSpec net, int outputs, AdapterSpec... specs) {
        float[] x = AdapterContract.input(net, 5);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(net, outputs))) {
            String[] names = new String[specs.length];
            for (int i = 0; i < specs.length; i++) {
                names[i] = "s" + i;
                peft.addAdapter(names[i], specs[i], outputs, 7L + i);
                AdapterContract.randomise(peft, names[i], 9L + i);
            }
            List<String> order = Arrays.asList(names);
            assertMergedEqualsUnmerged(peft, net, outputs, x, order);
            List<String> reversed = Arrays.asList(names.clone());
            java.util.Collections.reverse(reversed);
            assertMergedEqualsUnmerged(peft, net, outputs, x, reversed);
        }
    }

    private static void assertMergedEqualsUnmerged(PeftNetwork peft, NetworkSpec net, int outputs, float[] x, List<String> order) {
        peft.setActiveAdapters(order);
        float[] stacked = AdapterContract.forward(peft.network(), x, 5);
        for (String name : order) {
            peft.setActiveAdapters(List.of(name));
            assertFalse(Arrays.equals(stacked, AdapterContract.forward(peft.network(), x, 5)),
                    "the other adapters of " + order + " change the outputs");
        }
        peft.setActiveAdapters(order);
        Map<String, TensorData> merged = peft.mergedStateDict();
        try (Network plain = net.assemble(outputs)) {
            plain.loadStateDict(merged, true);
            AdapterContract.assertClose(stacked, AdapterContract.forward(plain, x, 5), 1e-5, "merged plain network of " + order);
        }
        peft.merge();
        AdapterContract.assertClose(stacked, AdapterContract.forward(peft.network(), x, 5), 1e-5, "merged in place " + order);
        peft.unmerge();
        assertArrayEquals(stacked, AdapterContract.forward(peft.network(), x, 5), "unmerged " + order);
    }

    @Test
    public void loraWithIA3() {
        assertStackMerges(MLP, MLP_OUTPUTS, lora(MLP_LAYERS), ia3(MLP_LAYERS, "fc2"));
        assertStackMerges(CNN, CNN_OUTPUTS, lora(CNN_LAYERS), ia3(CNN_LAYERS, "conv2"));
    }

    @Test
    public void loraWithDora() {
        assertStackMerges(MLP, MLP_OUTPUTS, lora(MLP_LAYERS), dora(MLP_LAYERS));
        assertStackMerges(CNN, CNN_OUTPUTS, lora(CNN_LAYERS), dora(CNN_LAYERS));
    }

    @Test
    public void hydraWithLora() {
        assertStackMerges(MLP, MLP_OUTPUTS, hydra(MLP_LAYERS), lora(MLP_LAYERS));
        assertStackMerges(CNN, CNN_OUTPUTS, hydra(CNN_LAYERS), lora(CNN_LAYERS));
    }

    @Test
    public void weightDependentMethodsTogether() {
        assertStackMerges(MLP, MLP_OUTPUTS, hydra(MLP_LAYERS), dora(MLP_LAYERS));
        assertStackMerges(MLP, MLP_OUTPUTS, dora(MLP_LAYERS), ia3(MLP_LAYERS, "fc2"));
        assertStackMerges(MLP, MLP_OUTPUTS, hydra(MLP_LAYERS), ia3(MLP_LAYERS, "fc1"));
        assertStackMerges(CNN, CNN_OUTPUTS, hydra(CNN_LAYERS), ia3(CNN_LAYERS, "conv2"));
    }

    @Test
    public void twoFeedforwardScalingsAndAThirdAdapter() {
        assertStackMerges(MLP, MLP_OUTPUTS, ia3(MLP_LAYERS, "fc2"), dora(MLP_LAYERS), ia3(MLP_LAYERS, "fc2"));
        assertStackMerges(MLP, MLP_OUTPUTS, ia3(MLP_LAYERS, "fc1"), hydra(MLP_LAYERS), lora(MLP_LAYERS), ia3(MLP_LAYERS, "fc2"));
    }

    /**
     * ZeroI2V's linear adapters, before fc1 and after fc2: with LoRA and IA3, two of them on the same inputs (folded
     * last first), and with DoRA and Hydra, whose merge must see the bias the affine input transform adds.
     */
    @Test
    public void linearAdaptersBeforeAndAfterTheLayers() {
        AdapterSpec zeroI2V = new ZeroI2VSpec(MLP_LAYERS, List.of("fc2"), 2, 0.5, 0.0);
        assertStackMerges(MLP, MLP_OUTPUTS, zeroI2V, lora(MLP_LAYERS), ia3(MLP_LAYERS, "fc1"));
        assertStackMerges(MLP, MLP_OUTPUTS, zeroI2V, new ZeroI2VSpec(MLP_LAYERS, List.of(), 3, 1.0, 0.0));
        assertStackMerges(MLP, MLP_OUTPUTS, ia3(MLP_LAYERS, "fc2"), zeroI2V, dora(MLP_LAYERS));
        assertStackMerges(MLP, MLP_OUTPUTS, hydra(MLP_LAYERS), zeroI2V);
    }
}
