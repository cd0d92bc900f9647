package org.tribuoadapt.examples.steps;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.data.IDXImageDataSource;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftTrainer;
import org.tribuoadapt.peft.SyntheticIdxFiles;
import org.tribuoadapt.peft.lora.LoraSpec;
import org.tribuoadapt.pipeline.PipelineContext;
import org.tribuoadapt.pipeline.ProgressSink;
import org.tribuoadapt.report.Report;
import org.tribuoadapt.report.ReportSection;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class PeftAdaptationStepTest {

    private static final int SIZE = 12;

    private static IDXImageDataSource source(Path dir, String split, List<Integer> classes, int perClass) throws IOException {
        return new IDXImageDataSource(dir.resolve(split + "-images.gz").toString(), dir.resolve(split + "-labels.gz").toString(),
                List.of(), classes, perClass);
    }

    @Test
    public void pretrainsAdaptsAndReports(@TempDir Path dir) throws Exception {
        SyntheticIdxFiles.write(dir.resolve("train-images.gz"), dir.resolve("train-labels.gz"), 400, SIZE, TestSeeds.of(1));
        SyntheticIdxFiles.write(dir.resolve("test-images.gz"), dir.resolve("test-labels.gz"), 300, SIZE, TestSeeds.of(2));
        List<Integer> first = List.of(0, 1, 2, 3, 4);
        List<Integer> second = List.of(5, 6, 7, 8, 9);
        // an MLP source keeps the test fast; the main job's configuration uses the CNN
        MLPSpec mlp = new MLPSpec(SIZE * SIZE, new int[] {32}, Activation.RELU, 0.0);
        PeftTrainer trainer = new PeftTrainer(new LoraSpec(AdapterTargets.modules("fc1").saving("head"), 2, 4),
                new AdamOptimiserFactory(0.03), 3, 16, TestSeeds.of(3));
        // "all" is a cap above the class sizes: OLCUT's configuration round trip cannot hold the data source's default of -1
        int all = 1000;
        PeftAdaptationStep step = new PeftAdaptationStep(source(dir, "train", first, all), source(dir, "test", first, all),
                source(dir, "train", second, 10), source(dir, "train", second, all), source(dir, "test", second, all),
                new NetworkTrainer(mlp, new AdamOptimiserFactory(0.01), 3, 16, TestSeeds.of(1)), trainer, null);
        Report.Builder report = Report.builder("test");
        PipelineContext context = new PipelineContext(report, dir, ProgressSink.NONE);
        step.run(context);

        NetworkModel source = context.model("peft-source", NetworkModel.class);
        PeftModel fewShot = context.model("peft-few-shot", PeftModel.class);
        PeftModel full = context.model("peft-full", PeftModel.class);
        assertEquals(5, source.getOutputIDInfo().size());
        assertTrue(fewShot.getOutputIDInfo().getDomain().contains(new Label("5")));
        assertEquals(List.of("default"), full.adapterNames());
        ReportSection section = report.build().sections().get(0);
        assertEquals(3, section.tables().get(0).rows().size());
        Map<String, Object> results = section.results();
        for (String key : new String[] {"sourceAccuracy", "fewshotAccuracy", "fullAccuracy"}) {
            double accuracy = ((Number) results.get(key)).doubleValue();
            assertTrue(accuracy >= 0 && accuracy <= 1, key + " = " + accuracy);
        }
        assertTrue(((Number) results.get("fullAccuracy")).doubleValue() > 0.5, "the adapter learns the new classes (chance is 0.2): " + results);
        assertTrue(((Number) results.get("fullTrainablePercent")).doubleValue() < 100);
        assertTrue(((Number) results.get("fullPeakRssBytes")).longValue() != 0);
        assertTrue(report.build().provenance().containsKey("peft-full-model"));
        Helpers.testConfigurableRoundtrip(step);
    }
}
