package org.tribuoadapt.robust.reproduce;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.core.reproduce.EvaluationReproducer;
import org.tribuoadapt.core.reproduce.RecoveredConfiguration;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.fgsm.FGSMAttack;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluation;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluator;
import org.tribuoadapt.robust.testing.RobustFixtures;
import org.tribuoadapt.core.testing.TestSeeds;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class RobustnessEvaluationReproducerTest {

    private static final RobustnessEvaluator EVALUATOR = new RobustnessEvaluator(List.of(
            new PGDAttack(AttackNorm.LINF, 0.05, 3), new FGSMAttack(AttackNorm.LINF, 0.05)),
            new double[] {0.03, 0.1}, 16, TestSeeds.of(5), 40);

    @Test
    public void recomputesTheRecordedMetricsFromAStoredProvenance(@TempDir Path dir) throws IOException {
        MutableDataset<Label> test = new MutableDataset<>(RobustFixtures.barsAndStripesSource(dir, "t10k", 60,
                TestSeeds.of(12)));
        RobustnessEvaluation recorded = EVALUATOR.evaluate(RobustFixtures.standard(), test);
        // a report stores provenance in its marshalled form; reproduction starts from that copy
        ObjectProvenance stored = ProvenanceUtil.unmarshalProvenance(ProvenanceUtil.marshalProvenance(recorded.getProvenance()));
        RobustnessEvaluationReproducer reproducer = new RobustnessEvaluationReproducer();
        assertTrue(reproducer.handles(stored));
        assertEquals(RobustFixtures.standard().getProvenance(), reproducer.modelProvenance(stored));

        Map<String, Double> recomputed = reproducer.recompute(stored, RobustFixtures.standard(),
                new RecoveredConfiguration(stored));
        assertEquals(List.of("accuracy", "accuracy@pgd-linf-3@0.03", "accuracy@pgd-linf-3@0.1",
                "accuracy@fgsm-linf@0.03", "accuracy@fgsm-linf@0.1"), List.copyOf(recomputed.keySet()));
        assertEquals(recorded.reproducibleMetrics(), recomputed, "identical, not merely close");
        assertEquals(new LabelEvaluator().evaluate(RobustFixtures.standard(),
                new MutableDataset<>(RobustFixtures.barsAndStripesSource(dir, "first40", 40, TestSeeds.of(12))))
                        .accuracy(),
                recomputed.get("accuracy"), 1e-12, "clean accuracy on the evaluator's first 40 examples");
        assertTrue(recomputed.get("accuracy@pgd-linf-3@0.1") < recomputed.get("accuracy"),
                "an undefended network loses accuracy under PGD at Linf 0.1");

        // the same evaluation of another model gives that model's figures: the model really is re-evaluated
        Map<String, Double> robust = reproducer.recompute(stored, RobustFixtures.robust(), new RecoveredConfiguration(stored));
        assertEquals(EVALUATOR.evaluate(RobustFixtures.robust(), test).reproducibleMetrics(), robust);
        assertNotEquals(recomputed, robust);
    }

    @Test
    public void isRegisteredForRobustnessEvaluationsOnly(@TempDir Path dir) throws IOException {
        MutableDataset<Label> test = new MutableDataset<>(RobustFixtures.barsAndStripesSource(dir, "t10k", 30, 12));
        List<String> registered = ServiceLoader.load(EvaluationReproducer.class).stream()
                .map(provider -> provider.type().getName()).toList();
        assertTrue(registered.contains(RobustnessEvaluationReproducer.class.getName()), registered.toString());
        assertFalse(new RobustnessEvaluationReproducer().handles(
                new LabelEvaluator().evaluate(RobustFixtures.standard(), test).getProvenance()));
        assertFalse(new RobustnessEvaluationReproducer().handles(RobustFixtures.standard().getProvenance()));
    }

    @Test
    public void dataThatCannotBeReloadedIsNamed() {
        RobustnessEvaluation recorded = EVALUATOR.evaluate(RobustFixtures.standard(), RobustFixtures.test());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new RobustnessEvaluationReproducer()
                .recompute(recorded.getProvenance(), RobustFixtures.standard(),
                        new RecoveredConfiguration(recorded.getProvenance())));
        assertTrue(e.getMessage().contains("is not configurable, so it cannot be reloaded"), e.getMessage());
    }
}
