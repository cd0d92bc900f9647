package org.tribuoadapt.examples.bench.compander;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.CompandedLinear;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.nn.spec.MLPSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench compander} end to end on the first images of the embedded sample: a line per arm and seed, then a
 * summary per arm whose median is that of its runs; and the example configuration's networks.
 */
public class CompanderBenchmarkTest {

    private static List<JsonNode> run(String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new CompanderBenchmark().run(List.of(args), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).trim().split("\n")) {
            lines.add(mapper.readTree(line));
        }
        return lines;
    }

    @Test
    public void printsARunPerArmAndSeedThenTheMedians() throws Exception {
        List<JsonNode> lines = run("--examples", "128", "--epochs", "1", "--seeds", "1,2", "--batch", "64");
        assertEquals(4 * 2 + 4, lines.size());
        List<String> arms = List.of("plain", "weight-decay", "compander", "compander+weight-decay");
        for (int i = 0; i < 8; i++) {
            JsonNode runLine = lines.get(i);
            assertEquals(arms.get(i % 4), runLine.get("arm").asText());
            assertEquals(i < 4 ? 1 : 2, runLine.get("seed").asInt());
            assertEquals(128, runLine.get("train_examples").asInt());
            double accuracy = runLine.get("accuracy").asDouble();
            assertTrue(accuracy >= 0 && accuracy <= 1, runLine.toString());
            assertEquals(runLine.get("arm").asText().startsWith("compander"), runLine.has("alpha"), runLine.toString());
            assertEquals(runLine.get("arm").asText().endsWith("weight-decay") ? 0.05 : 0.0,
                    runLine.get("weight_decay").asDouble(), runLine.toString());
        }
        for (int a = 0; a < 4; a++) {
            JsonNode summary = lines.get(8 + a);
            assertEquals(arms.get(a), summary.get("arm").asText());
            double first = lines.get(a).get("accuracy").asDouble();
            double second = lines.get(4 + a).get("accuracy").asDouble();
            assertEquals((first + second) / 2, summary.get("median_accuracy").asDouble(), 1e-4);
            assertFalse(summary.has("seed"));
        }
    }

    @Test
    public void anUnknownModelIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("--model", "vit", "--examples", "64", "--epochs", "1", "--seeds", "1"));
        assertTrue(e.getMessage().contains("vit"), e.getMessage());
    }

    @Test
    public void theExampleConfigurationHasAPlainAndACompandedMlp() {
        ConfigurationManager cm = new ConfigurationManager("../examples/configs/weight-compander.xml");
        assertTrue(cm.lookup("trainer") instanceof NetworkTrainer);
        try (Network plain = ((MLPSpec) cm.lookup("mlp")).build(10, 1L);
             Network companded = ((MLPSpec) cm.lookup("companded-mlp")).build(10, 1L)) {
            for (String path : List.of("fc1", "fc2", "head")) {
                assertEquals(Linear.class, plain.layer(path).getClass(), path);
                assertEquals(0.5, ((CompandedLinear) companded.layer(path)).compander().alpha(), path);
                assertEquals(0.01, ((CompandedLinear) companded.layer(path)).compander().beta(), path);
            }
        }
        cm.close();
    }
}
