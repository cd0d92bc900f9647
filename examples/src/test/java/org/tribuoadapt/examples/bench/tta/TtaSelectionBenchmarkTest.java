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

public class TtaSelectionBenchmarkTest {

    private static List<JsonNode> run(List<String> args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new TtaSelectionBenchmark().run(args, out);
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(json.readTree(line));
        }
        return lines;
    }

    @Test
    public void printsOneLinePerMethodWithOneRowPerScorer() throws Exception {
        List<JsonNode> lines = run(List.of("--train-examples", "100", "--validation-examples", "20", "--epochs", "1",
                "--examples", "8", "--corruptions", "fog", "--batch-size", "8", "--methods", "tent",
                "--learning-rates", "1e-3,1e-1"));
        assertEquals(3, lines.size());
        assertEquals("source-model", lines.get(0).get("event").asText());
        assertEquals(20, lines.get(0).get("validationExamples").asInt());
        JsonNode tent = lines.get(1);
        assertEquals("tent", tent.get("method").asText());
        assertEquals(2, tent.get("accuracies").size());
        assertEquals(5, tent.get("scorers").size());
        double oracle = tent.get("oracleAccuracy").asDouble();
        for (JsonNode row : tent.get("scorers")) {
            assertTrue(row.get("chosenAccuracy").asDouble() <= oracle, row.toString());
            assertEquals(2, row.get("scores").size());
        }
        assertEquals("done", lines.get(2).get("event").asText());
    }

    @Test
    public void refusesAnUnknownMethodBeforeTraining() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(List.of("--methods", "lame")));
        assertTrue(e.getMessage().contains("tent, eata and sar"), e.getMessage());
    }
}
