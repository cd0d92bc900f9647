package org.tribuoadapt.robust.distillation;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class RobustDistillationTrainerTest {

    private static RobustDistillationTrainer trainer(List<String> layers, int[] indices, long seed) {
        return new RobustDistillationTrainer(layers, indices, 2.0, 0.8, 0.05, new AdamOptimiserFactory(0.01), 1, 32,
                seed);
    }

    @Test
    public void lossMatchesAHandComputedExample() {
        // student logits (1, 2, 0) and (0.5, -1, 2), teacher logits (0, 1, 3) and (2, 0, -1), labels 1 and 0, T = 2:
        // mean KL(softmax(t / 2) || softmax(s / 2)) = 0.456607724, mean CE(softmax(s), y) = 1.074458631, so
        // lambda 0.5 gives 0.5 * 4 * 0.456607724 + 0.5 * 1.074458631 = 1.450444763, lambda 1 gives 4 * 0.456607724
        try (NDManager m = DjlRuntime.newManager()) {
            var student = m.create(new float[] {1, 2, 0, 0.5f, -1, 2}, new Shape(2, 3));
            var teacher = m.create(new float[] {0, 1, 3, 2, 0, -1}, new Shape(2, 3));
            var labels = m.create(new long[] {1, 0});
            assertEquals(1.450444763, new DistillationLoss(2.0, 0.5).loss(student, teacher, labels).getFloat(), 1e-5);
            assertEquals(1.826430896, new DistillationLoss(2.0, 1.0).loss(student, teacher, labels).getFloat(), 1e-5);
            // the student equal to the teacher: no soft loss, only the cross-entropy share
            float ce = new DistillationLoss(3.0, 0.0).loss(teacher, teacher, labels).getFloat();
            assertEquals(0.25 * ce, new DistillationLoss(3.0, 0.75).loss(teacher, teacher, labels).getFloat(), 1e-6);
            assertThrows(IllegalArgumentException.class,
                    () -> new DistillationLoss(1.0, 0.5).loss(student, teacher.get("0:1"), labels));
        }
    }

    @Test
    public void onlyTheSelectedLayersChange() {
        NetworkModel student = RobustFixtures.standard();
        NetworkModel tuned = trainer(List.of("head"), new int[] {-2}, TestSeeds.of(5))
                .train(RobustFixtures.train(), RobustFixtures.robust(), student);
        Map<String, TensorData> before = student.stateDict();
        Map<String, TensorData> after = tuned.stateDict();
        assertEquals(before.keySet(), after.keySet());
        for (String name : before.keySet()) {
            boolean selected = name.startsWith("head.") || name.startsWith("fc1.");
            boolean same = Arrays.equals(before.get(name).toFloatArray(), after.get(name).toFloatArray());
            // frozen weights and every BatchNorm statistic stay bit-identical; the tuned weights move
            assertEquals(!selected, same, name);
        }
        var instance = tuned.getProvenance().getInstanceProvenance().getMap();
        assertEquals("fc1.weight,fc1.bias,head.weight,head.bias",
                ((StringProvenance) instance.get(RobustDistillationTrainer.TUNED_WEIGHTS)).getValue());
        assertEquals(student.getProvenance(), instance.get(RobustDistillationTrainer.STUDENT));
        assertEquals(RobustFixtures.robust().getProvenance(), instance.get(RobustDistillationTrainer.TEACHER));
    }

    @Test
    public void sameSeedGivesIdenticalWeightsWithAnMlpTeacher() {
        MutableDataset<Label> train = RobustFixtures.train();
        NetworkModel mlp = new NetworkTrainer(new MLPSpec(RobustFixtures.SIZE * RobustFixtures.SIZE, new int[] {16},
                Activation.RELU, 0.0), new AdamOptimiserFactory(0.01), 2, 32, TestSeeds.of(9)).train(train);
        NetworkModel student = RobustFixtures.standard();
        byte[] first = trainer(List.of(), new int[] {-1}, TestSeeds.of(4)).train(train, mlp, student).weightBytes();
        byte[] second = trainer(List.of(), new int[] {-1}, TestSeeds.of(4)).train(train, mlp, student).weightBytes();
        byte[] other = trainer(List.of(), new int[] {-1}, TestSeeds.of(4) + 1).train(train, mlp, student).weightBytes();
        assertArrayEquals(first, second);
        assertFalse(Arrays.equals(first, other));
    }

    @Test
    public void badInputIsRejected() {
        NetworkModel student = RobustFixtures.standard();
        NetworkModel teacher = RobustFixtures.robust();
        MutableDataset<Label> train = RobustFixtures.train();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> trainer(List.of("blocks.7"), new int[0], 1).train(train, teacher, student));
        assertTrue(unknown.getMessage().contains("blocks.7") && unknown.getMessage().contains("head"), unknown.getMessage());
        IllegalArgumentException noWeights = assertThrows(IllegalArgumentException.class,
                () -> trainer(List.of("act1"), new int[0], 1).train(train, teacher, student));
        assertTrue(noWeights.getMessage().contains("act1"), noWeights.getMessage());
        IllegalArgumentException index = assertThrows(IllegalArgumentException.class,
                () -> trainer(List.of(), new int[] {6}, 1).train(train, teacher, student));
        assertTrue(index.getMessage().contains("index 6"), index.getMessage());
        PropertyException temperature = assertThrows(PropertyException.class, () -> new RobustDistillationTrainer(
                List.of("head"), new int[0], 0.0, 0.5, 0.0, new AdamOptimiserFactory(0.01), 1, 32, 1));
        assertTrue(temperature.getMessage().contains("temperature"), temperature.getMessage());
        assertThrows(PropertyException.class, () -> new RobustDistillationTrainer(
                List.of("head"), new int[0], -1.0, 0.5, 0.0, new AdamOptimiserFactory(0.01), 1, 32, 1));
        assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(Double.NaN, 0.5));
        assertThrows(PropertyException.class, () -> new RobustDistillationTrainer(
                List.of("head"), new int[0], 2.0, 1.5, 0.0, new AdamOptimiserFactory(0.01), 1, 32, 1));
        assertThrows(PropertyException.class, () -> new RobustDistillationTrainer(
                List.of(), new int[0], 2.0, 0.5, 0.0, new AdamOptimiserFactory(0.01), 1, 32, 1));

        MutableDataset<Label> fourClasses = SyntheticImages.dataset(40, 4, RobustFixtures.SIZE, TestSeeds.of(2));
        NetworkModel otherLabels = new NetworkTrainer(RobustFixtures.cnn(), new AdamOptimiserFactory(0.01), 1, 32,
                TestSeeds.of(2)).train(fourClasses);
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> trainer(List.of("head"), new int[0], 1).train(train, otherLabels, student));
        assertTrue(labels.getMessage().contains("same labels"), labels.getMessage());

        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> empty = new MutableDataset<>(new SimpleDataSourceProvenance("empty", factory), factory);
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> trainer(List.of("head"), new int[0], 1).train(empty, teacher, student));
        assertTrue(none.getMessage().contains("empty"), none.getMessage());
        IllegalStateException files = assertThrows(IllegalStateException.class,
                () -> trainer(List.of("head"), new int[0], 1).train(train));
        assertTrue(files.getMessage().contains("teacherModelPath"), files.getMessage());
    }

    @Test
    public void modelFilesProvenanceAndRoundTrips(@TempDir Path dir) throws Exception {
        Path teacherFile = dir.resolve("teacher.tribuo");
        Path studentFile = dir.resolve("student.tribuo");
        RobustFixtures.robust().serializeToFile(teacherFile);
        RobustFixtures.standard().serializeToFile(studentFile);
        RobustDistillationTrainer trainer = trainer(List.of("head"), new int[0], TestSeeds.of(6))
                .withModelFiles(teacherFile, studentFile);
        NetworkModel model = trainer.train(RobustFixtures.train());
        var instance = model.getProvenance().getInstanceProvenance().getMap();
        for (String key : List.of(RobustDistillationTrainer.TEACHER, RobustDistillationTrainer.TEACHER + "-sha256",
                RobustDistillationTrainer.STUDENT, RobustDistillationTrainer.STUDENT + "-sha256",
                RobustDistillationTrainer.TUNED_VALUES, RobustDistillationTrainer.STUDENT_VALUES)) {
            assertTrue(instance.containsKey(key), key + " missing from " + instance.keySet());
        }
        var settings = model.getProvenance().getTrainerProvenance().getConfiguredParameters();
        assertEquals("2.0", settings.get("temperature").toString());
        assertEquals("0.8", settings.get("distillationWeight").toString());
        assertTrue(settings.get("tunedLayers").toString().contains("head"), settings.toString());
        assertTrue(settings.get("teacherModelPath").toString().endsWith("teacher.tribuo"), settings.toString());
        Helpers.testModelProtoSerialization(model, Label.class, RobustFixtures.test());
        Helpers.testProvenanceMarshalling(model.getProvenance());
        Helpers.testConfigurableRoundtrip(trainer);
    }
}
