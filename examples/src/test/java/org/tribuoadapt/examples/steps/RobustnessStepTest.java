package org.tribuoadapt.examples.steps;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.FileProvenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.pipeline.PipelineContext;
import org.tribuoadapt.pipeline.ProgressSink;
import org.tribuoadapt.report.Report;
import org.tribuoadapt.report.ReportSection;
import org.tribuoadapt.robust.adversarial.AdversarialObjective;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluationProvenance;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluator;
import org.tribuoadapt.robust.smoothing.MixingNetworkModel;
import org.tribuoadapt.robust.smoothing.MixingNetworkSpec;
import org.tribuoadapt.robust.smoothing.MixingNetworkTrainer;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import org.tribuoadapt.core.model.NetworkTrainer;

public class RobustnessStepTest {

    @Test
    public void trainsMixesEvaluatesAndReports(@TempDir Path dir) throws IOException {
        PGDAttack training = new PGDAttack(AttackNorm.LINF, 0.05, 0.03, 2, true, 1);
        // the step supplies the mixing network's bases, as the files it saves
        MixingNetworkTrainer mixing = new MixingNetworkTrainer(new MixingNetworkSpec("pool1", "pool1", 4, 8), training,
                new AdamOptimiserFactory(0.01), 1, 30, 2L);
        RobustnessStep step = new RobustnessStep(new NetworkTrainer(RobustFixtures.cnn(), new AdamOptimiserFactory(0.01),
                1, 30, 1L).withObjective(new AdversarialObjective(training)), 120, new RobustnessEvaluator(List.of(new PGDAttack(AttackNorm.LINF, 0.05, 2)),
                new double[0], 64, 1L, 30), mixing, 60);
        Report.Builder report = Report.builder("test");
        PipelineContext context = new PipelineContext(report, dir, ProgressSink.NONE);
        context.putDataset("train", RobustFixtures.train());
        context.putDataset("test", RobustFixtures.test());
        context.putModel("source", RobustFixtures.standard());
        step.run(context);

        NetworkModel robust = context.model("robust", NetworkModel.class);
        MixingNetworkModel mixed = context.model("adaptive-smoothing", MixingNetworkModel.class);
        // the mixture's bases are the saved files, read back: same provenance, same weights
        Path standardFile = dir.resolve("models").resolve("source.tribuo").toAbsolutePath();
        Path robustFile = dir.resolve("models").resolve("robust.tribuo").toAbsolutePath();
        assertEquals(RobustFixtures.standard().getProvenance(), mixed.standardModel().getProvenance());
        assertArrayEquals(RobustFixtures.standard().weightBytes(), mixed.standardModel().weightBytes());
        assertArrayEquals(robust.weightBytes(), mixed.robustModel().weightBytes());
        Map<String, ? extends Provenance> mixedRun = mixed.getProvenance().getInstanceProvenance().getMap();
        assertEquals(NetworkProvenance.sha256(Files.readAllBytes(robustFile)), mixedRun.get("robust-model-sha256").toString());
        assertEquals(NetworkProvenance.sha256(Files.readAllBytes(standardFile)),
                mixedRun.get("standard-model-sha256").toString());
        assertEquals(List.of("robust.tribuo", "source.tribuo"), Arrays.stream(dir.resolve("models").toFile().list())
                .sorted().toList(), "the two base models and no temporary files");
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
        // every evaluation entry has its metrics next to it under the same name; every mixture has a model entry
        Map<String, ObjectProvenance> provenance = report.build().provenance();
        for (String name : List.of("robustness-alpha-0.0", "robustness-alpha-0.25", "robustness-alpha-0.5",
                "robustness-alpha-0.75", "robustness-alpha-1.0", "adaptive-smoothing-evaluation")) {
            assertTrue(provenance.get(name) instanceof RobustnessEvaluationProvenance, name);
            @SuppressWarnings("unchecked")
            Map<String, Double> metrics = (Map<String, Double>) section.results().get(name);
            assertEquals(List.of("accuracy", "accuracy@pgd-linf-2@0.05"), List.copyOf(metrics.keySet()), name);
        }
        assertEquals(RobustFixtures.standard().getProvenance(), evaluatedModel(provenance, "robustness-alpha-0.0"));
        assertEquals(robust.getProvenance(), provenance.get("robust-model"));
        assertEquals(provenance.get("robust-model"), evaluatedModel(provenance, "robustness-alpha-1.0"));
        assertEquals(mixed.getProvenance(), provenance.get("adaptive-smoothing-model"));
        assertEquals(provenance.get("adaptive-smoothing-model"), evaluatedModel(provenance, "adaptive-smoothing-evaluation"));
        for (String alpha : List.of("0.25", "0.5", "0.75")) {
            ModelProvenance mixture = (ModelProvenance) provenance.get("adaptive-smoothing-alpha-" + alpha + "-model");
            assertEquals(mixture, evaluatedModel(provenance, "robustness-alpha-" + alpha));
            Map<String, Provenance> configured = mixture.getTrainerProvenance().getConfiguredParameters();
            assertEquals(new FileProvenance("robustModelPath", robustFile), configured.get("robustModelPath"));
            assertEquals(new FileProvenance("standardModelPath", standardFile), configured.get("standardModelPath"));
        }
        assertEquals((Double) accuracy.get("fixed alpha 0.5").get("clean"),
                ((Map<?, ?>) section.results().get("robustness-alpha-0.5")).get("accuracy"));
        Helpers.testConfigurableRoundtrip(step);
    }

    private static ModelProvenance evaluatedModel(Map<String, ObjectProvenance> provenance, String evaluation) {
        return ((RobustnessEvaluationProvenance) provenance.get(evaluation)).getModelProvenance();
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
