package org.tribuoadapt.examples.bench.hpo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench hpo} end to end on tiny Fashion-MNIST-shaped IDX files: every part prints its JSON lines.
 */
public class HpoBenchmarkTest {

    /** Writes gzipped IDX files of 28x28 images: class k is a bright bar on row 2 + 2k. */
    private static void writeIdx(Path dir, String prefix, int count, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] pixels = new byte[count * 784];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            int k = i % 10;
            labels[i] = (byte) k;
            for (int p = 0; p < 784; p++) {
                pixels[i * 784 + p] = (byte) rng.nextInt(60);
            }
            for (int c = 0; c < 28; c++) {
                pixels[i * 784 + (2 + 2 * k) * 28 + c] = (byte) 230;
            }
        }
        write(dir.resolve(prefix + "-images-idx3-ubyte.gz"), 0x803, new int[] {count, 28, 28}, pixels);
        write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), 0x801, new int[] {count}, labels);
    }

    private static void write(Path path, int magic, int[] dims, byte[] payload) throws IOException {
        try (OutputStream file = Files.newOutputStream(path);
             DataOutputStream out = new DataOutputStream(new GZIPOutputStream(file))) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(payload);
        }
    }

    private static List<JsonNode> run(Path data, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--data", data.toString(), "--rates", "1e-2",
                "--examples", "48", "--held-out", "20", "--epochs", "1", "--batch", "24", "--eval-every", "1",
                "--fed-examples", "40", "--rounds", "2", "--clients", "2", "--fraction", "0.5", "--local-batch", "10"));
        args.addAll(List.of(extra));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new HpoBenchmark().run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<JsonNode> lines = new ArrayList<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(mapper.readTree(line));
        }
        return lines;
    }

    private static List<JsonNode> part(List<JsonNode> lines, String part) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode l : lines) {
            if (l.get("part").asText().equals(part)) {
                out.add(l);
            }
        }
        return out;
    }

    @Test
    public void everyPartPrintsItsMeasurements(@TempDir Path data) throws IOException {
        writeIdx(data, "train", 60, 1);
        writeIdx(data, "t10k", 20, 2);
        List<JsonNode> lines = run(data);

        List<JsonNode> robustness = part(lines, "robustness");
        assertEquals(2, robustness.size());
        for (JsonNode r : robustness) {
            assertEquals("hpo", r.get("benchmark").asText());
            assertTrue(r.get("final_accuracy").asDouble() >= 0 && r.get("final_accuracy").asDouble() <= 1);
            assertEquals(2, r.get("curve").size(), "measured every step of a 2-step run");
        }
        assertEquals(2, part(lines, "robustness-summary").size());

        List<JsonNode> federated = part(lines, "federated");
        assertEquals(2, federated.size());
        assertEquals("GM+SL+CL", federated.get(1).get("schedulers").asText());
        assertEquals(2, federated.get(0).get("accuracy").size());
        assertEquals(1, part(lines, "federated-comparison").size());
        assertEquals(1, part(lines, "federated-summary").size());

        List<JsonNode> stepLaw = part(lines, "steplaw");
        assertEquals(3, stepLaw.size());
        assertEquals(3.29e-3, stepLaw.get(0).get("eta").asDouble(), 0.005e-3);
        assertEquals(1_107_715, stepLaw.get(1).get("batch_tokens").asDouble(), 1.0);
    }

    @Test
    public void pbtAndRandomSearchGetTheSameEpochs(@TempDir Path data) throws IOException {
        writeIdx(data, "train", 60, 1);
        writeIdx(data, "t10k", 20, 2);
        List<JsonNode> lines = run(data, "--parts", "d", "--pbt-train-per-class", "5", "--pbt-valid-per-class", "2",
                "--pbt-hidden", "4", "--pbt-population", "2", "--pbt-intervals", "2", "--pbt-seeds", "1");
        List<JsonNode> pbt = part(lines, "pbt");
        assertEquals(List.of("pbt", "random"), pbt.stream().map(l -> l.get("method").asText()).toList());
        for (JsonNode l : pbt) {
            assertEquals(4, l.get("epochs").asInt(), l.toString());
            assertTrue(l.get("best_validation_accuracy").asDouble() >= 0 && l.get("best_validation_accuracy").asDouble() <= 1);
        }
        // the winner's schedule runs over both intervals
        assertEquals(2, pbt.get(0).get("winner_schedule").size());
        JsonNode summary = part(lines, "pbt-summary").get(0);
        assertEquals(pbt.get(0).get("best_validation_accuracy").asDouble(), summary.get("pbt_mean_accuracy").asDouble());
        assertEquals(pbt.get(1).get("best_validation_accuracy").asDouble(), summary.get("random_mean_accuracy").asDouble());
    }

    @Test
    public void searchMethodsRunTheSameTrialsAndPruningSavesEpochs(@TempDir Path data) throws IOException {
        writeIdx(data, "train", 60, 1);
        writeIdx(data, "t10k", 20, 2);
        List<JsonNode> lines = run(data, "--parts", "e", "--search-data", data.toString(), "--search-train-per-class", "4",
                "--search-valid-per-class", "2", "--search-epochs", "3", "--search-trials", "6",
                "--search-methods", "random,tpe-asha", "--overhead-finished", "12", "--overhead-measured", "3",
                "--synthetic-seeds", "1,2");
        List<JsonNode> search = part(lines, "search");
        assertEquals(List.of("random", "tpe-asha"), search.stream().map(l -> l.get("method").asText()).toList());
        for (JsonNode l : search) {
            JsonNode curve = l.get("best_accuracy_by_trial");
            assertEquals(6, curve.size(), l.toString());
            for (int i = 1; i < curve.size(); i++) {
                assertTrue(curve.get(i).asDouble() >= curve.get(i - 1).asDouble(), l.toString());
            }
            assertEquals(curve.get(5).asDouble(), l.get("best_accuracy").asDouble());
        }
        assertEquals(18, search.get(0).get("epochs_trained").asInt());
        assertEquals(0, search.get(0).get("pruned_trials").asInt());
        // each pruned trial stops early, so it saves epochs
        JsonNode asha = search.get(1);
        assertEquals(18 - asha.get("epochs_trained").asInt() > 0, asha.get("pruned_trials").asInt() > 0, asha.toString());
        List<JsonNode> overhead = part(lines, "search-overhead");
        assertEquals(List.of("random", "tpe"), overhead.stream().map(l -> l.get("sampler").asText()).toList());
        overhead.forEach(l -> assertTrue(l.get("median_ms_per_trial").asDouble() > 0, l.toString()));
        List<JsonNode> synthetic = part(lines, "search-synthetic");
        assertEquals(4, synthetic.size());
        synthetic.forEach(l -> assertTrue(l.get("best_value").asDouble() >= 0, l.toString()));
    }

    @Test
    public void badOptionsAreRejected(@TempDir Path data) {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new HpoBenchmark().run(List.of("--bogus", "1"), System.out));
        assertTrue(unknown.getMessage().contains("bogus"), unknown.getMessage());
        IllegalArgumentException parts = assertThrows(IllegalArgumentException.class,
                () -> new HpoBenchmark().run(List.of("--parts", "z"), System.out));
        assertTrue(parts.getMessage().contains("--parts"), parts.getMessage());
        IllegalArgumentException rates = assertThrows(IllegalArgumentException.class,
                () -> new HpoBenchmark().run(List.of("--rates", "0.1,-1"), System.out));
        assertTrue(rates.getMessage().contains("--rates"), rates.getMessage());
    }
}
