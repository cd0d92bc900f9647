package org.tribuoadapt.peft.diffusekrona;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.SingleLayerNetworks;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;
import static org.tribuoadapt.peft.SingleLayerNetworks.tensor;

public class DiffuseKronASpecTest {

    @Test
    public void updateIsTheScaledKroneckerProduct() {
        // A = [[1, 2]], B = [[3], [4]]: A ⊗ B = [[3, 6], [4, 8]]; s = 0.5 and x = [1, 1] give y = [4.5, 6]
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[4], new float[2]))) {
            peft.addAdapter("a", new DiffuseKronASpec(AdapterTargets.modules("fc"), 1, 2, 0.5), 2, 1L);
            peft.loadAdapterTensors("a", Map.ofEntries(tensor("krona_A", new long[] {1, 2}, 1, 2),
                    tensor("krona_B", new long[] {2, 1}, 3, 4)));
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(new float[] {4.5f, 6}, AdapterContract.forward(peft.network(), new float[] {1, 1}, 1), 1e-6f);
            assertEquals(1, peft.ranks("a").get("fc"));
        }
    }

    @Test
    public void parameterCountIsBothFactors() {
        // fc1 16 -> 12: A [3, 4], B [4, 4]; fc2 12 -> 10: A [2, 3], B [5, 4]
        assertEquals((12 + 16) + (6 + 20), AdapterContract.trainableCount(new DiffuseKronASpec(AdapterTargets.allLinear(), 0, 0, 1.0),
                MLP, MLP_OUTPUTS));
        // configured: fc1 with a1 = 2, a2 = 4: A [2, 4], B [6, 4]
        assertEquals(8 + 24, AdapterContract.trainableCount(new DiffuseKronASpec(AdapterTargets.modules("fc1"), 2, 4, 1.0),
                MLP, MLP_OUTPUTS));
        // conv2 3 -> 4, 3x3: A [2, 1], B [2, 3, 3, 3]
        assertEquals(2 + 54, AdapterContract.trainableCount(new DiffuseKronASpec(AdapterTargets.modules("conv2"), 0, 0, 1.0),
                CNN, CNN_OUTPUTS));
    }

    @Test
    public void startsAsANoOpAndMergesExactly() {
        float[] x = AdapterContract.input(CNN, 2);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 2);
            peft.addAdapter("a", new DiffuseKronASpec(AdapterTargets.modules("conv1", "conv2", "fc1"), 0, 0, 1.0),
                    CNN_OUTPUTS, 1L);
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 2), 1e-6f);
        }
        AdapterContract.assertMergeEqualsUnmerged(new DiffuseKronASpec(AdapterTargets.allLinear(), 0, 0, 0.5), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new DiffuseKronASpec(AdapterTargets.modules("conv1", "conv2", "head"), 0, 0, 2.0),
                CNN, CNN_OUTPUTS);
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        DiffuseKronASpec spec = new DiffuseKronASpec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), 0, 0, 1.0);
        AdapterContract.assertOnlyAdapterTrains(spec, CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(spec, CNN, CNN_OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(spec);
    }

    @Test
    public void rejectsFactorsThatDoNotDivide() {
        assertTrue(assertThrows(PropertyException.class, () -> new DiffuseKronASpec(AdapterTargets.modules("fc1"), -2, 0, 1.0))
                .getMessage().contains("outFactor must be 0 (near the square root) or positive, found -2"));
        assertTrue(assertThrows(PropertyException.class, () -> new DiffuseKronASpec(AdapterTargets.modules("fc1"), 0, 0, -1))
                .getMessage().contains("scale must be positive and finite, found -1.0"));
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new DiffuseKronASpec(AdapterTargets.modules("fc1"), 5, 0, 1.0), MLP_OUTPUTS, 1L));
            assertTrue(e.getMessage().contains("DiffuseKronA at 'fc1': outFactor 5 does not divide the layer's 12 outputs"),
                    e.getMessage());
        }
    }
}
