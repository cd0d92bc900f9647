package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.interop.onnx.ONNXExternalModel;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.DifferentiableModel;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.testing.OnnxBlackBox;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class AdaptiveSmoothingTest {

    private static NetworkModel other;

    private static synchronized NetworkModel other() {
        if (other == null) {
            other = new NetworkTrainer(RobustFixtures.cnn(), new AdamOptimiserFactory(0.01), 2, 32, 8L)
                    .train(RobustFixtures.train());
        }
        return other;
    }

    /** The mixture formula of Bai et al. 2024, equation 3, on the bases' own predicted probabilities. */
    private static void assertMixture(Model<Label> mixture, Model<Label> standard, Model<Label> robust, double alpha,
                                      double sStd, double sRob, double tolerance) {
        List<Example<Label>> examples = RobustFixtures.test().getData();
        List<Prediction<Label>> mixed = mixture.predict(examples);
        List<Prediction<Label>> ps = standard.predict(examples);
        List<Prediction<Label>> pr = robust.predict(examples);
        for (int i = 0; i < examples.size(); i++) {
            Map<String, Label> a = ps.get(i).getOutputScores();
            Map<String, Label> b = pr.get(i).getOutputScores();
            double za = 0;
            double zb = 0;
            for (String label : a.keySet()) {
                za += Math.pow(a.get(label).getScore(), sStd);
                zb += Math.pow(b.get(label).getScore(), sRob);
            }
            for (String label : a.keySet()) {
                double expected = (1 - alpha) * Math.pow(a.get(label).getScore(), sStd) / za
                        + alpha * Math.pow(b.get(label).getScore(), sRob) / zb;
                assertEquals(expected, mixed.get(i).getOutputScores().get(label).getScore(), tolerance,
                        "example " + i + ", label " + label);
            }
        }
    }

    @Test
    public void mixesTheBasesProbabilitiesAfterTheirTemperatures() {
        AdaptiveSmoothingModel mixture = new AdaptiveSmoothingTrainer(RobustFixtures.standard(), other(), 0.3, 1.0, 2.0)
                .train(RobustFixtures.train());
        assertMixture(mixture, RobustFixtures.standard(), other(), 0.3, 1.0, 2.0, 1e-5);
        assertMixture(new AdaptiveSmoothingTrainer(RobustFixtures.standard(), other(), 0.0, 1.0, 1.0)
                .train(RobustFixtures.train()), RobustFixtures.standard(), other(), 0.0, 1.0, 1.0, 1e-6);
        assertMixture(new AdaptiveSmoothingTrainer(RobustFixtures.standard(), other(), 1.0, 1.0, 1.0)
                .train(RobustFixtures.train()), RobustFixtures.standard(), other(), 1.0, 1.0, 1.0, 1e-6);
        Helpers.testModelProtoSerialization(mixture, Label.class, RobustFixtures.test());
        Map<String, ?> instance = mixture.getProvenance().getInstanceProvenance().getMap();
        assertEquals(RobustFixtures.standard().getProvenance(), instance.get("standard-model"));
        assertEquals(other().getProvenance(), instance.get("robust-model"));
    }

    @Test
    public void networkMixturesAreDifferentiableAsAWhole() {
        AdaptiveSmoothingModel mixture = new AdaptiveSmoothingTrainer(RobustFixtures.standard(), other(), 0.4, 1.5, 1.0)
                .train(RobustFixtures.train());
        DifferentiableModel differentiable = DifferentiableModel.of(mixture).orElseThrow();
        TensorDataset data = TensorDataset.from(RobustFixtures.test(), differentiable.tensorizer(),
                mixture.getOutputIDInfo());
        List<Prediction<Label>> predictions = mixture.predict(RobustFixtures.test());
        try (LogitNetwork classifier = differentiable.newClassifier(); NDManager m = DjlRuntime.newManager();
             NDScope scope = new NDScope()) {
            int[] all = Evaluation.range(0, data.size());
            NDArray inputs = data.features(m, all);
            float[] probabilities;
            try (GradientMode off = GradientMode.disabled()) {
                probabilities = classifier.logits(inputs).exp().toFloatArray();
            }
            for (int i = 0; i < data.size(); i++) {
                for (int c = 0; c < 3; c++) {
                    String label = mixture.getOutputIDInfo().getOutput(c).getLabel();
                    assertEquals(predictions.get(i).getOutputScores().get(label).getScore(), probabilities[i * 3 + c], 1e-5);
                }
            }
            NDArray adversarial = new PGDAttack(AttackNorm.LINF, 0.1, 5).perturb(classifier, inputs,
                    data.labels(m, all), new SplittableRandom(2));
            assertTrue(adversarial.sub(inputs).abs().max().getFloat() <= 0.1f + 1e-6f);
        }
    }

    @Test
    public void mixesABlackBoxOnnxModel(@TempDir Path dir) throws Exception {
        try (ONNXExternalModel<Label> blackBox = OnnxBlackBox.create(dir)) {
            AdaptiveSmoothingModel mixture = new AdaptiveSmoothingTrainer(RobustFixtures.standard(), blackBox, 0.6, 1.0, 3.0)
                    .train(RobustFixtures.train());
            assertMixture(mixture, RobustFixtures.standard(), blackBox, 0.6, 1.0, 3.0, 1e-5);
            assertFalse(mixture.isDifferentiable());
            assertTrue(DifferentiableModel.of(mixture).isEmpty());
            Helpers.testModelProtoSerialization(mixture, Label.class, RobustFixtures.test(), 1e-6);
        }
    }

    @Test
    public void readsItsBasesFromModelFiles(@TempDir Path dir) throws Exception {
        Path standardFile = dir.resolve("standard.tribuo");
        Path robustFile = dir.resolve("robust.tribuo");
        RobustFixtures.standard().serializeToFile(standardFile);
        other().serializeToFile(robustFile);
        AdaptiveSmoothingTrainer trainer = new AdaptiveSmoothingTrainer(standardFile, robustFile, 0.5, 1.0, 1.0);
        AdaptiveSmoothingModel mixture = trainer.train(RobustFixtures.train());
        assertMixture(mixture, RobustFixtures.standard(), other(), 0.5, 1.0, 1.0, 1e-5);
        Map<String, ?> instance = mixture.getProvenance().getInstanceProvenance().getMap();
        assertTrue(instance.containsKey("standard-model-sha256") && instance.containsKey("robust-model-sha256"));
        Helpers.testConfigurableRoundtrip(trainer);
        Helpers.testProvenanceMarshalling(mixture.getProvenance());
    }

    @Test
    public void rejectsBadInput() {
        PropertyException high = assertThrows(PropertyException.class, () ->
                new AdaptiveSmoothingTrainer(RobustFixtures.standard(), other(), 1.5, 1.0, 1.0));
        assertTrue(high.getMessage().contains("alpha must be in [0, 1], found 1.5"), high.getMessage());
        assertThrows(PropertyException.class, () -> new AdaptiveSmoothingTrainer(RobustFixtures.standard(), other(), -0.1, 1, 1));
        PropertyException cold = assertThrows(PropertyException.class, () ->
                new AdaptiveSmoothingTrainer(RobustFixtures.standard(), other(), 0.5, 0.0, 1.0));
        assertTrue(cold.getMessage().contains("standardTemperature must be positive"), cold.getMessage());

        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> twoClasses = new MutableDataset<>(new SimpleDataSourceProvenance("two", factory), factory);
        for (Example<Label> e : RobustFixtures.train()) {
            if (!e.getOutput().getLabel().equals("c2")) {
                twoClasses.add(e);
            }
        }
        NetworkModel binary = new NetworkTrainer(new MLPSpec(64, new int[] {8}, Activation.RELU, 0.0),
                new AdamOptimiserFactory(0.01), 1, 32, 1L).train(twoClasses);
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class, () ->
                new AdaptiveSmoothingTrainer(RobustFixtures.standard(), binary, 0.5, 1.0, 1.0).train(RobustFixtures.train()));
        assertTrue(labels.getMessage().contains("the standard model predicts labels [c0, c1, c2] but the robust model predicts [c0, c1]"),
                labels.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () ->
                new AdaptiveSmoothingTrainer(binary, binary, 0.5, 1.0, 1.0).train(RobustFixtures.train()));
        assertTrue(unknown.getMessage().contains("labels [c2] that the base models do not predict"), unknown.getMessage());
    }
}
