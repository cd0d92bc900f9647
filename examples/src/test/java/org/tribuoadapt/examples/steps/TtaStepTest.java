package org.tribuoadapt.examples.steps;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.pipeline.PipelineContext;
import org.tribuoadapt.pipeline.ProgressSink;
import org.tribuoadapt.report.Report;
import org.tribuoadapt.report.ReportSection;
import org.tribuoadapt.tta.method.batchnorm.BatchNormAdapt;
import org.tribuoadapt.tta.method.lame.Lame;
import org.tribuoadapt.tta.method.tent.Tent;
import org.tribuoadapt.tta.scenario.CorruptionScenario;
import org.tribuoadapt.tta.scenario.StreamMode;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class TtaStepTest {

    private static CorruptionScenario scenario(StreamMode mode) {
        return new CorruptionScenario(List.of("fog", "contrast"), List.of(3, 5), TtaFixtures.SIZE, TtaFixtures.SIZE,
                mode, 8, 0.0, 0, 2L);
    }

    @Test
    public void addsASectionPerScenarioWithProvenance(@TempDir Path dir) {
        TtaStep step = new TtaStep(List.of(scenario(StreamMode.RESET), scenario(StreamMode.CONTINUAL)),
                List.of(new BatchNormAdapt(), Tent.withDefaults(), Lame.withDefaults()),
                "Subset: 2 corruptions x severities 3 and 5.");
        Report.Builder report = Report.builder("test");
        PipelineContext context = new PipelineContext(report, dir, ProgressSink.NONE);
        context.putDataset("train", TtaFixtures.train());
        context.putDataset("test", TtaFixtures.test(20));
        context.putModel("source", TtaFixtures.cnn());
        step.run(context);
        Report built = report.build();
        assertEquals(List.of("Test-time adaptation (reset)", "Test-time adaptation (continual)"),
                built.sections().stream().map(ReportSection::title).toList());
        ReportSection reset = built.sections().get(0);
        assertEquals("Subset: 2 corruptions x severities 3 and 5.", reset.text().get(0));
        assertEquals(1, reset.charts().size());
        // summary, per-domain and per-severity tables; the figures of Source and the three configured methods
        assertEquals(3, reset.tables().size());
        assertEquals("RESET", reset.results().get("mode"));
        assertEquals(4, ((Map<?, ?>) reset.results().get("methods")).size());
        // four evaluations per scenario: Source first, then the configured methods
        assertEquals(8, built.provenance().size());
        assertTrue(built.provenance().containsKey("tta-2-continual-tent"), built.provenance().keySet().toString());
        Helpers.testConfigurableRoundtrip(step);
    }

    @Test
    public void loadsFromAnOlcutConfiguration() {
        ConfigurationManager cm = new ConfigurationManager("/org/tribuoadapt/examples/steps/tta-step-test.xml");
        TtaStep step = (TtaStep) cm.lookup("tta-step");
        assertEquals("Test-time adaptation", step.title());
        cm.close();
    }

    @Test
    public void theShippedMainJobConfigurationLoads() {
        Path config = Path.of("..", "examples", "configs", "tta-step.xml").toAbsolutePath().normalize();
        ConfigurationManager cm = new ConfigurationManager(config.toString());
        TtaStep step = (TtaStep) cm.lookup("tta-step");
        assertTrue(step.toString().contains("4 corruptions x severities [3, 5], reset, batch 64, i.i.d., 150 per domain")
                && step.toString().contains("continual, batch 64"), step.toString());
        Helpers.testConfigurableRoundtrip(step);
        cm.close();
    }

    @Test
    public void needsScenariosAndMethods() {
        PropertyException e = assertThrows(PropertyException.class,
                () -> new TtaStep(List.of(), List.of(new BatchNormAdapt()), ""));
        assertTrue(e.getMessage().contains("at least one scenario"), e.getMessage());
        e = assertThrows(PropertyException.class, () -> new TtaStep(List.of(scenario(StreamMode.RESET)), List.of(), ""));
        assertTrue(e.getMessage().contains("at least one method"), e.getMessage());
    }
}
