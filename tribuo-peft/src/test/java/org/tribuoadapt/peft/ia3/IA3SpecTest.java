package org.tribuoadapt.peft.ia3;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;

public class IA3SpecTest {

    private static IA3Spec mlpSpec() {
        return new IA3Spec(AdapterTargets.modules("fc1", "fc2").saving("head"), List.of("fc2"));
    }

    @Test
    public void parameterCountIsOneValuePerScaledFeature() {
        // fc1 scales its 12 outputs, the feed-forward fc2 its 12 inputs; the head adds 10 x 4 + 4
        assertEquals(12 + 12 + 44, AdapterContract.trainableCount(mlpSpec(), MLP, MLP_OUTPUTS));
        // conv1 scales 3 output channels, conv2 (feed-forward) its 3 input channels
        assertEquals(3 + 3, AdapterContract.trainableCount(new IA3Spec(AdapterTargets.modules("conv1", "conv2"),
                List.of("conv2")), CNN, CNN_OUTPUTS));
    }

    @Test
    public void scalesInputsOfFeedforwardLayersAndOutputsOfOthers() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", mlpSpec(), MLP_OUTPUTS, 1L);
            IA3Module fc1 = (IA3Module) peft.modules("a").get("fc1");
            IA3Module fc2 = (IA3Module) peft.modules("a").get("fc2");
            assertFalse(fc1.isFeedforward());
            assertTrue(fc2.isFeedforward());
            assertEquals("[12, 1]", fc1.peftTensors().get("ia3_l").shape().toString().replace("(", "[").replace(")", "]"));
            assertEquals("[1, 12]", fc2.peftTensors().get("ia3_l").shape().toString().replace("(", "[").replace(")", "]"));
            // scaling fc1's output by 2 and fc2's input by 1/2 cancel exactly through the ReLU between them
            Parameter l1 = fc1.peftTensors().get("ia3_l");
            Parameter l2 = fc2.peftTensors().get("ia3_l");
            float[] base = AdapterContract.forward(peft.network(), AdapterContract.input(MLP, 3), 3);
            float[] two = new float[12];
            float[] half = new float[12];
            java.util.Arrays.fill(two, 2f);
            java.util.Arrays.fill(half, 0.5f);
            l1.assign(two);
            l2.assign(half);
            peft.setActiveAdapters(List.of("a"));
            AdapterContract.assertClose(base, AdapterContract.forward(peft.network(), AdapterContract.input(MLP, 3), 3), 1e-5,
                    "relu(2 z) / 2 = relu(z)");
        }
    }

    @Test
    public void mergedEqualsUnmerged() {
        AdapterContract.assertMergeEqualsUnmerged(mlpSpec(), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new IA3Spec(AdapterTargets.modules("conv1", "conv2", "fc1"), List.of("conv2")),
                CNN, CNN_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new IA3Spec(AdapterTargets.pattern("conv\\d"), List.of(), "conv1", false),
                CNN, CNN_OUTPUTS);
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        AdapterContract.assertOnlyAdapterTrains(mlpSpec(), MLP, MLP_OUTPUTS);
        AdapterContract.assertOnlyAdapterTrains(new IA3Spec(AdapterTargets.modules("conv1", "conv2"), List.of("conv2")), CNN,
                CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(mlpSpec(), MLP, MLP_OUTPUTS, dir.resolve("mlp"));
        AdapterContract.assertSaveLoadRoundTrip(new IA3Spec(AdapterTargets.allLinear(), List.of(), "fc2", true), MLP,
                MLP_OUTPUTS, dir.resolve("pattern"));
        Helpers.testConfigurableRoundtrip(mlpSpec());
    }

    @Test
    public void readsPeftConfigurations() throws Exception {
        String json = "{\"peft_type\": \"IA3\", \"target_modules\": [\"fc1\", \"fc2\"], \"feedforward_modules\": [\"fc2\"], "
                + "\"init_ia3_weights\": true, \"fan_in_fan_out\": false, \"modules_to_save\": null, \"exclude_modules\": null}";
        IA3Spec spec = (IA3Spec) AdapterFiles.parseConfig(json.getBytes(StandardCharsets.UTF_8), "adapter_config.json");
        assertTrue(spec.isFeedforward("fc2"));
        assertFalse(spec.isFeedforward("fc1"));
        assertEquals(List.of("fc1", "fc2"), spec.targets().modules());
    }

    @Test
    public void feedforwardModulesMustBeTargets() {
        PropertyException e = assertThrows(PropertyException.class,
                () -> new IA3Spec(AdapterTargets.modules("fc1"), List.of("fc2")));
        assertTrue(e.getMessage().contains("feedforwardModules must be a subset of the target modules [fc1], found 'fc2'"),
                e.getMessage());
    }
}
