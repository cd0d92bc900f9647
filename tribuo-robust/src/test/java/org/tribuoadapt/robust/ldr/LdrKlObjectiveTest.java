package org.tribuoadapt.robust.ldr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class LdrKlObjectiveTest {

    private static final float[] LOGITS = {2.0f, -1.0f, 0.5f, 0.0f, 1.5f, -0.5f};
    private static final long[] LABELS = {0, 2};

    /** lambda log((1/K) sum_k exp((c [k != y] + f_k - f_y) / lambda)), in doubles. */
    private static double reference(float[] f, int y, double lambda, double c) {
        double sum = 0;
        for (int k = 0; k < f.length; k++) {
            sum += Math.exp(((k == y ? 0 : c) + f[k] - f[y]) / lambda);
        }
        return lambda * Math.log(sum / f.length);
    }

    private static float[] losses(LdrKlObjective loss) {
        try (NDManager m = DjlRuntime.newManager()) {
            return loss.perExample(m.create(LOGITS, new Shape(2, 3)), m.create(LABELS)).toFloatArray();
        }
    }

    @Test
    public void followsTheClosedForm() {
        float[] out = losses(new LdrKlObjective(0.7, 0.5));
        assertEquals(reference(new float[] {2.0f, -1.0f, 0.5f}, 0, 0.7, 0.5), out[0], 1e-5);
        assertEquals(reference(new float[] {0.0f, 1.5f, -0.5f}, 2, 0.7, 0.5), out[1], 1e-5);
    }

    @Test
    public void specialCasesAreCrossEntropyAndTheHinge() {
        // lambda 1, no margin: the cross-entropy minus log K
        float[] ldr = losses(new LdrKlObjective(1.0, 0.0));
        try (NDManager m = DjlRuntime.newManager()) {
            NDArray logits = m.create(LOGITS, new Shape(2, 3));
            float[] ce = logits.logSoftmax(1).gather(m.create(LABELS).reshape(-1, 1), 1).reshape(-1).neg().toFloatArray();
            for (int i = 0; i < 2; i++) {
                assertEquals(ce[i] - Math.log(3), ldr[i], 1e-5);
            }
            assertEquals(BatchObjective.crossEntropy(logits, m.create(LABELS)).getFloat() - Math.log(3),
                    (ldr[0] + ldr[1]) / 2, 1e-5);
        }
        // lambda -> 0: the Crammer-Singer hinge max_k (c [k != y] + f_k - f_y) (here 1 + 1.5 - (-0.5) = 3 for example 2)
        float[] hinge = losses(new LdrKlObjective(0.01, 1.0));
        assertEquals(3.0, hinge[1], 0.02);
    }

    @Test
    public void trainsANetworkAndIsRecordedInItsProvenance() {
        MutableDataset<Label> train = SyntheticImages.dataset(300, 3, 8, TestSeeds.of(31));
        NetworkTrainer trainer = new NetworkTrainer(new MLPSpec(64, new int[] {16}, Activation.RELU, 0.0),
                new AdamOptimiserFactory(0.01), 10, 32, TestSeeds.of(32)).withObjective(new LdrKlObjective(1.0, 1.0));
        NetworkModel model = trainer.train(train);
        double accuracy = new LabelEvaluator().evaluate(model, SyntheticImages.dataset(100, 3, 8, TestSeeds.of(33)))
                .accuracy();
        assertTrue(accuracy > 0.6, "accuracy " + accuracy);
        ConfiguredObjectProvenance objective = (ConfiguredObjectProvenance) model.getProvenance().getTrainerProvenance()
                .getConfiguredParameters().get("objective");
        assertEquals("1.0", objective.getConfiguredParameters().get("margin").toString());
        Helpers.testConfigurableRoundtrip(new LdrKlObjective(0.5, 0.2));
    }

    @Test
    public void rejectsImpossibleSettings() {
        assertTrue(assertThrows(PropertyException.class, () -> new LdrKlObjective(0.0, 1.0)).getMessage()
                .contains("lambda must be positive"));
        assertTrue(assertThrows(PropertyException.class, () -> new LdrKlObjective(1.0, -0.1)).getMessage()
                .contains("margin must be finite and >= 0"));
    }
}
