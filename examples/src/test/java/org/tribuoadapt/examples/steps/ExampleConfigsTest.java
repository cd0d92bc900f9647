package org.tribuoadapt.examples.steps;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.peft.AdapterSpec;
import org.tribuoadapt.peft.PeftTrainer;
import org.tribuoadapt.peft.lora.LoraSpec;
import org.tribuoadapt.tta.da.paretoda.ParetoDaTrainer;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loads the adapter components of the example configurations (the data sources read the examples module's class path,
 * so the steps themselves run in the examples module).
 */
public class ExampleConfigsTest {

    @Test
    public void stepConfigurationBuildsItsAdapterAndTrainers() {
        ConfigurationManager cm = new ConfigurationManager("../examples/configs/peft-step.xml");
        LoraSpec lora = (LoraSpec) cm.lookup("peft-lora");
        assertEquals(8, lora.rank("conv1"));
        assertEquals(4, lora.rank("fc1"));
        assertEquals(2.0, lora.scaling("fc1"), 1e-12);
        assertEquals(List.of("head"), lora.modulesToSave());
        assertTrue(cm.lookup("peft-trainer") instanceof PeftTrainer);
        assertTrue(cm.lookup("peft-trainer-few-shot") instanceof PeftTrainer);
    }

    @Test
    public void methodsConfigurationBuildsEveryAdapter() {
        ConfigurationManager cm = new ConfigurationManager("../examples/configs/peft-methods.xml");
        for (String method : List.of("dora", "pissa", "ia3", "loha", "lokr", "vera")) {
            AdapterSpec spec = (AdapterSpec) cm.lookup("peft-" + method);
            assertEquals(List.of("head"), spec.modulesToSave(), method);
            assertTrue(cm.lookup("peft-trainer-" + method) instanceof PeftTrainer, method);
        }
    }

    @Test
    public void paretoDaConfigurationBuildsItsThreeTrainers() {
        ConfigurationManager cm = new ConfigurationManager("../examples/configs/pareto-da.xml");
        ParetoDaTrainer pareto = (ParetoDaTrainer) cm.lookup("pareto-da");
        assertEquals("GUIDED", pareto.getProvenance().getConfiguredParameters().get("rule").toString());
        assertTrue(cm.lookup("equal-sum").toString().contains("rule=FIXED,fixedWeights=[1.0, 1.0, 1.0]"));
        assertTrue(cm.lookup("source-only").toString().contains("fixedWeights=[1.0, 0.0, 0.0]"));
    }
}
