package org.tribuoadapt.robust.evaluation;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.primitives.FileProvenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.interop.onnx.ONNXExternalModel;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.io.AtomicFiles;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.fgsm.FGSMAttack;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.attack.square.SquareAttack;
import org.tribuoadapt.robust.smoothing.AdaptiveSmoothingModel;
import org.tribuoadapt.robust.testing.OnnxBlackBox;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class RobustnessEvaluatorTest {

    @Test
    public void measuresCleanAndAttackedAccuracyWithProvenance() {
        RobustnessEvaluator evaluator = new RobustnessEvaluator(List.of(new FGSMAttack(AttackNorm.LINF, 0.1),
                new PGDAttack(AttackNorm.LINF, 0.1, 5)), new double[] {0.0, 0.05}, 32, 4L, 60);
        RobustnessEvaluation e = evaluator.evaluate(RobustFixtures.standard(), RobustFixtures.test());
        assertEquals(new LabelEvaluator().evaluate(RobustFixtures.standard(), RobustFixtures.test()).accuracy(),
                e.cleanAccuracy(), 0.02);
        assertEquals(4, e.outcomes().size());
        for (AttackOutcome o : e.outcomes()) {
            assertEquals(60, o.examples());
            assertTrue(o.accuracy() <= e.cleanAccuracy());
            assertTrue(o.maxPerturbation() <= o.epsilon() + 1e-6);
            if (o.epsilon() == 0) {
                assertEquals(e.cleanAccuracy(), o.accuracy(), 1e-12, "a zero budget cannot change a prediction");
            }
        }
        assertEquals(e.outcomes().get(3).accuracy(), e.robustAccuracy("pgd-linf-5", 0.05));
        assertEquals(5, e.asMap().size());
        Helpers.testProvenanceMarshalling(e.getProvenance());
        assertEquals(evaluator.getProvenance(), e.getProvenance().getEvaluatorProvenance());
        Helpers.testConfigurableRoundtrip(evaluator);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> e.robustAccuracy("apgd", 0.1));
        assertTrue(missing.getMessage().contains("evaluated: [fgsm-linf@0.0"), missing.getMessage());
    }

    @Test
    public void blackBoxModelsTakeBlackBoxAttacksOnly(@TempDir Path dir) throws Exception {
        try (ONNXExternalModel<Label> blackBox = OnnxBlackBox.create(dir)) {
            RobustnessEvaluation e = new RobustnessEvaluator(List.of(new SquareAttack(0.1, 100, 1, 8, 8)), TestSeeds.of(2))
                    .evaluate(blackBox, RobustFixtures.test());
            assertTrue(e.outcomes().get(0).accuracy() < e.cleanAccuracy());
            IllegalArgumentException gradient = assertThrows(IllegalArgumentException.class, () ->
                    new RobustnessEvaluator(List.of(new PGDAttack(AttackNorm.LINF, 0.1, 2)), 2L)
                            .evaluate(blackBox, RobustFixtures.test()));
            assertTrue(gradient.getMessage().contains("needs gradients") && gradient.getMessage().contains("black box"),
                    gradient.getMessage());
        }
    }

    @Test
    public void tracesTheAlphaCurve() {
        RobustnessEvaluator evaluator = new RobustnessEvaluator(List.of(new PGDAttack(AttackNorm.LINF, 0.05, 3)),
                new double[0], 64, 4L, 45);
        AlphaCurve curve = evaluator.alphaCurve(RobustFixtures.standard(), RobustFixtures.robust(),
                new double[] {0.0, 0.5, 1.0}, 1.0, 1.0, RobustFixtures.test());
        assertEquals(3, curve.evaluations().size());
        assertEquals(RobustFixtures.standard().getProvenance(),
                curve.evaluations().get(0).getProvenance().getModelProvenance());
        assertEquals(RobustFixtures.robust().getProvenance(),
                curve.evaluations().get(2).getProvenance().getModelProvenance());
        assertArrayEquals(new double[] {0.0, 0.5, 1.0}, curve.alphas());
        assertEquals("pgd-linf-3@0.05", curve.evaluations().get(0).outcomes().get(0).key());
        assertEquals(3, curve.robustAccuracy(0).length);
        assertEquals(curve.evaluations().get(1).cleanAccuracy(), curve.cleanAccuracy()[1]);
    }

    @Test
    public void theAlphaCurveFromModelFilesEqualsTheOneFromMemory(@TempDir Path dir) throws IOException {
        Path standardFile = dir.resolve("standard.tribuo");
        Path robustFile = dir.resolve("robust.tribuo");
        AtomicFiles.write(standardFile, RobustFixtures.standard().serialize().toByteArray());
        AtomicFiles.write(robustFile, RobustFixtures.robust().serialize().toByteArray());
        RobustnessEvaluator evaluator = new RobustnessEvaluator(List.of(new PGDAttack(AttackNorm.LINF, 0.05, 3)),
                new double[0], 64, 4L, 45);
        double[] alphas = {0.0, 0.5, 1.0};
        AlphaCurve fromFiles = evaluator.alphaCurve(standardFile, robustFile, alphas, 1.0, 1.0, RobustFixtures.test());
        AlphaCurve inMemory = evaluator.alphaCurve(RobustFixtures.standard(), RobustFixtures.robust(), alphas, 1.0, 1.0,
                RobustFixtures.test());
        for (int i = 0; i < alphas.length; i++) {
            assertEquals(inMemory.evaluations().get(i).reproducibleMetrics(), fromFiles.evaluations().get(i).reproducibleMetrics());
        }
        assertEquals(RobustFixtures.standard().getProvenance(), fromFiles.evaluations().get(0).getProvenance().getModelProvenance());
        ModelProvenance mixture = fromFiles.evaluations().get(1).getProvenance().getModelProvenance();
        assertEquals(AdaptiveSmoothingModel.class.getName(), mixture.getClassName());
        assertEquals(new FileProvenance("standardModelPath", standardFile),
                mixture.getTrainerProvenance().getConfiguredParameters().get("standardModelPath"));
        assertEquals(NetworkProvenance.sha256(Files.readAllBytes(robustFile)),
                mixture.getInstanceProvenance().getMap().get("robust-model-sha256").toString());
        assertThrows(UncheckedIOException.class, () -> evaluator.alphaCurve(standardFile, dir.resolve("missing.tribuo"),
                alphas, 1.0, 1.0, RobustFixtures.test()));
    }

    @Test
    public void rejectsBadSettings() {
        PropertyException budget = assertThrows(PropertyException.class, () -> new RobustnessEvaluator(
                List.of(new FGSMAttack(AttackNorm.LINF, 0.1)), new double[] {0.1, -0.2}, 8, 1L, 0));
        assertTrue(budget.getMessage().contains("every epsilon must be finite and >= 0, found -0.2"), budget.getMessage());
        assertThrows(PropertyException.class, () -> new RobustnessEvaluator(List.of(), 1L));
    }
}
