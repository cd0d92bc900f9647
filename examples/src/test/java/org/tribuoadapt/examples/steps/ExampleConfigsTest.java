package org.tribuoadapt.examples.steps;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.hpo.search.objective.ConfigObjective;
import org.tribuoadapt.peft.AdapterSpec;
import org.tribuoadapt.peft.PeftTrainer;
import org.tribuoadapt.peft.lora.LoraSpec;
import org.tribuoadapt.tta.da.paretoda.ParetoDaTrainer;
import org.tribuoadapt.robust.blackvip.BlackVipTrainer;
import org.tribuoadapt.robust.blackvip.CoordinatorSpec;
import org.tribuoadapt.robust.blackvip.SpsaGcOptimiser;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
    public void architectureConfigurationTakesBothSearchSpaces() {
        Path config = Path.of("../examples/configs/hpo-architecture.xml");
        ConfigObjective mlp = new ConfigObjective(config, "mlp-trainer", "train-source", "valid-source",
                ConfigObjective.Metric.ACCURACY, List.of("mlp.hiddenSizes=list:1:3:int:16:512:log",
                "mlp.activation=categorical:RELU,GELU,TANH", "adam.learningRate=float:1e-4:1e-2:log"));
        assertEquals(List.of("mlp.hiddenSizes", "mlp.activation", "adam.learningRate"), List.copyOf(mlp.space().properties()));
        ConfigObjective vit = new ConfigObjective(config, "vit-trainer", "train-source", "valid-source",
                ConfigObjective.Metric.ACCURACY, List.of("vit.depth=int:1:3",
                "vit.layerHeads=list:length=vit.depth:categorical:1,2,4",
                "vit.layerMlpDims=list:length=vit.depth:int:16:128:log", "adam.learningRate=float:1e-4:1e-2:log"));
        // a depth-2 trial's lists reach the Transformer as its per-block heads and widths
        NetworkTrainer trainer = (NetworkTrainer) vit.trainer(Map.of("vit.depth", 2L, "vit.layerHeads[0]", "4",
                "vit.layerHeads[1]", "1", "vit.layerMlpDims[0]", 16L, "vit.layerMlpDims[1]", 99L));
        assertTrue(trainer.toString().contains("depth=2,heads=2,mlpDim=64,dropout=0.0,layerHeads=[4, 1],layerMlpDims=[16, 99]"),
                trainer.toString());
    }

    @Test
    public void paretoDaConfigurationBuildsItsThreeTrainers() {
        ConfigurationManager cm = new ConfigurationManager("../examples/configs/pareto-da.xml");
        ParetoDaTrainer pareto = (ParetoDaTrainer) cm.lookup("pareto-da");
        assertEquals("GUIDED", pareto.getProvenance().getConfiguredParameters().get("rule").toString());
        assertTrue(cm.lookup("equal-sum").toString().contains("rule=FIXED,fixedWeights=[1.0, 1.0, 1.0]"));
        assertTrue(cm.lookup("source-only").toString().contains("fixedWeights=[1.0, 0.0, 0.0]"));
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
