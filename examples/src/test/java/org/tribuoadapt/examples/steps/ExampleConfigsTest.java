package org.tribuoadapt.examples.steps;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.peft.AdapterSpec;
import org.tribuoadapt.peft.PeftTrainer;
import org.tribuoadapt.peft.lora.LoraSpec;
import org.tribuoadapt.robust.blackvip.BlackVipTrainer;
import org.tribuoadapt.robust.blackvip.CoordinatorSpec;
import org.tribuoadapt.robust.blackvip.SpsaGcOptimiser;

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
    public void blackVipConfigurationBuildsItsTrainer() {
        ConfigurationManager cm = new ConfigurationManager("../examples/configs/robust-blackvip.xml");
        BlackVipTrainer trainer = (BlackVipTrainer) cm.lookup("blackvip-trainer");
        var settings = trainer.getProvenance().getConfiguredParameters();
        assertEquals("30", settings.get("epochs").toString());
        assertTrue(settings.get("optimiser").toString().contains("0.003"), settings.get("optimiser").toString());
        assertEquals(28, ((CoordinatorSpec) cm.lookup("coordinator")).height());
        assertTrue(cm.lookup("spsa-gc") instanceof SpsaGcOptimiser);
    }
}
