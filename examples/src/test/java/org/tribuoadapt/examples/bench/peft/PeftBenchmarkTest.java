package org.tribuoadapt.examples.bench.peft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.peft.SyntheticIdxFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class PeftBenchmarkTest {

    private static List<JsonNode> run(String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new PeftBenchmark().run(List.of(args), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(new ObjectMapper().readTree(line));
        }
        return lines;
    }

    @Test
    public void speedModePrintsOneJsonObjectPerMeasurement(@TempDir Path dir) throws Exception {
        SyntheticIdxFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"), 300, 28, 1);
        List<JsonNode> lines = run("--model", "mlp", "--data", dir.toString(), "--examples", "200", "--batch", "64",
                "--isolate", "false");
        assertEquals(List.of("lora", "merged-inference", "full"), lines.stream().map(l -> l.get("method").asText()).toList());
        JsonNode lora = lines.get(0);
        assertEquals(192, lora.get("examples").asInt(), "full batches only, as the peer");
        // LoRA r=8 on fc1 (784 -> 512) and fc2 (512 -> 256), the head (256 -> 10) trained fully
        assertEquals(8 * (784 + 512) + 8 * (512 + 256) + 256 * 10 + 10, lora.get("trainable_params").asLong());
        assertTrue(lora.get("train_examples_per_s").asDouble() > 0);
        assertEquals(784 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10, lines.get(2).get("trainable_params").asLong());
        assertTrue(lines.get(1).get("merged_over_base").asDouble() > 0);
    }

    @Test
    public void qualityModeOnTheSequenceTransformerComparesTheTransformerAdapters(@TempDir Path dir) throws Exception {
        SyntheticIdxFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"), 100, 28, 1);
        SyntheticIdxFiles.write(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 40, 28, 2);
        List<JsonNode> lines = run("--mode", "quality", "--model", "transformer", "--data", dir.toString(), "--per-class", "4",
                "--epochs", "1", "--source-epochs", "1", "--batch", "8", "--rank", "2");
        assertEquals(List.of("source", "full-fine-tuning", "head-only", "lora", "bottleneck-houlsby", "bottleneck-parallel-ffn",
                "prompt-tuning", "prefix-tuning", "prefix-tuning-mlp"), lines.stream().map(l -> l.get("method").asText()).toList());
        long head = 64 * 5 + 5;
        Map<String, Long> trainable = new LinkedHashMap<>();
        lines.forEach(l -> trainable.put(l.get("method").asText(), l.get("trainable_params").asLong()));
        // two blocks of width 64 (feed-forward 128), r = 2 everywhere
        assertEquals(2 * 2 * ((64 + 192) + (64 + 64) + (64 + 128) + (128 + 64)) + head, trainable.get("lora"));
        assertEquals(4 * (2 * 2 * 64 + 2 + 64) + head, trainable.get("bottleneck-houlsby"));
        assertEquals(2 * (2 * 2 * 64 + 2 + 64) + head, trainable.get("bottleneck-parallel-ffn"));
        assertEquals(2 * 64 + head, trainable.get("prompt-tuning"));
        assertEquals(2 * 2 * 2 * 64 + head, trainable.get("prefix-tuning"));
        assertEquals(2 * (2 * 64 + 8 * 64 + 8 + 2 * 64 * 8 + 2 * 64) + head, trainable.get("prefix-tuning-mlp"));
        for (JsonNode line : lines) {
            assertEquals("transformer", line.get("model").asText());
            assertTrue(line.get("accuracy").asDouble() >= 0 && line.get("accuracy").asDouble() <= 1, line.toString());
        }
    }

    @Test
    public void badOptionsAndMissingDataAreReported(@TempDir Path dir) {
        IllegalArgumentException option = assertThrows(IllegalArgumentException.class, () -> run("--modle", "mlp"));
        assertTrue(option.getMessage().contains("unknown option '--modle'"), option.getMessage());
        IllegalArgumentException model = assertThrows(IllegalArgumentException.class, () -> run("--model", "rnn"));
        assertTrue(model.getMessage().contains("--model must be mlp or cnn (or transformer with --mode quality)"),
                model.getMessage());
        IOException data = assertThrows(IOException.class, () -> run("--data", dir.toString(), "--isolate", "false"));
        assertTrue(data.getMessage().contains("install Debian's dataset-fashion-mnist or pass --data DIR"), data.getMessage());
    }
}
