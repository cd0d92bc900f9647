package org.tribuoadapt.core.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class AttentionEntropyTest {

    /** 64 inputs read as 8 tokens of width 8; 2 blocks of 4 heads. */
    private static final TransformerSpec SPEC = TransformerSpec.forSequences(64, 8, 16, 2, 4, 24);
    private static final int TOKENS = 8;

    @Test
    public void uniformAttentionHasEntropyLogT() {
        try (Network network = SPEC.build(3, 1L); NDManager batch = network.manager().newSubManager();
             NDScope scope = new NDScope(); GradientMode off = GradientMode.disabled()) {
            for (String block : List.of("blocks.0", "blocks.1")) {
                // no query or key: every score is 0, so every query attends uniformly to the 8 tokens
                network.layer(block + ".attn.qkv").parameter("weight").array().muli(0);
                network.layer(block + ".attn.qkv").parameter("bias").array().muli(0);
            }
            AttentionEntropy entropy = new AttentionEntropy();
            network.forward(batch.randomUniform(0, 1, new Shape(5, 64)),
                    ForwardContext.inference(batch).withObserver(entropy));
            Map<String, double[]> perHead = entropy.perHead();
            assertEquals(List.of("blocks.0.attn.weights", "blocks.1.attn.weights"), List.copyOf(perHead.keySet()));
            for (double[] heads : perHead.values()) {
                assertEquals(4, heads.length);
                for (double h : heads) {
                    assertEquals(Math.log(TOKENS), h, 1e-5);
                }
            }
            assertEquals(Math.log(TOKENS), entropy.minimum(), 1e-5);
            entropy.reset();
            assertTrue(Double.isNaN(entropy.minimum()));
        }
    }

    @Test
    public void theMonitorRecordsEveryEpochOfTraining() {
        MutableDataset<Label> train = SyntheticImages.dataset(96, 3, 8, TestSeeds.of(51));
        NetworkTrainer trainer = new NetworkTrainer(SPEC, new AdamOptimiserFactory(0.01), 2, 32, TestSeeds.of(52));
        AttentionEntropyMonitor monitor = new AttentionEntropyMonitor(TrainingListener.NONE);
        trainer.setListener(monitor);
        trainer.train(train);
        assertEquals(2, monitor.perEpoch().size());
        for (double minimum : monitor.minimumPerEpoch()) {
            assertTrue(minimum >= 0 && minimum <= Math.log(TOKENS) + 1e-6, "entropy " + minimum);
        }
        assertEquals(2, monitor.perEpoch().get(1).size());
    }
}
