package org.tribuoadapt.examples.bench.pruning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.pruning.MagnitudePruning;
import org.tribuoadapt.core.pruning.PruningTrainer;
import org.tribuoadapt.core.pruning.Regime;
import org.tribuoadapt.core.pruning.ThreeRegimeModel;
import org.tribuoadapt.examples.bench.core.EmbeddedSample;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench pruning} end to end on the first images of the embedded sample: a line per cell, a summary, and the
 * phase plot in the report; and the example configuration.
 */
public class PruningBenchmarkTest {

    @Test
    public void printsACellPerLoadAndTemperatureAndWritesThePhasePlot(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Path out = dir.resolve("report");
        new PruningBenchmark().run(List.of("--examples", "200", "--ratios", "0.5,0.9", "--lrs", "0.05,0.1",
                        "--epochs", "1", "--retrain-epochs", "1", "--hidden", "16", "--out", out.toString()),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).trim().split("\n");
        assertEquals(5, lines.length);
        ObjectMapper mapper = new ObjectMapper();
        for (int i = 0; i < 4; i++) {
            JsonNode cell = mapper.readTree(lines[i]);
            assertEquals(11, cell.get("train_error_path").size(), lines[i]);
            double cka = cell.get("cka").asDouble();
            assertTrue(cka > 0 && cka <= 1.0001, lines[i]);
            Regime regime = Regime.valueOf(cell.get("regime").asText().replace('-', '_'));
            assertEquals(regime.raisingTemperatureHelps(), cell.get("predicted_raising_temperature_helps").asBoolean());
            // the highest temperature has no higher one to compare with
            assertEquals(cell.get("lr").asDouble() == 0.1, cell.get("observed_raising_temperature_helps").isNull(), lines[i]);
        }
        JsonNode summary = mapper.readTree(lines[4]);
        assertEquals(4, summary.get("cells").asInt());
        assertEquals(2, summary.get("prediction_checked").asInt());
        JsonNode charts = mapper.readTree(Files.readString(out.resolve("report.json"))).get("sections").get(0).get("charts");
        assertEquals("grid", charts.get(0).get("type").asText());
        assertEquals(2, charts.get(0).get("columns").size());
        assertTrue(Files.readString(out.resolve("report.html")).contains("Three regimes"));
    }

    @Test
    public void theExampleConfigurationPrunesAndRetrains() throws Exception {
        ConfigurationManager cm = new ConfigurationManager("../examples/configs/pruning.xml");
        PruningTrainer pruningTrainer = (PruningTrainer) cm.lookup("pruning-trainer");
        assertEquals(new MagnitudePruning(0.9, org.tribuoadapt.core.pruning.PruningScope.LAYER_WISE), pruningTrainer.pruning());
        assertEquals(Regime.II_A, ((ThreeRegimeModel) cm.lookup("three-regimes")).classify(-0.002, 0.9));
        NetworkTrainer dense = (NetworkTrainer) cm.lookup("dense-trainer");
        MutableDataset<Label> train = EmbeddedSample.load("train", 100);
        NetworkModel model = dense.train(train);
        NetworkModel pruned = pruningTrainer.train(train, model);
        Map<String, ?> run = pruned.getProvenance().getInstanceProvenance().getMap();
        assertEquals(0.1, Double.parseDouble(run.get(PruningTrainer.DENSITY).toString()), 1e-3);
        cm.close();
    }
}
