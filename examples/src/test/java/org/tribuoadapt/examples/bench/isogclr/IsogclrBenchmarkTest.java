package org.tribuoadapt.examples.bench.isogclr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.contrastive.ContrastiveTrainer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench isogclr} end to end on the first images of the embedded sample: an iSogCLR, a SogCLR and a random
 * encoder line per seed, then the medians of their probe accuracies.
 */
public class IsogclrBenchmarkTest {

    @Test
    public void printsThreeEncodersPerSeedAndTheirMedians() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new IsogclrBenchmark().run(List.of("--examples", "256", "--epochs", "1", "--seeds", "1,2", "--batch", "64",
                "--probe-epochs", "2"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).trim().split("\n");
        assertEquals(7, lines.length);
        ObjectMapper mapper = new ObjectMapper();
        List<String> encoders = List.of("isogclr", "sogclr", "random");
        double[][] accuracies = new double[3][2];
        for (int seed = 0; seed < 2; seed++) {
            for (int e = 0; e < 3; e++) {
                JsonNode run = mapper.readTree(lines[3 * seed + e]);
                assertEquals(encoders.get(e), run.get("encoder").asText());
                assertEquals(seed + 1, run.get("seed").asLong());
                accuracies[e][seed] = run.get("probe_accuracy").asDouble();
                assertTrue(accuracies[e][seed] >= 0 && accuracies[e][seed] <= 1, run.toString());
            }
        }
        JsonNode summary = mapper.readTree(lines[6]);
        for (int e = 0; e < 3; e++) {
            assertEquals((accuracies[e][0] + accuracies[e][1]) / 2,
                    summary.get(encoders.get(e) + "_median_accuracy").asDouble(), 1e-4);
        }
    }

    @Test
    public void exampleConfigurationBuildsBothTrainers() {
        ConfigurationManager cm = new ConfigurationManager("../examples/configs/isogclr.xml");
        ContrastiveTrainer isogclr = (ContrastiveTrainer) cm.lookup("trainer");
        ContrastiveTrainer sogclr = (ContrastiveTrainer) cm.lookup("sogclr-trainer");
        assertTrue(isogclr.toString().contains("iSogCLR(initialTemperature=0.2"), isogclr.toString());
        assertTrue(sogclr.toString().contains("SogCLR(temperature=0.2"), sogclr.toString());
    }
}
