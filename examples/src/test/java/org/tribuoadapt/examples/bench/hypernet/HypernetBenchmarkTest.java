package org.tribuoadapt.examples.bench.hypernet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.HyperWeightHead;
import org.tribuoadapt.core.nn.spec.HypernetworkSpec;
import org.tribuoadapt.core.train.ConditionedWeightDecayObjective;
import org.tribuoadapt.examples.bench.core.EmbeddedSample;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench hypernet} end to end on the first images of the embedded sample, and the example configuration
 * {@code configs/hypernet.xml} training its MIP hypernetwork.
 */
public class HypernetBenchmarkTest {

    @Test
    public void printsALossCurveAndAccuraciesPerArmAndSeedThenTheMedians() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new HypernetBenchmark().run(List.of("--examples", "128", "--epochs", "2", "--seeds", "1", "--batch", "64",
                "--gammas", "0,1", "--test-examples", "200"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).trim().split("\n");
        assertEquals(4, lines.length);
        ObjectMapper mapper = new ObjectMapper();
        for (int i = 0; i < 4; i++) {
            JsonNode json = mapper.readTree(lines[i]);
            assertEquals(i % 2 == 0 ? "plain" : "mip", json.get("arm").asText(), lines[i]);
            JsonNode loss = json.get(i < 2 ? "loss_per_epoch" : "median_loss_per_epoch");
            assertEquals(2, loss.size(), lines[i]);
            JsonNode accuracy = json.get(i < 2 ? "accuracy_at_gamma" : "median_accuracy_at_gamma");
            for (String gamma : List.of("0.0", "1.0")) {
                double a = accuracy.get(gamma).asDouble();
                assertTrue(a >= 0 && a <= 1, lines[i]);
            }
        }
    }

    @Test
    public void theExampleConfigurationTrainsAMagnitudeInvariantHypernetwork() throws Exception {
        ConfigurationManager cm = new ConfigurationManager("../examples/configs/hypernet.xml");
        NetworkTrainer trainer = (NetworkTrainer) cm.lookup("trainer-mip");
        assertEquals(0.01, ((ConditionedWeightDecayObjective) trainer.objective()).maxDecay());
        MutableDataset<Label> train = HypernetBenchmark.conditioned(EmbeddedSample.load("train", 64), 0.5);
        assertEquals(784, train.getFeatureIDMap().get(HypernetBenchmark.CONDITION).getID(),
                "the conditioning feature comes after the pixels");
        NetworkModel model = trainer.train(train);
        try (Network network = model.newNetwork()) {
            assertTrue(((HyperWeightHead) network.layer("theta")).isResidual());
        }
        try (Network plain = ((HypernetworkSpec) cm.lookup("hypernet-plain")).build(10, 1L)) {
            assertFalse(((HyperWeightHead) plain.layer("theta")).isResidual());
        }
        cm.close();
    }
}
