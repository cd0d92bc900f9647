package org.tribuoadapt.peft.allora;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.SGDOptimiserFactory;
import org.tribuoadapt.core.train.TrainingPlan;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftMethods;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.lora.LoraModule;

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

public class AlloraSpecTest {

    /** An optimiser that moves every value of its parameters by -1, whatever the gradient. */
    private static NetworkOptimiser minusOne(List<Parameter> parameters) {
        return new NetworkOptimiser() {
            @Override
            public void step() {
                for (Parameter p : parameters) {
                    p.copyFrom(p.array().sub(1));
                }
            }

            @Override
            public double learningRate() {
                return 0.5;
            }

            @Override
            public void close() {}
        };
    }

    @Test
    public void eachRowStepsByOneOverTheRootOfInverseEtaPlusItsSquaredNorm() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // rows (3, 4): norm^2 25; (0, 0): 0; (1, 2): 5
            Parameter factor = new Parameter("f", Parameter.Kind.WEIGHT,
                    manager.create(new float[] {3, 4, 0, 0, 1, 2}, new Shape(3, 2)));
            Parameter other = new Parameter("o", Parameter.Kind.WEIGHT, manager.create(new float[] {7, 7}, new Shape(2)));
            double eta = 4;
            try (NetworkOptimiser opt = new RowAdaptiveOptimiser(minusOne(List.of(factor, other)), List.of(factor), eta)) {
                opt.step();
                assertEquals(0.5, opt.learningRate());
            }
            double c0 = 1 / Math.sqrt(0.25 + 25);
            double c1 = 1 / Math.sqrt(0.25);
            double c2 = 1 / Math.sqrt(0.25 + 5);
            assertArrayEquals(new float[] {(float) (3 - c0), (float) (4 - c0), (float) -c1, (float) -c1, (float) (1 - c2),
                    (float) (2 - c2)}, factor.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {6, 6}, other.toFloatArray(), "parameters that are not factors step as usual");
        }
    }

    @Test
    public void isLoraWithoutScalingAndMergesExactly() {
        AlloraSpec spec = new AlloraSpec(AdapterTargets.modules("fc1", "fc2"), 3, 1.0);
        assertEquals(3 * (16 + 12) + 3 * (12 + 10), AdapterContract.trainableCount(spec, MLP, MLP_OUTPUTS));
        AdapterContract.assertMergeEqualsUnmerged(spec, MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new AlloraSpec(AdapterTargets.modules("conv1", "conv2", "fc1"), 2, 0.5),
                CNN, CNN_OUTPUTS);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", spec, MLP_OUTPUTS, 1L);
            LoraModule module = (LoraModule) peft.modules("a").get("fc1");
            assertEquals(1.0, module.scaling());
            for (float b : module.loraB().toFloatArray()) {
                assertEquals(0f, b);
            }
        }
    }

    @Test
    public void onlyTheFactorsTrainAndTheTrainerUsesTheRowRates() {
        AlloraSpec spec = new AlloraSpec(AdapterTargets.modules("fc1", "fc2"), 3, 1.0);
        AdapterContract.assertOnlyAdapterTrains(spec, MLP, MLP_OUTPUTS);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", spec, MLP_OUTPUTS, 1L);
            peft.setTrainable("a");
            TrainingPlan plan = new TrainingPlan(0, 0, 24, 16, 8, 2);
            try (NetworkOptimiser opt = peft.createOptimiser("a", new SGDOptimiserFactory(0.1, 0.0, false, 0.0), plan)) {
                assertTrue(opt instanceof RowAdaptiveOptimiser, opt.getClass().getName());
                assertEquals(0.1, opt.learningRate(), 1e-12);
            }
        }
    }

    @Test
    public void savesLoadsAndRecordsItsOptions(@TempDir Path dir) throws Exception {
        AlloraSpec spec = new AlloraSpec(AdapterTargets.modules("fc1", "conv2").saving("head"), 2, 0.25);
        AdapterContract.assertSaveLoadRoundTrip(spec, CNN, CNN_OUTPUTS, dir);
        assertTrue(PeftMethods.installed().methods().stream().anyMatch(m -> m instanceof AlloraMethod));
        Helpers.testConfigurableRoundtrip(spec);
        Map<String, ?> configured = spec.getProvenance().getConfiguredParameters();
        assertEquals("0.25", configured.get("eta").toString());
        assertEquals("2", configured.get("rank").toString());
        String json = spec.toPeftConfig().toString();
        assertTrue(json.contains("\"peft_type\" : \"ALLORA\"") && json.contains("\"eta\" : 0.25"), json);
        assertThrows(PropertyException.class, () -> new AlloraSpec(AdapterTargets.modules("fc1"), 2, 0.0));
        assertThrows(PropertyException.class, () -> new AlloraSpec(AdapterTargets.modules("fc1"), 0, 1.0));
    }
}
