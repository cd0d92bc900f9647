package org.tribuoadapt.examples.bench.tta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class DaBenchmarkTest {

    private static List<JsonNode> run(List<String> args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new DaBenchmark().run(args, out);
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(json.readTree(line));
        }
        return lines;
    }

    @Test
    public void printsTheSourceRowAndOneRowPerWeightingAndSeed() throws Exception {
        List<JsonNode> lines = run(List.of("--train-examples", "100", "--epochs", "1", "--test-examples", "200",
                "--target-examples", "100", "--corruptions", "contrast", "--steps", "3", "--batch-size", "16", "--bottleneck", "8", "--seeds", "1"));
        assertEquals(1 + 1 + 4 + 1, lines.size());
        assertEquals("source-model", lines.get(0).get("event").asText());
        assertEquals(100, lines.get(0).get("evaluationExamples").asInt());
        List<String> methods = new ArrayList<>();
        for (JsonNode line : lines.subList(1, lines.size() - 1)) {
            assertEquals("contrast-5", line.get("domain").asText());
            double accuracy = line.get("accuracy").asDouble();
            assertTrue(accuracy >= 0 && accuracy <= 1, line.toString());
            methods.add(line.get("method").asText());
        }
        assertEquals(List.of("source", "source-only", "equal-sum", "min-norm", "pareto"), methods);
        assertEquals(0.0, lines.get(2).get("meanObjectiveWeights").get(2).asDouble());
        assertEquals("done", lines.get(lines.size() - 1).get("event").asText());
    }

    @Test
    public void refusesATargetSetThatLeavesNoEvaluationImages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(List.of("--test-examples", "300", "--target-examples", "300")));
        assertTrue(e.getMessage().contains("--target-examples must leave evaluation images out of the 300"), e.getMessage());
    }
}
