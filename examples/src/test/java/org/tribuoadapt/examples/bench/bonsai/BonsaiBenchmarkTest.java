package org.tribuoadapt.examples.bench.bonsai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.data.SpuriousBackgroundDataSource;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.richfeatures.RichFeatureTrainer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench bonsai} end to end on a few images of the embedded sample: a plain and a Bonsai line per seed, then
 * the medians of their accuracies; and the example configuration.
 */
public class BonsaiBenchmarkTest {

    @Test
    public void printsBothInitialisationsPerSeedAndTheirMedians() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new BonsaiBenchmark().run(List.of("--per-class", "10", "--epochs", "1", "--discovery-epochs", "1",
                "--synthesis-epochs", "1", "--seeds", "1", "--batch", "32"),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).trim().split("\n");
        assertEquals(3, lines.length);
        ObjectMapper mapper = new ObjectMapper();
        List<String> methods = List.of("plain", "bonsai");
        for (int m = 0; m < 2; m++) {
            JsonNode run = mapper.readTree(lines[m]);
            assertEquals(methods.get(m), run.get("initialisation").asText());
            assertEquals(100, run.get("train_examples").asInt());
            for (String figure : new String[] {"in_distribution_accuracy", "anti_correlated_accuracy"}) {
                double accuracy = run.get(figure).asDouble();
                assertTrue(accuracy >= 0 && accuracy <= 1, run.toString());
                assertEquals(accuracy, mapper.readTree(lines[2]).get(methods.get(m) + "_" + figure + "_median").asDouble(),
                        1e-4);
            }
        }
    }

    @Test
    public void exampleConfigurationBuildsTheTrainersAndSources() {
        ConfigurationManager cm = new ConfigurationManager("../examples/configs/bonsai.xml");
        RichFeatureTrainer trainer = (RichFeatureTrainer) cm.lookup("trainer");
        assertTrue(trainer.toString().contains("rounds=2"), trainer.toString());
        assertTrue(cm.lookup("erm-trainer") instanceof NetworkTrainer);
        SpuriousBackgroundDataSource train = (SpuriousBackgroundDataSource) cm.lookup("train-source");
        SpuriousBackgroundDataSource anti = (SpuriousBackgroundDataSource) cm.lookup("test-source");
        assertEquals(3000, train.attributes().size());
        int i = 0;
        for (Example<Label> e : anti) {
            assertNotEquals(anti.classOrder().indexOf(e.getOutput().getLabel()), anti.attributes().get(i++));
        }
        assertEquals(2000, i);
    }
}
