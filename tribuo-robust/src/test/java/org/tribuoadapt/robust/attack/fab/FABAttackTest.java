package org.tribuoadapt.robust.attack.fab;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.robust.attack.AttackGoal;
import org.tribuoadapt.robust.attack.AttackLoss;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.Attacks;
import org.tribuoadapt.robust.attack.NetworkClassifier;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class FABAttackTest {

    private static final int SIZE = 8;

    private static double[] project(AttackNorm norm, float[] x, double[] w, double b) {
        return BoxedHyperplaneProjection.project(norm, x, 0, w, b);
    }

    @Test
    public void linfProjectionMatchesHandComputedSteps() {
        // <w, x> = 1 must rise to 1.5: both values move up by 0.25
        assertArrayEquals(new double[] {0.25, 0.25}, project(AttackNorm.LINF, new float[] {0.5f, 0.5f},
                new double[] {1, 1}, 1.5), 1e-7);
        // from the other side they move down
        assertArrayEquals(new double[] {-0.25, -0.25}, project(AttackNorm.LINF, new float[] {0.5f, 0.5f},
                new double[] {1, 1}, 0.5), 1e-7);
        // the first value can rise only 0.1 before leaving the box, so the second rises 0.3 (not 0.2)
        assertArrayEquals(new double[] {0.1, 0.3}, project(AttackNorm.LINF, new float[] {0.9f, 0.5f},
                new double[] {1, 1}, 1.8), 1e-6);
        // a negative weight moves its value the other way; a zero weight leaves it alone
        assertArrayEquals(new double[] {0.2, -0.2, 0}, project(AttackNorm.LINF, new float[] {0.5f, 0.5f, 0.5f},
                new double[] {1, -1, 0}, 0.4), 1e-6);
        // a hyperplane out of the box's reach: every value goes to its bound
        assertArrayEquals(new double[] {0.5, 0.5}, project(AttackNorm.LINF, new float[] {0.5f, 0.5f},
                new double[] {1, 1}, 3), 1e-7);
        // already on the hyperplane
        assertArrayEquals(new double[] {0, 0}, project(AttackNorm.LINF, new float[] {0.5f, 0.5f},
                new double[] {1, 1}, 1), 0.0);
    }

    @Test
    public void l2ProjectionMatchesHandComputedSteps() {
        // inside the box the step is lambda * w with lambda = 0.5 / |w|^2 = 0.1
        assertArrayEquals(new double[] {0.1, 0.2}, project(AttackNorm.L2, new float[] {0.5f, 0.5f},
                new double[] {1, 2}, 2.0), 1e-7);
        // the second value hits the box at 1.0 (0.1 up, contributing 0.2); the first supplies the remaining 0.4
        assertArrayEquals(new double[] {0.4, 0.1}, project(AttackNorm.L2, new float[] {0.5f, 0.9f},
                new double[] {1, 2}, 2.9), 1e-6);
        // out of reach
        assertArrayEquals(new double[] {-0.5, 0.5}, project(AttackNorm.L2, new float[] {0.5f, 0.5f},
                new double[] {1, -1}, -5), 1e-7);
    }

    @Test
    public void projectionsReachTheHyperplaneWithTheSmallestNormOfRandomBoxedProblems() {
        SplittableRandom rng = new SplittableRandom(TestSeeds.of(31));
        for (AttackNorm norm : AttackNorm.values()) {
            for (int trial = 0; trial < 50; trial++) {
                float[] x = new float[6];
                double[] w = new double[6];
                double wx = 0;
                for (int i = 0; i < 6; i++) {
                    x[i] = (float) rng.nextDouble();
                    w[i] = rng.nextGaussian();
                    wx += w[i] * x[i];
                }
                double b = wx + rng.nextGaussian() * 0.3;
                double[] d = project(norm, x, w, b);
                double reached = 0;
                for (int i = 0; i < 6; i++) {
                    assertTrue(x[i] + d[i] >= -1e-9 && x[i] + d[i] <= 1 + 1e-9);
                    reached += w[i] * (x[i] + d[i]);
                }
                double best = measure(norm, d);
                boolean onPlane = Math.abs(reached - b) < 1e-9;
                // random feasible points of the hyperplane in the box are never closer
                for (int probe = 0; probe < 200 && onPlane; probe++) {
                    double[] other = new double[6];
                    double shift = 0;
                    for (int i = 0; i < 6; i++) {
                        other[i] = d[i] + rng.nextGaussian() * 0.05;
                    }
                    int pivot = rng.nextInt(6);
                    for (int i = 0; i < 6; i++) {
                        shift += w[i] * (x[i] + other[i]);
                    }
                    other[pivot] -= (shift - b) / w[pivot];
                    boolean inBox = true;
                    for (int i = 0; i < 6; i++) {
                        inBox &= x[i] + other[i] >= 0 && x[i] + other[i] <= 1;
                    }
                    if (inBox) {
                        assertTrue(measure(norm, other) >= best - 1e-9, norm + " trial " + trial);
                    }
                }
            }
        }
    }

    private static double measure(AttackNorm norm, double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return norm.measure(f, 0, d.length);
    }

    /** Two classes with z_0 = 0 and z_1 = <v, x> + c: the boundary is a hyperplane. */
    private static LogitNetwork linear(double[] v, double c) {
        return new LogitNetwork() {
            @Override
            public Shape inputShape() {
                return new Shape(v.length);
            }

            @Override
            public NDArray logits(NDArray inputs, ForwardContext context) {
                float[] weights = new float[v.length * 2];
                for (int i = 0; i < v.length; i++) {
                    weights[2 * i + 1] = (float) v[i];
                }
                NDArray w = inputs.getManager().create(weights, new Shape(v.length, 2));
                NDArray bias = inputs.getManager().create(new float[] {0f, (float) c});
                return inputs.matMul(w).add(bias);
            }

            @Override
            public List<Network> networks() {
                return List.of();
            }

            @Override
            public void close() {}
        };
    }

    @Test
    public void onALinearModelFabFindsTheMinimalPerturbation() {
        double[] v = {1, -2, 0.5, 1};
        // at x = 0.5 everywhere <v, x> = 0.25, so z_1 - z_0 = -0.3 and the class is 0
        LogitNetwork model = linear(v, -0.55);
        // the distance to the boundary is 0.3 / |v|_1 under Linf and 0.3 / |v|_2 under L2 (the box is not reached)
        double[][] cases = {{0.3 / 4.5}, {0.3 / 2.5}};
        AttackNorm[] norms = {AttackNorm.LINF, AttackNorm.L2};
        try (NDManager m = DjlRuntime.newManager()) {
            NDArray x = m.create(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, new Shape(1, 4));
            NDArray y = m.create(new long[] {0});
            for (int k = 0; k < 2; k++) {
                double minimal = cases[k][0];
                float[] found = new FABAttack(norms[k], 1.0, 30, 9).perturb(model, x, y, new SplittableRandom(1))
                        .toFloatArray();
                float[] delta = new float[4];
                for (int i = 0; i < 4; i++) {
                    delta[i] = found[i] - 0.5f;
                }
                double distance = norms[k].measure(delta, 0, 4);
                assertTrue(distance >= minimal * (1 - 1e-4) && distance <= minimal * 1.01,
                        norms[k] + ": found " + distance + ", minimal " + minimal);
                try (GradientMode off = GradientMode.disabled()) {
                    assertEquals(1, model.logits(m.create(found, new Shape(1, 4))).argMax(1).getLong(0));
                }
                // below the minimal budget nothing can be found, and the clean input comes back
                assertArrayEquals(x.toFloatArray(), new FABAttack(norms[k], minimal * 0.95, 30, 9)
                        .perturb(model, x, y, new SplittableRandom(1)).toFloatArray(), norms[k].toString());
            }
        }
    }

    @Test
    public void foundExamplesOfATrainedNetworkAreMisclassifiedWithinTheBudget() {
        MutableDataset<Label> train = SyntheticImages.dataset(300, 5, SIZE, TestSeeds.of(21));
        NetworkModel model = new NetworkTrainer(new MLPSpec(SIZE * SIZE, new int[] {32}, Activation.RELU, 0.0),
                new AdamOptimiserFactory(0.01), 10, 32, TestSeeds.of(22)).train(train);
        MutableDataset<Label> test = SyntheticImages.dataset(40, 5, SIZE, TestSeeds.of(24));
        FeatureTensorizer tensorizer = model.tensorizer();
        TensorDataset data = TensorDataset.from(test.getData(), tensorizer, model.getOutputIDInfo());
        double[] budgets = {0.1, 1.0};
        AttackNorm[] norms = {AttackNorm.LINF, AttackNorm.L2};
        try (NetworkClassifier classifier = NetworkClassifier.of(model); NDManager m = DjlRuntime.newManager()) {
            int[] all = Evaluation.range(0, data.size());
            NDArray x = data.features(m, all);
            NDArray y = data.labels(m, all);
            for (int k = 0; k < 2; k++) {
                FABAttack attack = new FABAttack(norms[k], budgets[k], 20, 4);
                NDArray adversarial = attack.perturb(classifier, x, y, new SplittableRandom(TestSeeds.of(25)));
                long[] clean;
                long[] attacked;
                try (GradientMode off = GradientMode.disabled()) {
                    clean = classifier.logits(x).argMax(1).toLongArray();
                    attacked = classifier.logits(adversarial).argMax(1).toLongArray();
                }
                float[] a = adversarial.toFloatArray();
                float[] c = x.toFloatArray();
                int width = SIZE * SIZE;
                int broken = 0;
                for (int i = 0; i < clean.length; i++) {
                    float[] delta = new float[width];
                    for (int j = 0; j < width; j++) {
                        delta[j] = a[i * width + j] - c[i * width + j];
                        assertTrue(a[i * width + j] >= 0f && a[i * width + j] <= 1f);
                    }
                    double distance = norms[k].measure(delta, 0, width);
                    assertTrue(distance <= budgets[k] + 1e-5, norms[k] + " example " + i + " moved " + distance);
                    if (distance > 0) {
                        assertTrue(attacked[i] != y.getLong(i), "a returned perturbation must misclassify");
                        broken += clean[i] == y.getLong(i) ? 1 : 0;
                    }
                }
                assertTrue(broken > 0, norms[k] + ": FAB-T broke no example");
            }
        }
    }

    @Test
    public void refusesWhatItCannotDoAndRoundTrips() {
        assertThrows(PropertyException.class, () -> new FABAttack(AttackNorm.LINF, 0.1, 10, 9, 1, 0.1, 0.9, 0.9));
        assertThrows(PropertyException.class, () -> new FABAttack(AttackNorm.LINF, 0.1, 10, 9, 1, 0.1, 1.05, 1.0));
        assertThrows(PropertyException.class, () -> new FABAttack(AttackNorm.LINF, 0.1, 10, 0));
        assertThrows(PropertyException.class, () -> new FABAttack(AttackNorm.LINF, 0.1, 10, 9, 1, 1.5, 1.05, 0.9));
        try (NDManager m = DjlRuntime.newManager()) {
            LogitNetwork model = linear(new double[] {1, 1}, 0);
            IllegalArgumentException goal = assertThrows(IllegalArgumentException.class, () ->
                    new FABAttack(AttackNorm.L2, 0.1, 5, 9).perturb(model, m.zeros(new Shape(1, 2)), m.create(new long[] {0}),
                            AttackLoss.CROSS_ENTROPY, AttackGoal.MAXIMISE_LOSS, new SplittableRandom(1)));
            assertTrue(goal.getMessage().contains("use APGDAttack"), goal.getMessage());
        }
        FABAttack attack = new FABAttack(AttackNorm.L2, 0.5, 50, 3, 2, 0.05, 1.1, 0.8);
        assertEquals("fab-t-l2-50", attack.name());
        assertEquals(0.25, attack.withEpsilon(0.25).epsilon(), 0.0);
        assertEquals(FABAttack.class, Attacks.type("fab-t"));
        Helpers.testConfigurableRoundtrip(attack);
    }
}
