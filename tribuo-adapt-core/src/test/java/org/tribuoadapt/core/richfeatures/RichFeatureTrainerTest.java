package org.tribuoadapt.core.richfeatures;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class RichFeatureTrainerTest {

    private static final int SIZE = 6;

    static MLPSpec mlp() {
        return new MLPSpec(SIZE * SIZE, new int[] {16}, Activation.RELU, 0.0);
    }

    static RichFeatureTrainer trainer(int rounds, int synthesisEpochs, long seed) {
        return new RichFeatureTrainer(mlp(), new AdamOptimiserFactory(0.01), rounds, 2, synthesisEpochs, 16, 1.0, seed);
    }

    @Test
    public void sameSeedSameWeights() {
        MutableDataset<Label> data = SyntheticImages.dataset(48, 3, SIZE, 5);
        NetworkModel first = trainer(2, 2, 7).train(data);
        NetworkModel again = trainer(2, 2, 7).train(data);
        NetworkModel otherSeed = trainer(2, 2, 8).train(data);
        assertArrayEquals(first.weightBytes(), again.weightBytes());
        assertFalse(Arrays.equals(first.weightBytes(), otherSeed.weightBytes()));
        assertArrayEquals(new long[] {3, 16}, first.stateDict().get("head.weight").shape());
    }

    @Test
    public void synthesisHeadsReproduceTheDiscoveredNetworks() {
        MutableDataset<Label> data = SyntheticImages.dataset(96, 3, SIZE, TestSeeds.of(11));
        NetworkModel model = trainer(2, 25, TestSeeds.of(3)).train(data);
        Map<String, ? extends Provenance> run = model.getProvenance().getInstanceProvenance().getMap();
        String agreement = ((StringProvenance) run.get(RichFeatureTrainer.PROVENANCE_PREFIX + "synthesis.agreement"))
                .getValue();
        double[] perHead = Arrays.stream(agreement.substring(agreement.indexOf('[') + 1, agreement.indexOf(']'))
                .split(",")).mapToDouble(s -> Double.parseDouble(s.trim())).toArray();
        assertEquals(2, perHead.length, agreement);
        for (double a : perHead) {
            assertTrue(a >= 0.8, agreement);
        }
    }

    @Test
    public void provenanceRecordsSettingsAndEpisodes() {
        MutableDataset<Label> data = SyntheticImages.dataset(48, 3, SIZE, 6);
        RichFeatureTrainer trainer = trainer(3, 1, 9);
        NetworkModel model = trainer.train(data);
        Helpers.testConfigurableRoundtrip(trainer);
        Helpers.testModelProtoSerialization(model, Label.class, data);
        String trainerProvenance = model.getProvenance().getTrainerProvenance().toString();
        for (String setting : new String[] {"rounds", "discoveryEpochs", "synthesisEpochs", "groupStepSize", "headLayer"}) {
            assertTrue(trainerProvenance.contains(setting), trainerProvenance);
        }
        Map<String, ? extends Provenance> run = model.getProvenance().getInstanceProvenance().getMap();
        for (int round = 1; round <= 3; round++) {
            for (String entry : new String[] {"solved", "groups", "group-weights", "train-loss"}) {
                assertTrue(run.containsKey(RichFeatureTrainer.PROVENANCE_PREFIX + "round-" + round + "." + entry),
                        run.keySet().toString());
            }
        }
        assertEquals("all", ((StringProvenance) run.get(RichFeatureTrainer.PROVENANCE_PREFIX + "round-1.groups"))
                .getValue());
        assertTrue(((StringProvenance) run.get(RichFeatureTrainer.PROVENANCE_PREFIX + "round-2.groups")).getValue()
                .startsWith("A1"), run.toString());
        NetworkProvenance.verifyWeights(model.getProvenance(), model.weightBytes());
    }

    @Test
    public void resultIsTheBaseOfAFineTuningRun() {
        MutableDataset<Label> data = SyntheticImages.dataset(48, 3, SIZE, 4);
        NetworkModel start = trainer(1, 1, 2).train(data);
        NetworkModel tuned = new NetworkTrainer(mlp(), new AdamOptimiserFactory(0.01), 1, 16, 2L)
                .fineTune(data, start, Collections.emptyMap());
        assertTrue(tuned.getProvenance().getInstanceProvenance().getMap()
                .containsKey(NetworkProvenance.INITIAL_WEIGHTS_SHA256));
    }

    @Test
    public void rejectsImpossibleSettingsAndData() {
        AdamOptimiserFactory adam = new AdamOptimiserFactory(0.01);
        assertThrows(PropertyException.class, () -> new RichFeatureTrainer(mlp(), adam, 0, 1, 1, 16, 1.0, 1));
        assertThrows(PropertyException.class, () -> new RichFeatureTrainer(mlp(), adam, 17, 1, 1, 16, 1.0, 1));
        assertThrows(PropertyException.class, () -> new RichFeatureTrainer(mlp(), adam, 2, 0, 1, 16, 1.0, 1));
        assertThrows(PropertyException.class, () -> new RichFeatureTrainer(mlp(), adam, 2, 1, 0, 16, 1.0, 1));
        assertThrows(PropertyException.class, () -> new RichFeatureTrainer(mlp(), adam, 2, 1, 1, 0, 1.0, 1));
        assertThrows(PropertyException.class, () -> new RichFeatureTrainer(mlp(), adam, 2, 1, 1, 16, 0.0, 1));
        assertThrows(PropertyException.class, () -> new RichFeatureTrainer(mlp(), adam, 2, 1, 1, 16, Double.NaN, 1));
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> empty = new MutableDataset<>(new SimpleDataSourceProvenance("empty", factory), factory);
        assertThrows(IllegalArgumentException.class, () -> trainer(1, 1, 1).train(empty));
        MutableDataset<Label> oneClass = SyntheticImages.dataset(8, 1, SIZE, 1);
        assertThrows(IllegalArgumentException.class, () -> trainer(1, 1, 1).train(oneClass));
    }
}
