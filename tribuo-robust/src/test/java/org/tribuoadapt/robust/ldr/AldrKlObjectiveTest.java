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
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuo.test.Helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class AldrKlObjectiveTest {

    private static final float[] LOGITS = {2.0f, -1.0f, 0.5f, 0.0f, 1.5f, -0.5f};
    private static final long[] LABELS = {0, 2};
    private static final int[] Y = {0, 2};

    private static double[] margins(int example, double c) {
        double[] z = new double[3];
        for (int k = 0; k < 3; k++) {
            z[k] = (k == Y[example] ? 0 : c) + LOGITS[3 * example + k] - LOGITS[3 * example + Y[example]];
        }
        return z;
    }

    /** {lambda_i, loss}: the alternating closed forms, then LDR-KL at lambda_i minus the pull, in doubles. */
    private static double[] reference(int example, double lambda0, double alpha, double c, int steps) {
        double[] z = margins(example, c);
        double logK = Math.log(3);
        double lambda = lambda0;
        for (int s = 0; s < steps; s++) {
            lambda = lambda0 * (1 - kl(z, lambda) / (alpha * logK));
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v / lambda);
        }
        return new double[] {lambda, lambda * Math.log(sum / 3) - alpha * logK / (2 * lambda0) * Math.pow(lambda - lambda0, 2)};
    }

    private static double[] softmax(double[] z, double lambda) {
        double[] p = new double[z.length];
        double sum = 0;
        for (int k = 0; k < z.length; k++) {
            p[k] = Math.exp(z[k] / lambda);
            sum += p[k];
        }
        for (int k = 0; k < z.length; k++) {
            p[k] /= sum;
        }
        return p;
    }

    private static double kl(double[] z, double lambda) {
        double out = 0;
        for (double q : softmax(z, lambda)) {
            out += q * Math.log(z.length * q);
        }
        return out;
    }

    private static float[] losses(AldrKlObjective loss) {
        try (NDManager m = DjlRuntime.newManager()) {
            return loss.perExample(m.create(LOGITS, new Shape(2, 3)), m.create(LABELS)).toFloatArray();
        }
    }

    private static float[] lambdas(AldrKlObjective loss) {
        try (NDManager m = DjlRuntime.newManager()) {
            return loss.lambdas(m.create(LOGITS, new Shape(2, 3)), m.create(LABELS)).toFloatArray();
        }
    }

    @Test
    public void followsTheAlternatingClosedForms() {
        // one step by hand, example 2 (f = (0, 1.5, -0.5), y = 2, c = 0.5, lambda_0 = 1, alpha = 2):
        // z = (1, 2.5, 0), p = softmax(z), lambda_1 = 1 - KL(p, u) / (2 log 3) = 0.80949, loss = 1.71998
        AldrKlObjective oneStep = new AldrKlObjective(1.0, 2.0, 0.5, 1);
        assertEquals(0.8094914, lambdas(oneStep)[1], 1e-5);
        assertEquals(1.7199753, losses(oneStep)[1], 1e-5);
        for (int steps : new int[] {1, 5}) {
            AldrKlObjective loss = new AldrKlObjective(0.7, 3.0, 0.5, steps);
            float[] out = losses(loss);
            float[] lambda = lambdas(loss);
            for (int i = 0; i < 2; i++) {
                double[] expected = reference(i, 0.7, 3.0, 0.5, steps);
                assertEquals(expected[0], lambda[i], 1e-5, "lambda " + i + " after " + steps);
                assertEquals(expected[1], out[i], 1e-5, "loss " + i + " after " + steps);
            }
        }
    }

    @Test
    public void lambdaDecreasesToAFixedPointInsideItsRange() {
        float[] one = lambdas(new AldrKlObjective(1.0, 2.0, 1.0, 1));
        float[] five = lambdas(new AldrKlObjective(1.0, 2.0, 1.0, 5));
        float[] converged = lambdas(new AldrKlObjective(1.0, 2.0, 1.0, 300));
        for (int i = 0; i < 2; i++) {
            assertTrue(one[i] <= 1.0 && five[i] <= one[i] && converged[i] <= five[i] && converged[i] > 0.5,
                    one[i] + " " + five[i] + " " + converged[i]);
            double lambda = converged[i];
            assertEquals(1.0 - kl(margins(i, 1.0), lambda) / (2.0 * Math.log(3)), lambda, 1e-5, "fixed point " + i);
        }
    }

    @Test
    public void limitsAreLdrKlTheMeanMarginAndTheMax() {
        // alpha -> infinity: lambda_i = lambda_0, the LDR-KL loss
        float[] fixed = losses(new AldrKlObjective(0.7, 1e9, 0.5, 5));
        float[] ldr;
        try (NDManager m = DjlRuntime.newManager()) {
            ldr = new LdrKlObjective(0.7, 0.5).perExample(m.create(LOGITS, new Shape(2, 3)), m.create(LABELS)).toFloatArray();
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(ldr[i], fixed[i], 1e-5);
        }
        float[] large = losses(new AldrKlObjective(1e3, 2.0, 1.0, 5));
        float[] small = losses(new AldrKlObjective(0.01, 2.0, 1.0, 5));
        for (int i = 0; i < 2; i++) {
            double[] z = margins(i, 1.0);
            double mean = (z[0] + z[1] + z[2]) / 3;
            double max = Math.max(z[0], Math.max(z[1], z[2]));
            assertEquals(mean, large[i], 1e-2, "lambda_0 -> infinity, example " + i);
            assertEquals(max, small[i], 2e-2, "lambda_0 -> 0, example " + i);
        }
    }

    @Test
    public void gradientIsTheWorstCaseWeightsMinusTheLabel() {
        AldrKlObjective loss = new AldrKlObjective(0.8, 2.5, 1.0, 5);
        float[] lambda = lambdas(loss);
        try (NDManager m = DjlRuntime.newManager()) {
            NDArray logits = m.create(LOGITS, new Shape(2, 3));
            logits.setRequiresGradient(true);
            try (GradientMode recording = GradientMode.enabled()) {
                GradientMode.backward(loss.perExample(logits, m.create(LABELS)).sum());
            }
            float[] gradient = logits.getGradient().toFloatArray();
            for (int i = 0; i < 2; i++) {
                double[] p = softmax(margins(i, 1.0), lambda[i]);
                double rowSum = 0;
                for (int k = 0; k < 3; k++) {
                    assertEquals(p[k] - (k == Y[i] ? 1 : 0), gradient[3 * i + k], 1e-5, "d loss_" + i + " / d f_" + k);
                    rowSum += gradient[3 * i + k];
                }
                assertEquals(0.0, rowSum, 1e-6);
            }
        }
    }

    @Test
    public void trainsANetworkAndIsRecordedInItsProvenance() {
        MutableDataset<Label> train = SyntheticImages.dataset(300, 3, 8, TestSeeds.of(31));
        NetworkTrainer trainer = new NetworkTrainer(new MLPSpec(64, new int[] {16}, Activation.RELU, 0.0),
                new AdamOptimiserFactory(0.01), 10, 32, TestSeeds.of(32)).withObjective(new AldrKlObjective(1.0, 2.0, 1.0, 5));
        NetworkModel model = trainer.train(train);
        double accuracy = new LabelEvaluator().evaluate(model, SyntheticImages.dataset(100, 3, 8, TestSeeds.of(33)))
                .accuracy();
        assertTrue(accuracy > 0.6, "accuracy " + accuracy);
        ConfiguredObjectProvenance objective = (ConfiguredObjectProvenance) model.getProvenance().getTrainerProvenance()
                .getConfiguredParameters().get("objective");
        assertEquals("2.0", objective.getConfiguredParameters().get("alpha").toString());
        assertEquals("5", objective.getConfiguredParameters().get("lambdaSteps").toString());
        Helpers.testConfigurableRoundtrip(new AldrKlObjective(0.5, 4.0, 0.2, 3));
    }

    @Test
    public void rejectsImpossibleSettings() {
        assertTrue(assertThrows(PropertyException.class, () -> new AldrKlObjective(0.0, 2.0, 1.0, 1)).getMessage()
                .contains("lambda must be positive"));
        assertTrue(assertThrows(PropertyException.class, () -> new AldrKlObjective(1.0, 1.0, 1.0, 1)).getMessage()
                .contains("alpha must be finite and > 1"));
        assertTrue(assertThrows(PropertyException.class, () -> new AldrKlObjective(1.0, Double.NaN, 1.0, 1)).getMessage()
                .contains("alpha must be finite and > 1"));
        assertTrue(assertThrows(PropertyException.class, () -> new AldrKlObjective(1.0, 2.0, -1.0, 1)).getMessage()
                .contains("margin must be finite and >= 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new AldrKlObjective(1.0, 2.0, 1.0, 0)).getMessage()
                .contains("lambdaSteps must be at least 1"));
        try (NDManager m = DjlRuntime.newManager()) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> new AldrKlObjective(1.0, 2.0, 1.0, 1)
                    .perExample(m.create(new float[] {1f, 2f}, new Shape(2, 1)), m.create(new long[] {0, 0})))
                    .getMessage().contains("at least 2 classes"));
        }
    }
}
