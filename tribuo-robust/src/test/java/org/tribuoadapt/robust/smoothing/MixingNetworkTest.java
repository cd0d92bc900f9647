package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class MixingNetworkTest {

    private static MixingNetworkModel model;

    private static MixingNetworkTrainer trainer() {
        return new MixingNetworkTrainer(RobustFixtures.standard(), RobustFixtures.robust(),
                new MixingNetworkSpec("pool1", "pool1", 8, 16), new PGDAttack(AttackNorm.LINF, 0.1, 0.03, 3, true, 1),
                new AdamOptimiserFactory(0.01), 10, 32, TestSeeds.of(5));
    }

    private static synchronized MixingNetworkModel model() {
        if (model == null) {
            model = trainer().train(RobustFixtures.train());
        }
        return model;
    }

    @Test
    public void learnsToUseTheRobustModelOnAttackedInputs() {
        MixingNetworkModel mixed = model();
        TensorDataset data = TensorDataset.from(RobustFixtures.test(), mixed.tensorizer(), mixed.getOutputIDInfo());
        try (MixedNetworks composite = (MixedNetworks) mixed.newLogitNetwork(); NDManager m = DjlRuntime.newManager();
             NDScope scope = new NDScope()) {
            int[] all = Evaluation.range(0, data.size());
            NDArray clean = data.features(m, all);
            NDArray attacked = new PGDAttack(AttackNorm.LINF, 0.1, 0.03, 3, true, 1).perturb(composite, clean,
                    data.labels(m, all), new SplittableRandom(TestSeeds.of(11)));
            try (GradientMode off = GradientMode.disabled()) {
                double cleanGamma = composite.parts(clean).gamma().mean().getFloat();
                double attackedGamma = composite.parts(attacked).gamma().mean().getFloat();
                assertTrue(attackedGamma > cleanGamma + 1, "mean gamma " + attackedGamma + " on attacked inputs, "
                        + cleanGamma + " on clean ones");
            }
        }
        double[] alphas = mixed.alphas(RobustFixtures.test().getData());
        assertTrue(Arrays.stream(alphas).allMatch(a -> a > 0 && a < 1));
    }

    @Test
    public void roundTripsAndRecordsBothBases(@TempDir Path dir) throws Exception {
        MixingNetworkModel mixed = model();
        Helpers.testModelProtoSerialization(mixed, Label.class, RobustFixtures.test());
        Map<String, ?> instance = mixed.getProvenance().getInstanceProvenance().getMap();
        assertEquals(RobustFixtures.standard().getProvenance(), instance.get("standard-model"));
        assertEquals(RobustFixtures.robust().getProvenance(), instance.get("robust-model"));
        assertTrue(mixed.getProvenance().getTrainerProvenance().getConfiguredParameters().containsKey("attack"));

        Path standardFile = dir.resolve("standard.tribuo");
        Path robustFile = dir.resolve("robust.tribuo");
        RobustFixtures.standard().serializeToFile(standardFile);
        RobustFixtures.robust().serializeToFile(robustFile);
        MixingNetworkSpec spec = new MixingNetworkSpec("pool1", "act2", 0, 4);
        MixingNetworkTrainer fromFiles = new MixingNetworkTrainer(standardFile, robustFile, spec,
                new PGDAttack(AttackNorm.LINF, 0.1, 1), new AdamOptimiserFactory(0.01), 1, 45, 5L);
        Helpers.testConfigurableRoundtrip(fromFiles);
        Helpers.testConfigurableRoundtrip(spec);
        // the same seed on the same bases gives the same mixing network, whether the bases come from files or memory
        MixingNetworkModel fromMemory = new MixingNetworkTrainer(RobustFixtures.standard(), RobustFixtures.robust(), spec,
                new PGDAttack(AttackNorm.LINF, 0.1, 1), new AdamOptimiserFactory(0.01), 1, 45, 5L)
                .train(RobustFixtures.test());
        MixingNetworkModel loaded = fromFiles.train(RobustFixtures.test());
        assertArrayEquals(fromMemory.mixingWeights(), loaded.mixingWeights());
        assertTrue(loaded.getProvenance().getInstanceProvenance().getMap().containsKey("robust-model-sha256"));
        Helpers.testModelProtoSerialization(loaded, Label.class, RobustFixtures.test());
    }

    @Test
    public void rejectsBadInput() {
        IllegalArgumentException layer = assertThrows(IllegalArgumentException.class, () ->
                new MixingNetworkTrainer(RobustFixtures.standard(), RobustFixtures.robust(),
                        new MixingNetworkSpec("block9", "pool1", 8, 16), new PGDAttack(AttackNorm.LINF, 0.1, 2),
                        new AdamOptimiserFactory(0.01), 1, 32, 5L).train(RobustFixtures.train()));
        assertTrue(layer.getMessage().contains("layer 'block9' not found; layers are: conv1"), layer.getMessage());
        NetworkModel mlp = new NetworkTrainer(new MLPSpec(64, new int[] {8}, Activation.RELU, 0.0),
                new AdamOptimiserFactory(0.01), 1, 32, 1L).train(RobustFixtures.train());
        IllegalArgumentException inputs = assertThrows(IllegalArgumentException.class, () ->
                new MixingNetworkTrainer(RobustFixtures.standard(), mlp, new MixingNetworkSpec("pool1", "fc1", 8, 16),
                        new PGDAttack(AttackNorm.LINF, 0.1, 2), new AdamOptimiserFactory(0.01), 1, 32, 5L)
                        .train(RobustFixtures.train()));
        assertTrue(inputs.getMessage().contains("takes inputs of shape"), inputs.getMessage());
        PropertyException weights = assertThrows(PropertyException.class, () -> trainer().withLossWeights(0, 0, 0, 1));
        assertTrue(weights.getMessage().contains("at least one of bceWeight"), weights.getMessage());
        assertThrows(PropertyException.class, () -> trainer().withTemperatures(-1, 1));
    }
}
