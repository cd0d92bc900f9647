package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.junit.jupiter.api.Test;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class PaperMixingNetworkTest {

    private static final float[] GAMMAS = {0f, 1f, 2f, 3f, 10f};

    private static double mean(double[] v) {
        return Arrays.stream(v).sum() / v.length;
    }

    private static double unbiasedVariance(double[] v) {
        double m = mean(v);
        return Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1);
    }

    @Test
    public void trainingPassClampsNormalisesWithBatchStatisticsAndUpdatesRunningOnes() {
        try (NDManager manager = DjlRuntime.newManager(); NDScope scope = new NDScope();
             GradientMode off = GradientMode.disabled()) {
            GammaNormalization norm = new GammaNormalization(manager, 0.6, 2.0, 0.4, 2.0, 1.3);
            float[] out = norm.apply(manager.create(GAMMAS, new Shape(5, 1)), ForwardContext.training(manager))
                    .toFloatArray();
            double[] raw = new double[GAMMAS.length];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = GAMMAS[i];
            }
            double half = 0.6 * Math.sqrt(unbiasedVariance(raw));
            double low = mean(raw) - half;
            double high = mean(raw) + half;
            double[] clamped = Arrays.stream(raw).map(x -> Math.min(high, Math.max(low, x))).toArray();
            assertEquals(1, Arrays.stream(clamped).filter(x -> x == low).count(), "only 0 falls below " + low);
            assertEquals(high, clamped[4], 1e-12, "10 is clamped to " + high);
            double m = mean(clamped);
            double biased = unbiasedVariance(clamped) * (clamped.length - 1) / clamped.length;
            for (int i = 0; i < out.length; i++) {
                double expected = (clamped[i] - m) / Math.sqrt(biased + GammaNormalization.EPS) * 2.0 + 0.4;
                assertEquals(expected, out[i], 1e-4, "gamma " + i);
            }
            assertEquals(0.01 * m, norm.parameter("running_mean").array().toFloatArray()[0], 1e-5);
            double runningVar = 0.99 + 0.01 * unbiasedVariance(clamped);
            assertEquals(runningVar, norm.parameter("running_var").array().toFloatArray()[0], 1e-5);

            float[] eval = norm.apply(manager.create(GAMMAS, new Shape(5, 1)), ForwardContext.inference(manager))
                    .toFloatArray();
            for (int i = 0; i < eval.length; i++) {
                double expected = (GAMMAS[i] - 0.01 * m) / Math.sqrt(runningVar + GammaNormalization.EPS) * 2.0 + 1.3;
                assertEquals(expected, eval[i], 1e-4, "evaluation gamma " + i + " is not clamped, uses running statistics");
            }
            assertEquals(0.01 * m, norm.parameter("running_mean").array().toFloatArray()[0], 1e-5,
                    "evaluation leaves the running statistics alone");

            IllegalArgumentException single = assertThrows(IllegalArgumentException.class, () ->
                    norm.apply(manager.create(new float[] {1f}, new Shape(1, 1)), ForwardContext.training(manager)));
            assertTrue(single.getMessage().contains("at least 2 gammas"), single.getMessage());
        }
    }

    @Test
    public void evaluationAlphaStaysInThePapersRange() {
        MixingNetworkSpec paper = new MixingNetworkSpec("pool1", "pool1", 4, 8, MixingNetworkSpec.Variant.PAPER);
        MixingNetworkSpec simple = new MixingNetworkSpec("pool1", "pool1", 4, 8);
        float[] gammas = {-60f, -2f, 0f, 3f, 60f};
        try (NDManager manager = DjlRuntime.newManager(); NDScope scope = new NDScope()) {
            NDArray gamma = manager.create(gammas);
            float[] evalLogit = paper.mixingLogit(gamma, false).toFloatArray();
            for (int i = 0; i < gammas.length; i++) {
                double expected = 0.84 + 0.15 / (1 + Math.exp(-gammas[i]));
                assertEquals(expected, 1 / (1 + Math.exp(-evalLogit[i])), 1e-5, "alpha for gamma " + gammas[i]);
            }
            assertEquals(gamma, paper.mixingLogit(gamma, true), "training uses gamma itself");
            assertEquals(gamma, simple.mixingLogit(gamma, false), "SIMPLE uses gamma itself");
        }
    }

    @Test
    public void paperModelRecordsEveryValueRoundTripsAndMixesInTheAlphaRange() {
        MixingNetworkSpec spec = new MixingNetworkSpec("pool1", "pool1", 4, 8, MixingNetworkSpec.Variant.PAPER);
        Map<String, Provenance> recorded = spec.getProvenance().getConfiguredParameters();
        for (String key : new String[] {"variant", "clampStds", "trainGammaScale", "trainGammaBias", "evalGammaScale",
                "evalGammaBias", "evalAlphaScale", "evalAlphaBias"}) {
            assertTrue(recorded.containsKey(key), key + " is in the provenance " + recorded.keySet());
        }
        assertEquals("PAPER", recorded.get("variant").toString());
        Helpers.testConfigurableRoundtrip(spec);
        MixingNetworkModel model = new MixingNetworkTrainer(RobustFixtures.standard(), RobustFixtures.robust(), spec,
                new PGDAttack(AttackNorm.LINF, 0.1, 0.03, 2, true, 1), new AdamOptimiserFactory(0.01), 1, 45,
                TestSeeds.of(3)).train(RobustFixtures.test());
        assertTrue(model.getProvenance().getTrainerProvenance().getConfiguredParameters().get("mixingNetwork")
                .toString().contains("PAPER"));
        double[] alphas = model.alphas(RobustFixtures.test().getData());
        assertTrue(Arrays.stream(alphas).allMatch(a -> a >= 0.84 - 1e-6 && a <= 0.99 + 1e-6), Arrays.toString(alphas));
        try (Network mixer = model.newMixer()) {
            float runningMean = mixer.layer("gamma_norm").parameter("running_mean").array().toFloatArray()[0];
            assertNotEquals(0f, runningMean, "the running statistics are trained and saved with the weights");
        }
        Helpers.testModelProtoSerialization(model, Label.class, RobustFixtures.test());
    }

    @Test
    public void rejectsImpossibleSettings() {
        PropertyException variant = assertThrows(PropertyException.class, () ->
                new MixingNetworkSpec("pool1", "pool1", 4, 8, null));
        assertTrue(variant.getMessage().contains("variant must be SIMPLE or PAPER"), variant.getMessage());
    }
}
