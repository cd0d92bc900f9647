package org.tribuoadapt.examples.steps;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.pipeline.Pipeline;
import org.tribuoadapt.pipeline.ProgressSink;
import org.tribuoadapt.report.ReportContents;
import org.tribuoadapt.report.ReportReader;
import org.tribuoadapt.reproduce.Reproducer;
import org.tribuoadapt.reproduce.ReproductionCheck;
import org.tribuoadapt.robust.adversarial.AdversarialObjective;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluator;
import org.tribuoadapt.robust.smoothing.MixingNetworkSpec;
import org.tribuoadapt.robust.smoothing.MixingNetworkTrainer;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a small pipeline (source CNN, then the robustness step) on synthetic IDX data, writes its report, reads it
 * back and reproduces every recorded model and evaluation from the report's provenance alone.
 */
public class RobustnessReproductionTest {

    @TempDir
    static Path dir;

    private static ReportContents report;
    private static Map<String, Map<String, Double>> recorded;

    @BeforeAll
    public static void runThePipeline() throws IOException {
        Path data = Files.createDirectory(dir.resolve("data"));
        PGDAttack training = new PGDAttack(AttackNorm.LINF, 0.05, 0.03, 2, true, 1);
        RobustnessStep step = new RobustnessStep(new NetworkTrainer(RobustFixtures.cnn(),
                new AdamOptimiserFactory(0.01), 1, 30, 1L).withObjective(new AdversarialObjective(training)), 120,
                new RobustnessEvaluator(List.of(new PGDAttack(AttackNorm.LINF, 0.05, 2)), new double[0], 64, 3L, 30),
                new MixingNetworkTrainer(new MixingNetworkSpec("pool1", "pool1", 4, 8), training,
                        new AdamOptimiserFactory(0.01), 1, 30, 2L), 60);
        SourceTrainingStep source = new SourceTrainingStep(new NetworkTrainer(RobustFixtures.cnn(),
                new AdamOptimiserFactory(0.01), 3, 32, 7L), "source", "Source network");
        Pipeline pipeline = new Pipeline("reproduction", RobustFixtures.barsAndStripesSource(data, "train", 240, 11),
                RobustFixtures.barsAndStripesSource(data, "t10k", 60, 12), List.of(source, step));
        report = ReportReader.read(pipeline.run(dir.resolve("out"), ProgressSink.NONE).json());
        recorded = report.recordedMetrics();
    }

    @Test
    public void everyModelAndEvaluationOfTheStepIsReproducedExactly() {
        List<ReproductionCheck> checks = Reproducer.reproduce(report.provenance(), recorded::get);
        String details = checks.stream().map(c -> (c.passed() ? "[match] " : "[DIFFER] ") + c.name() + " "
                + c.details()).collect(Collectors.joining("\n"));
        assertEquals(List.of("source-model", "robust-model", "adaptive-smoothing-alpha-0.25-model",
                "adaptive-smoothing-alpha-0.5-model", "adaptive-smoothing-alpha-0.75-model", "adaptive-smoothing-model",
                "source-evaluation", "robustness-alpha-0.0", "robustness-alpha-0.25", "robustness-alpha-0.5",
                "robustness-alpha-0.75", "robustness-alpha-1.0", "adaptive-smoothing-evaluation"),
                checks.stream().map(ReproductionCheck::name).toList(), details);
        for (ReproductionCheck check : checks) {
            assertTrue(check.passed(), details);
        }
        ReproductionCheck mixing = checks.stream().filter(c -> c.name().equals("adaptive-smoothing-model")).findFirst()
                .orElseThrow();
        assertTrue(mixing.details().get(0).startsWith("weights identical"), mixing.details().toString());
        ReproductionCheck curve = checks.stream().filter(c -> c.name().equals("robustness-alpha-0.5")).findFirst()
                .orElseThrow();
        assertEquals(List.of("matches accuracy", "matches accuracy@pgd-linf-2@0.05"),
                curve.details().stream().map(d -> d.substring(0, d.indexOf(':'))).toList(), curve.details().toString());
    }

    @Test
    public void aReplacedBaseModelFileIsDetected() throws IOException {
        Path models = dir.resolve("out").resolve(RobustnessStep.MODELS_FOLDER);
        Path robust = models.resolve("robust.tribuo");
        Path original = dir.resolve("robust.tribuo.original");
        Files.copy(robust, original, StandardCopyOption.REPLACE_EXISTING);
        try {
            Files.copy(models.resolve("source.tribuo"), robust, StandardCopyOption.REPLACE_EXISTING);
            String name = "adaptive-smoothing-alpha-0.5-model";
            Map<String, ObjectProvenance> entry = Map.of(name, report.provenance().get(name));
            ReproductionCheck check = Reproducer.reproduce(entry, recorded::get).get(0);
            assertFalse(check.passed());
            assertTrue(check.details().stream().anyMatch(d -> d.contains("robust-model-sha256")), check.details().toString());
        } finally {
            Files.move(original, robust, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
