package org.tribuoadapt.robust.pipeline;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.pipeline.PipelineContext;
import org.tribuoadapt.core.pipeline.ProgressSink;
import org.tribuoadapt.core.report.Report;
import org.tribuoadapt.core.report.ReportSection;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.robust.adversarial.AdversarialTrainer;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.PGDAttack;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluator;
import org.tribuoadapt.robust.smoothing.MixingNetworkModel;
import org.tribuoadapt.robust.smoothing.MixingNetworkSpec;
import org.tribuoadapt.robust.smoothing.MixingNetworkTrainer;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class RobustnessStepTest {

    @Test
    public void trainsMixesEvaluatesAndReports(@TempDir Path dir) {
        PGDAttack training = new PGDAttack(AttackNorm.LINF, 0.05, 0.03, 2, true, 1);
        // both trainers only need the bases that the step supplies through forBases
        MixingNetworkTrainer mixing = new MixingNetworkTrainer(RobustFixtures.standard(), RobustFixtures.standard(),
                new MixingNetworkSpec("pool1", "pool1", 4, 8), training, new AdamOptimiserFactory(0.01), 1, 30, 2L);
        RobustnessStep step = new RobustnessStep(new AdversarialTrainer(RobustFixtures.cnn(), new AdamOptimiserFactory(0.01),
                training, 1, 30, 1L), 120, new RobustnessEvaluator(List.of(new PGDAttack(AttackNorm.LINF, 0.05, 2)),
                new double[0], 64, 1L, 30), mixing, 60);
        Report.Builder report = Report.builder("test");
        PipelineContext context = new PipelineContext(report, dir, ProgressSink.NONE);
        context.putDataset("train", RobustFixtures.train());
        context.putDataset("test", RobustFixtures.test());
        context.putModel("source", RobustFixtures.standard());
        step.run(context);

        NetworkModel robust = context.model("robust", NetworkModel.class);
        MixingNetworkModel mixed = context.model("adaptive-smoothing", MixingNetworkModel.class);
        assertEquals(RobustFixtures.standard(), mixed.standardModel());
        assertEquals(robust, mixed.robustModel());
        assertEquals("120", robust.getProvenance().getDatasetProvenance().getNumExamples() + "");
        ReportSection section = report.build().sections().get(0);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> accuracy = (Map<String, Map<String, Object>>) section.results().get("accuracy");
        assertEquals(List.of("standard (source)", "fixed alpha 0.25", "fixed alpha 0.5", "fixed alpha 0.75",
                "robust (120 examples)", "mixing network (60 examples)"), List.copyOf(accuracy.keySet()));
        for (Map<String, Object> figures : accuracy.values()) {
            assertTrue((Double) figures.get("pgd-linf-2@0.05") <= (Double) figures.get("clean"));
        }
        assertEquals(1, section.charts().size());
        assertTrue(report.build().provenance().containsKey("robust-model"));
        assertTrue(report.build().provenance().containsKey("adaptive-smoothing-model"));
        Helpers.testConfigurableRoundtrip(step);
    }

    @Test
    public void exampleConfigurationBuildsTheStep() {
        ConfigurationManager cm = new ConfigurationManager(
                Path.of("..", "examples", "configs", "robust-step.xml").toAbsolutePath().normalize().toString());
        RobustnessStep step = (RobustnessStep) cm.lookup("robust-step");
        Helpers.testConfigurableRoundtrip(step);
        assertTrue(step.title().startsWith("Robustness"));
    }
}
