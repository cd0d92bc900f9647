package org.tribuoadapt.core.contrastive;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ContrastiveTrainerTest {

    private static final int SIZE = 8;

    static CNNSpec encoder() {
        return new CNNSpec(1, SIZE, SIZE, new int[] {4, 8}, true, 2, new int[] {16});
    }

    static ContrastiveTrainer trainer(GlobalContrastiveObjective objective, long seed) {
        return new ContrastiveTrainer(encoder(), new AdamOptimiserFactory(0.01), objective, 8, 2, 16, seed);
    }

    static GlobalContrastiveObjective isogclr() {
        return GlobalContrastiveObjective.isogclr(0.2, 0.9, 0.3, 0.01, 0.9, 0.05, 0.7, new ViewAugmentation(1, 0.5, 0.05));
    }

    @Test
    public void sameSeedSameEncoderAndLabelsAreIgnored() {
        MutableDataset<Label> data = SyntheticImages.dataset(64, 3, SIZE, 5);
        NetworkModel first = trainer(isogclr(), 7).train(data);
        NetworkModel again = trainer(isogclr(), 7).train(data);
        NetworkModel relabelled = trainer(isogclr(), 7).train(rotateLabels(data));
        NetworkModel otherSeed = trainer(isogclr(), 8).train(data);
        assertArrayEquals(first.weightBytes(), again.weightBytes());
        assertArrayEquals(first.weightBytes(), relabelled.weightBytes());
        assertFalse(java.util.Arrays.equals(first.weightBytes(), otherSeed.weightBytes()));
        assertEquals(2, first.history().orElseThrow().epochs().size());
    }

    @Test
    public void encoderIsTrainedAndHeadIsFreshForTheLabels() {
        MutableDataset<Label> data = SyntheticImages.dataset(64, 3, SIZE, 5);
        NetworkModel model = trainer(GlobalContrastiveObjective.sogclr(0.2, 0.9, new ViewAugmentation(1, 0.5, 0.05)), 7)
                .train(data);
        Map<String, TensorData> weights = model.stateDict();
        assertArrayEquals(new long[] {3, 16}, weights.get("head.weight").shape());
        try (Network untrained = encoder().build(3, 0)) {
            assertFalse(java.util.Arrays.equals(untrained.stateDict().get("conv1.weight").toFloatArray(),
                    weights.get("conv1.weight").toFloatArray()));
        }
        assertEquals(3, model.predict(data).get(0).getOutputScores().size());
    }

    @Test
    public void provenanceAndSerialization() {
        MutableDataset<Label> data = SyntheticImages.dataset(48, 3, SIZE, 6);
        ContrastiveTrainer trainer = trainer(isogclr(), 9);
        NetworkModel model = trainer.train(data);
        Helpers.testConfigurableRoundtrip(trainer);
        Helpers.testModelProtoSerialization(model, Label.class, data);
        String trainerProvenance = model.getProvenance().getTrainerProvenance().toString();
        assertTrue(trainerProvenance.contains("individualTemperatures") && trainerProvenance.contains("rho"),
                trainerProvenance);
        NetworkProvenance.verifyWeights(model.getProvenance(), model.weightBytes());
    }

    @Test
    public void rejectsImpossibleSettings() {
        ViewAugmentation views = ViewAugmentation.none();
        assertThrows(PropertyException.class, () -> GlobalContrastiveObjective.sogclr(0.0, 0.9, views));
        assertThrows(PropertyException.class, () -> GlobalContrastiveObjective.sogclr(-0.1, 0.9, views));
        assertThrows(PropertyException.class, () -> GlobalContrastiveObjective.sogclr(0.1, 0.0, views));
        assertThrows(PropertyException.class, () -> GlobalContrastiveObjective.sogclr(0.1, 1.5, views));
        assertThrows(PropertyException.class, () -> GlobalContrastiveObjective.sogclr(0.1, 0.9, null));
        assertThrows(PropertyException.class, () -> GlobalContrastiveObjective.isogclr(0.1, 0.9, 0.3, 0.01, 0.9, 0.0, 0.7, views));
        assertThrows(PropertyException.class, () -> GlobalContrastiveObjective.isogclr(0.1, 0.9, 0.3, 0.01, 0.9, 0.2, 0.7, views));
        assertThrows(PropertyException.class, () -> GlobalContrastiveObjective.isogclr(0.1, 0.9, 0.3, 0.01, 0.9, 0.05, 0.04, views));
        assertThrows(PropertyException.class, () -> GlobalContrastiveObjective.isogclr(0.1, 0.9, -1, 0.01, 0.9, 0.05, 0.7, views));
        assertThrows(PropertyException.class, () -> GlobalContrastiveObjective.isogclr(0.1, 0.9, 0.3, 0.0, 0.9, 0.05, 0.7, views));
        assertThrows(PropertyException.class, () -> GlobalContrastiveObjective.isogclr(0.1, 0.9, 0.3, 0.01, 0.0, 0.05, 0.7, views));
        assertThrows(PropertyException.class, () -> new ContrastiveTrainer(encoder(), new AdamOptimiserFactory(0.01),
                isogclr(), 8, 1, 1, 1));
        assertThrows(PropertyException.class, () -> new ContrastiveTrainer(encoder(), new AdamOptimiserFactory(0.01),
                isogclr(), 0, 1, 16, 1));
        MutableDataset<Label> single = SyntheticImages.dataset(1, 1, SIZE, 1);
        assertThrows(IllegalArgumentException.class, () -> trainer(isogclr(), 1).train(single));
    }

    private static MutableDataset<Label> rotateLabels(MutableDataset<Label> data) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> out = new MutableDataset<>(new SimpleDataSourceProvenance("rotated", factory), factory);
        for (Example<Label> e : data) {
            String name = e.getOutput().getLabel();
            int k = Integer.parseInt(name.substring(1));
            ArrayExample<Label> copy = new ArrayExample<>(new Label("c" + ((k + 1) % 3)));
            e.forEach(f -> copy.add(f.getName(), f.getValue()));
            out.add(copy);
        }
        return out;
    }
}
