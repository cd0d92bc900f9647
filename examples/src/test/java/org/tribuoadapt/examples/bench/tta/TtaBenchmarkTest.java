package org.tribuoadapt.examples.bench.tta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class TtaBenchmarkTest {

    private static void writeData(Path dir) throws Exception {
        int[] trainLabels = new int[100];
        int[] testLabels = new int[40];
        for (int i = 0; i < trainLabels.length; i++) {
            trainLabels[i] = i % 10;
        }
        for (int i = 0; i < testLabels.length; i++) {
            testLabels[i] = i % 10;
        }
        TtaFixtures.writeIdx(dir, "train", TtaFixtures.garments(100, 1), trainLabels);
        TtaFixtures.writeIdx(dir, "t10k", TtaFixtures.garments(40, 2), testLabels);
    }

    private static List<JsonNode> run(List<String> args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new TtaBenchmark().run(args, out);
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(json.readTree(line));
        }
        return lines;
    }

    @Test
    public void theLabelShiftScenarioSubsamplesEveryDomainToDirichletPriors(@TempDir Path dir) throws Exception {
        writeData(dir);
        List<JsonNode> lines = run(List.of("--data", dir.toString(), "--epochs", "1", "--examples", "0",
                "--corruptions", "fog,contrast", "--severities", "5", "--scenarios", "label-shift",
                "--batch-sizes", "8", "--methods", "source,label-shift-adapter", "--class-prior-alpha", "0.5"));
        // the source-model line, 2 methods, done
        assertEquals(1 + 2 + 1, lines.size());
        for (JsonNode line : lines.subList(1, 3)) {
            assertEquals("label-shift", line.get("scenario").asText());
            assertEquals(0.5, line.get("classPriorConcentration").asDouble(), 0);
            // 40 test images, 4 per class: the subsample that follows the priors is smaller
            assertTrue(line.get("examplesPerDomain").asInt() < 40, line.toString());
        }
        assertEquals("label-shift-adapter", lines.get(2).get("method").asText());
    }

    @Test
    public void printsOneJsonLinePerScenarioBatchSizeAndMethod(@TempDir Path dir) throws Exception {
        writeData(dir);
        Path model = dir.resolve("cnn.model");
        List<JsonNode> lines = run(List.of("--data", dir.toString(), "--epochs", "1", "--save-model", model.toString(),
                "--examples", "8", "--examples-batch1", "2", "--corruptions", "fog,contrast", "--severities", "2,5",
                "--scenarios", "reset,dirichlet", "--batch-sizes", "4,1", "--methods", "source,alpha-bn,lame",
                "--dirichlet-delta", "1.0"));
        assertEquals("source-model", lines.get(0).get("event").asText());
        assertEquals(100, lines.get(0).get("trainExamples").asInt());
        assertTrue(Files.exists(model));
        // 2 batch sizes x 2 scenarios x 3 methods
        assertEquals(1 + 12 + 1, lines.size());
        JsonNode first = lines.get(1);
        assertEquals("tta", first.get("bench").asText());
        assertEquals("reset", first.get("scenario").asText());
        assertEquals(4, first.get("batchSize").asInt());
        assertEquals("source", first.get("method").asText());
        assertEquals(4, first.get("domains").asInt());
        assertEquals(8, first.get("examplesPerDomain").asInt());
        double mean = (first.get("severityAccuracy").get("2").asDouble() + first.get("severityAccuracy").get("5").asDouble()) / 2;
        assertEquals(mean, first.get("meanAccuracyAllSeverities").asDouble(), 1e-12);
        assertEquals(first.get("severityAccuracy").get("5").asDouble(), first.get("meanAccuracySeverity5").asDouble(), 0);
        assertEquals(2, lines.get(7).get("examplesPerDomain").asInt());
        assertEquals("done", lines.get(lines.size() - 1).get("event").asText());
        // a saved model is loaded instead of trained
        List<JsonNode> again = run(List.of("--data", dir.toString(), "--model", model.toString(), "--examples", "4",
                "--corruptions", "fog", "--severities", "5", "--scenarios", "continual", "--batch-sizes", "4",
                "--methods", "bn-adapt,lame", "--lame-affinity", "linear", "--lame-knn", "3"));
        assertEquals("loaded", again.get(0).get("model").asText());
        assertEquals(lines.get(0).get("cleanTestAccuracy").asDouble(), again.get(0).get("cleanTestAccuracy").asDouble(), 0);
        assertEquals(2 + 3, again.size());
        // LAME's line names the affinity and k it ran with
        assertEquals("lame", again.get(3).get("method").asText());
        assertEquals("LINEAR", again.get(3).get("lameAffinity").asText());
        assertEquals(3, again.get(3).get("lameKnn").asInt());
        assertTrue(again.get(2).get("lameAffinity") == null);
    }

    @Test
    public void badOptionsAreNamed(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(List.of("--examples")));
        assertEquals("option --examples needs a value", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> run(List.of("--exampels", "3")));
        assertTrue(e.getMessage().startsWith("unknown option '--exampels'; options are --data"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> run(List.of("--data", dir.toString())));
        assertTrue(e.getMessage().contains("set --data to the folder holding them"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> run(List.of("--epochs", "two")));
        assertEquals("--epochs needs an integer, found 'two'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> run(List.of("--lame-affinity", "cosine")));
        assertEquals("--lame-affinity must be one of [KNN, RBF, LINEAR], found 'cosine'", e.getMessage());
    }
}
