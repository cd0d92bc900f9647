package org.tribuoadapt.examples;

import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.contrastive.ContrastiveTrainer;
import org.tribuoadapt.core.contrastive.GlobalContrastiveObjective;
import org.tribuoadapt.core.contrastive.ViewAugmentation;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftTrainer;
import org.tribuoadapt.peft.lora.LoraSpec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An encoder pre-trained by iSogCLR (core) is the frozen base of a LoRA adapter (tribuo-peft): the two modules meet
 * only here, in the application, as docs/architecture.md requires.
 */
public class ContrastivePeftBaseTest {

    private static final int SIZE = 8;

    @Test
    public void pretrainedEncoderIsAPeftBase() {
        MutableDataset<Label> unlabelled = SyntheticImages.dataset(96, 3, SIZE, TestSeeds.of(21));
        MutableDataset<Label> labelled = SyntheticImages.dataset(90, 3, SIZE, TestSeeds.of(22));
        CNNSpec spec = new CNNSpec(1, SIZE, SIZE, new int[] {4, 8}, true, 2, new int[] {16});
        GlobalContrastiveObjective objective = GlobalContrastiveObjective.isogclr(0.2, 0.9, 0.3, 0.01, 0.9, 0.05, 0.7,
                new ViewAugmentation(1, 0.5, 0.05));
        NetworkModel encoder = new ContrastiveTrainer(spec, new AdamOptimiserFactory(0.01), objective, 8, 2, 32,
                TestSeeds.of(23)).train(unlabelled);
        PeftModel adapted = new PeftTrainer(new LoraSpec(AdapterTargets.modules("fc1").saving("head"), 2, 4),
                new AdamOptimiserFactory(0.02), 3, 16, TestSeeds.of(24)).train(labelled, encoder);
        assertArrayEquals(encoder.weightBytes(), adapted.baseWeightBytes());
        assertEquals(3, adapted.predict(labelled).get(0).getOutputScores().size());
        double[] losses = adapted.history().orElseThrow().stepLosses();
        assertTrue(losses.length > 0 && Double.isFinite(losses[losses.length - 1]));
        Helpers.testModelProtoSerialization(adapted, Label.class, labelled);
    }
}
