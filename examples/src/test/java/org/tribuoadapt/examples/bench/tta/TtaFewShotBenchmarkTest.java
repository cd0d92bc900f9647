package org.tribuoadapt.examples.bench.tta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class TtaFewShotBenchmarkTest {

    private static List<JsonNode> run(List<String> args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new TtaFewShotBenchmark().run(args, out);
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(json.readTree(line));
        }
        return lines;
    }

    @Test
    public void printsOneRowPerMethodAndShotCount() throws Exception {
        List<JsonNode> lines = run(List.of("--train-examples", "100", "--epochs", "1", "--examples", "16",
                "--corruptions", "fog", "--batch-size", "8", "--shots", "1,2", "--methods", "lora,head",
                "--finetune-epochs", "2", "--select-lr", "1e-3,1e-2"));
        assertEquals(1 + 3 + 2 * 2 * 2 + 1, lines.size());
        assertEquals("source-model", lines.get(0).get("event").asText());
        // the embedded test split has 2000 images; 2 shots of each of the 10 classes leave the evaluation stream
        assertEquals(2000 - 10 * 2, lines.get(0).get("evaluationPool").asInt());
        Set<String> rows = new HashSet<>();
        for (JsonNode line : lines.subList(1, lines.size() - 1)) {
            assertEquals("fog-5", line.get("domain").asText());
            double accuracy = line.get("accuracy").asDouble();
            assertTrue(accuracy >= 0 && accuracy <= 1, line.toString());
            rows.add(line.get("method").asText() + "/" + line.get("shots").asInt());
        }
        assertEquals(Set.of("source/0", "tent/0", "eata/0", "lora/1", "lora/2", "lora-cv/1", "lora-cv/2", "head/1",
                "head/2", "head-cv/1", "head-cv/2"), rows);
        for (JsonNode line : lines.subList(1, lines.size() - 1)) {
            String method = line.get("method").asText();
            if (method.endsWith("-cv")) {
                // one of the candidates, chosen by 2-fold cross-validation on the shots
                assertTrue(Set.of(1e-3, 1e-2).contains(line.get("learningRate").asDouble()), line.toString());
                assertEquals(2, line.get("folds").asInt());
                assertEquals(2, line.get("crossValidatedAccuracy").size());
            } else if (method.equals("head")) {
                // the head maps 128 hidden units to 10 classes
                assertEquals(128 * 10 + 10, line.get("trainableParams").asLong());
            }
        }
        assertEquals("done", lines.get(lines.size() - 1).get("event").asText());
    }

    @Test
    public void refusesAnUnknownMethodBeforeTraining() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(List.of("--methods", "prompt")));
        assertTrue(e.getMessage().contains("lora, bitfit and head"), e.getMessage());
    }
}
