package org.tribuoadapt.examples.bench.robust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.classification.Label;
import org.tribuoadapt.tta.corruption.Corruption;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class SignatureComparisonTest {

    @Test
    public void signaturesModeScoresEveryModelOnEveryTestSet(@TempDir Path dir) throws Exception {
        BarImages.write(dir, "train", 60, 1);
        BarImages.write(dir, "t10k", 30, 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new RobustBenchmark().run(List.of("--mode", "signatures", "--data", dir.toString(), "--train-examples", "0",
                "--test-examples", "0", "--channels", "2,4", "--hidden", "8", "--pretrain-epochs", "1",
                "--tune-epochs", "1", "--batch-size", "16", "--keep-num", "1"),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(json.readTree(line));
        }
        assertEquals("signatures", lines.get(0).get("mode").asText());
        assertEquals(60, lines.get(0).get("trainExamples").asInt());
        List<String> models = new ArrayList<>();
        for (JsonNode n : lines) {
            if (n.get("measurement").asText().equals("signature-accuracy")) {
                models.add(n.get("model").asText());
                double mean = (n.get("cleanAccuracy").asDouble() + n.get("gaussian_noiseAccuracy").asDouble()
                        + n.get("defocus_blurAccuracy").asDouble()) / 3;
                assertEquals(mean, n.get("meanAccuracy").asDouble(), 1e-12, n.toString());
            }
        }
        assertEquals(List.of("pretrained", "clean", "gaussian_noise-robust", "defocus_blur-robust",
                "clean+rws(gaussian_noise)", "clean+rws(defocus_blur)", "clean+rws(gaussian_noise,defocus_blur)",
                "clean+task-vectors(gaussian_noise,defocus_blur)"), models);
        JsonNode layers = lines.get(lines.size() - 1);
        assertEquals(List.of("conv1"), List.of(layers.get("keptLayers").get(0).asText()));
        assertEquals(1, layers.get("keptLayers").size());
    }

    @Test
    public void corruptedCopiesKeepLabelsAndMatchTheCorruption(@TempDir Path dir) throws Exception {
        BarImages.write(dir, "t10k", 6, 3);
        Dataset<Label> clean = RobustBenchmark.load(dir.toString(), "t10k", 0);
        Dataset<Label> noisy = SignatureComparison.corrupt(clean, Corruption.GAUSSIAN_NOISE, 3, 7L);
        assertEquals(clean.size(), noisy.size());
        Iterator<Example<Label>> c = clean.iterator();
        long index = 0;
        for (Example<Label> n : noisy) {
            Example<Label> e = c.next();
            assertEquals(e.getOutput(), n.getOutput());
            float[] pixels = new float[28 * 28];
            int i = 0;
            for (Feature f : e) {
                pixels[i++] = (float) f.getValue();
            }
            float[] expected = Corruption.GAUSSIAN_NOISE.apply(pixels, 28, 28, 3,
                    Corruption.GAUSSIAN_NOISE.exampleSeed(7L, 3, index++));
            float[] actual = new float[28 * 28];
            i = 0;
            for (Feature f : n) {
                actual[i++] = (float) f.getValue();
            }
            assertArrayEquals(expected, actual);
        }
        IllegalArgumentException severity = assertThrows(IllegalArgumentException.class, () -> new RobustBenchmark()
                .run(List.of("--mode", "signatures", "--data", dir.toString(), "--severity", "9"), System.out));
        assertTrue(severity.getMessage().contains("severity"), severity.getMessage());
    }
}
