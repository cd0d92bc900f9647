package org.tribuoadapt.examples.bench.widenet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.MixtureOfExperts;
import org.tribuoadapt.core.nn.spec.WideNetSpec;
import org.tribuoadapt.core.train.LoadBalancingObjective;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench widenet} end to end on the first images of the embedded sample: a line per arm and seed, then a
 * summary per arm; WideNet has fewer parameters than the ViT of the same per-token cost.
 */
public class WideNetBenchmarkTest {

    @Test
    public void printsARunPerArmAndSeedThenTheMedians() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new WideNetBenchmark().run(List.of("--examples", "128", "--epochs", "1", "--seeds", "1", "--batch", "64"),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).trim().split("\n");
        assertEquals(4, lines.length);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode transformer = mapper.readTree(lines[0]);
        JsonNode wideNet = mapper.readTree(lines[1]);
        assertEquals("transformer", transformer.get("arm").asText());
        assertEquals("widenet", wideNet.get("arm").asText());
        assertTrue(wideNet.get("parameters").asLong() < transformer.get("parameters").asLong(), lines[1]);
        assertEquals(0.01, wideNet.get("balance_weight").asDouble());
        for (int i = 2; i < 4; i++) {
            JsonNode summary = mapper.readTree(lines[i]);
            assertEquals(1, summary.get("accuracies").size());
            double median = summary.get("median_accuracy").asDouble();
            assertTrue(median >= 0 && median <= 1, lines[i]);
        }
    }

    @Test
    public void theExampleConfigurationTrainsAWideNetWithTheLoadBalancingObjective() {
        ConfigurationManager cm = new ConfigurationManager("../examples/configs/widenet.xml");
        NetworkTrainer trainer = (NetworkTrainer) cm.lookup("trainer");
        assertEquals(0.01, ((LoadBalancingObjective) trainer.objective()).weight());
        try (Network network = ((WideNetSpec) cm.lookup("widenet")).build(10, 1L)) {
            MixtureOfExperts moe = (MixtureOfExperts) network.layer("encoder.moe");
            assertEquals(4, moe.experts());
            assertEquals(2, moe.topK());
            assertEquals(1.25, moe.capacityFactor());
        }
        cm.close();
    }
}
