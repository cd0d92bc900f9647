package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.testing.RobustFixtures;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class TwoLevelMixingNetworkTest {

    @Test
    public void mergesLevelsByUpsamplingOrFlattening() {
        MixingNetworkSpec spec = new MixingNetworkSpec("pool1", "pool1", 4, 8).withRobustSecondLayer("pool2");
        try (NDManager manager = DjlRuntime.newManager(); NDScope scope = new NDScope()) {
            NDArray first = manager.arange(8f).reshape(1, 2, 2, 2);
            NDArray second = manager.create(new float[] {10f}, new Shape(1, 1, 1, 1));
            NDArray merged = spec.mergeRobustLevels(first, second);
            assertEquals(new Shape(1, 3, 2, 2), merged.getShape());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 10, 10, 10, 10}, merged.toFloatArray());
            NDArray flat = spec.mergeRobustLevels(manager.create(new float[] {1, 2, 3}, new Shape(1, 3)),
                    manager.create(new float[] {4, 5}, new Shape(1, 2)));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5}, flat.toFloatArray());
        }
    }

    @Test
    public void mixingNetworkReadsBothRobustLevels() {
        MixingNetworkSpec oneLevel = new MixingNetworkSpec("pool1", "pool1", 4, 8);
        MixingNetworkSpec twoLevels = new MixingNetworkSpec("pool1", "pool1", 4, 8).withRobustSecondLayer("pool2");
        Shape[] one = MixedNetworks.featureShapes(oneLevel, RobustFixtures.standard(), RobustFixtures.robust());
        Shape[] two = MixedNetworks.featureShapes(twoLevels, RobustFixtures.standard(), RobustFixtures.robust());
        Shape[] second = MixedNetworks.featureShapes(new MixingNetworkSpec("pool1", "pool2", 4, 8),
                RobustFixtures.standard(), RobustFixtures.robust());
        assertEquals(one[0], two[0]);
        assertEquals(one[1].get(0) + second[1].get(0), two[1].get(0), "robust channels of both levels");
        assertEquals(one[1].slice(1), two[1].slice(1), "the second level is upsampled to the first's size");

        MixingNetworkModel model = new MixingNetworkTrainer(RobustFixtures.standard(), RobustFixtures.robust(), twoLevels,
                new PGDAttack(AttackNorm.LINF, 0.1, 0.03, 2, true, 1), new AdamOptimiserFactory(0.01), 1, 45,
                TestSeeds.of(4)).train(RobustFixtures.test());
        try (Network mixer = model.newMixer()) {
            long inChannels = mixer.layer("conv").parameter("weight").array().getShape().get(1);
            assertEquals(one[0].get(0) + two[1].get(0), inChannels, "the convolution reads the standard and both robust levels");
        }
        assertTrue(model.getProvenance().getTrainerProvenance().getConfiguredParameters().get("mixingNetwork")
                .toString().contains("pool2"));
        Helpers.testConfigurableRoundtrip(twoLevels);
        Helpers.testModelProtoSerialization(model, Label.class, RobustFixtures.test());
    }

    @Test
    public void rejectsAMissingOrRepeatedSecondLevel() {
        PropertyException same = assertThrows(PropertyException.class, () ->
                new MixingNetworkSpec("pool1", "pool1", 4, 8).withRobustSecondLayer("pool1"));
        assertTrue(same.getMessage().contains("must differ from robustLayer"), same.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () ->
                MixedNetworks.featureShapes(new MixingNetworkSpec("pool1", "pool1", 4, 8).withRobustSecondLayer("block9"),
                        RobustFixtures.standard(), RobustFixtures.robust()));
        assertTrue(missing.getMessage().contains("block9"), missing.getMessage());
    }
}
