package org.tribuoadapt.peft;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.peft.atlas.AtlasSpec;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loads every {@code examples/configs/peft-<method>.xml} and applies its adapter to the main job's source CNN
 * (1x28x28, channels 32 and 64 with BatchNorm, pooling 2, hidden 128, five classes), checking the targets resolve and
 * the trainable count is the method's formula on that network.
 */
public class SeedMethodConfigsTest {

    private static final CNNSpec SOURCE = new CNNSpec(1, 28, 28, new int[] {32, 64}, true, 2, new int[] {128});
    /** The copy of the head, trained with every method: 128 x 5 weights and 5 biases. */
    private static final long HEAD = 128 * 5 + 5;

    private static Path config(String method) {
        return Paths.get("..", "examples", "configs", "peft-" + method + ".xml");
    }

    @ParameterizedTest
    @CsvSource({
        // conv1 (fan-in 9, 32 out), conv2 (fan-in 288, 64 out), fc1 (3136 -> 128), rp = rs = 4: r (fanIn + 3 out),
        // plus the branch biases, 2 out
        "hydra, 16868",
        // fc1: m = 128, n = 128 / 32 = 4: r n + n m
        "randlora, 640",
        "svfit, 64",
        "loldu, 66",
        // r = 8, rk = 2: conv1 256 + 8 (1 + 32) + 2 (3 * 2) = 532, conv2 256 + 8 (32 + 64) + 12 = 1036, fc1 64 + 8 (3136 + 128)
        "flora, 27744",
        // r = 8: r (fanIn + out + 1), 8 (9 + 32 + 1) + 8 (288 + 64 + 1) + 8 (3136 + 128 + 1)
        "sora, 29280",
        // during the search, LoRA r = 8 on the three candidates plus one logit each: 29256 + 3
        "diffora, 29259",
        // conv1 A [4, 1], B [8, 1, 3, 3]; conv2 A [8, 4], B [8, 8, 3, 3]; fc1 A [8, 56], B [16, 56]
        "diffusekrona, 2028",
        // biases of conv1, bn1, conv2, bn2, fc1
        "bitfit, 320",
        "normtuning, 192",
        // every weight and bias of conv1, bn1, conv2, bn2 and fc1: dense differences during the full phase
        "ltsft, 420544",
        // before the selection SPT's spec masks nothing: every weight and bias of conv1, conv2 and fc1
        "spt, 420352",
        // r = 8, as LoRA: r (fanIn + out), 8 (9 + 32) + 8 (288 + 64) + 8 (3136 + 128)
        "allora, 29256",
        // the dense differences DJL trains: conv2 64 x 32 x 3 x 3 and fc1 128 x 3136 (SaRA tunes the small ones)
        "sara, 419840",
        // fc1, 4 skills of rank 8 in 4 heads: 4 x 8 (3136 + 128), plus the routing logits of 2 tasks, 4 heads, 4 skills
        "poly, 104480"
    })
    public void configuredAdapterFitsTheSourceNetwork(String method, long trainable) {
        ConfigurationManager cm = new ConfigurationManager(config(method).toString());
        AdapterTrainer trainer = assertInstanceOf(AdapterTrainer.class, cm.lookup("peft-trainer"));
        AdapterSpec spec = (AdapterSpec) cm.lookup("adapter");
        Helpers.testConfigurableRoundtrip(spec);
        try (PeftNetwork peft = PeftNetwork.wrap(SOURCE.build(5, 1L))) {
            peft.addAdapter("default", spec, 5, 1L);
            peft.setTrainable("default");
            TrainableSummary summary = peft.trainableSummary();
            assertEquals(trainable + HEAD, summary.trainable(), method + ": " + summary);
        }
        assertTrue(trainer.toString().contains(spec.toString()), trainer.toString());
    }

    @Test
    public void cordaConfigNamesItsCovarianceFile() {
        ConfigurationManager cm = new ConfigurationManager(config("corda").toString());
        LoraSpec spec = (LoraSpec) cm.lookup("adapter");
        assertTrue(spec.toString().contains("initialisation=CORDA") && spec.toString().contains("cordaMethod=KPM"),
                spec.toString());
        try (PeftNetwork peft = PeftNetwork.wrap(SOURCE.build(5, 1L))) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> peft.addAdapter("default", spec, 5, 1L));
            assertTrue(e.getMessage().contains("cannot read the covariance file models/source-covariance.safetensors"),
                    e.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource({"atlas"})
    public void atlasConfigNamesItsFineTunedWeights(String method) {
        ConfigurationManager cm = new ConfigurationManager(config(method).toString());
        AtlasSpec spec = (AtlasSpec) cm.lookup("adapter");
        assertEquals(2, spec.taskCount());
        try (PeftNetwork peft = PeftNetwork.wrap(SOURCE.build(5, 1L))) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> peft.addAdapter("default", spec, 5, 1L));
            assertTrue(e.getMessage().contains("cannot read fine-tuned weights models/source-finetuned-task-a.safetensors"),
                    e.getMessage());
        }
    }
}
