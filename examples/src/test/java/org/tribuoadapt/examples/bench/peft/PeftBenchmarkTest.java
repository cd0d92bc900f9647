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
    public void qualityModeDifforaRowKeepsHalfTheCandidatesAsLora(@TempDir Path dir) throws Exception {
        SyntheticIdxFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"), 100, 28, 1);
        SyntheticIdxFiles.write(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 40, 28, 2);
        List<JsonNode> lines = run("--mode", "quality", "--data", dir.toString(), "--per-class", "4", "--epochs", "2",
                "--source-epochs", "1", "--batch", "8", "--rank", "2", "--methods", "diffora");
        JsonNode diffora = lines.get(lines.size() - 1);
        assertEquals("diffora", diffora.get("method").asText());
        String selected = diffora.get("selected").asText();
        assertEquals(2, selected.split(",").length, selected);
        // the dropped candidate's LoRA factors and the three logits are gone after the discretisation
        assertTrue(diffora.get("trainable_params").asLong() < diffora.get("search_trainable_params").asLong() - 3,
                diffora.toString());
        assertTrue(diffora.get("accuracy").asDouble() >= 0 && diffora.get("accuracy").asDouble() <= 1, diffora.toString());
    }

    @Test
    public void qualityModeOnTheSequenceTransformerComparesTheTransformerAdapters(@TempDir Path dir) throws Exception {
        SyntheticIdxFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"), 100, 28, 1);
        SyntheticIdxFiles.write(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 40, 28, 2);
        List<JsonNode> lines = run("--mode", "quality", "--model", "transformer", "--data", dir.toString(), "--per-class", "4",
                "--epochs", "1", "--source-epochs", "1", "--batch", "8", "--rank", "2");
        assertEquals(List.of("source", "full-fine-tuning", "head-only", "lora", "bottleneck-houlsby", "bottleneck-parallel-ffn",
                "prompt-tuning", "prefix-tuning", "prefix-tuning-mlp", "mam", "zeroi2v-linear"), lines.stream().map(l -> l.get("method").asText()).toList());
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
        // the prefixes and the parallel feed-forward adapter together
        assertEquals(2 * 2 * 2 * 64 + 2 * (2 * 2 * 64 + 2 + 64) + head, trainable.get("mam"));
        // qkv, proj and fc1 before/after at width 64, fc2 after at width 64: 2 r w + r + w each
        assertEquals(2 * 4 * (2 * 2 * 64 + 2 + 64) + head, trainable.get("zeroi2v-linear"));
        for (JsonNode line : lines) {
            assertEquals("transformer", line.get("model").asText());
            assertTrue(line.get("accuracy").asDouble() >= 0 && line.get("accuracy").asDouble() <= 1, line.toString());
        }
    }

    @Test
    public void qualityModeReportsSaraTunedEntriesPerModule(@TempDir Path dir) throws Exception {
        SyntheticIdxFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"), 100, 28, 1);
        SyntheticIdxFiles.write(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 40, 28, 2);
        List<JsonNode> lines = run("--mode", "quality", "--data", dir.toString(), "--per-class", "4", "--epochs", "1",
                "--source-epochs", "1", "--batch", "8", "--methods", "sara,bitfit");
        assertEquals(List.of("source", "full-fine-tuning", "head-only", "sara", "bitfit"),
                lines.stream().map(l -> l.get("method").asText()).toList());
        JsonNode sara = lines.get(3);
        assertTrue(sara.get("spec").asText().startsWith("SaraSpec("), sara.toString());
        // the entries SaRA tunes are a part of conv2's 64 x 32 x 3 x 3 and fc1's 128 x 3136 weights
        long conv2 = sara.get("module_ranks").get("conv2").asLong();
        long fc1 = sara.get("module_ranks").get("fc1").asLong();
        assertTrue(conv2 > 0 && conv2 < 64 * 32 * 9 && fc1 > 0 && fc1 < 128 * 3136, sara.toString());
    }

    @Test
    public void multitaskModeReportsPolyMhrAndTheHeldOutTask(@TempDir Path dir) throws Exception {
        SyntheticIdxFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"), 100, 28, 1);
        SyntheticIdxFiles.write(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 40, 28, 2);
        List<JsonNode> lines = run("--mode", "multitask", "--data", dir.toString(), "--per-class", "4", "--epochs", "1",
                "--source-epochs", "1", "--batch", "8", "--rank", "2");
        assertEquals(List.of("poly", "poly", "poly", "poly", "mhr", "mhr", "mhr", "mhr", "mhr-z", "mhr-mu"),
                lines.stream().map(l -> l.get("method").asText()).toList());
        long head = 128 * 5 + 5;
        // fc1 (3136 -> 128): 4 skills of rank 2, the logits of 4 tasks x heads x 4 skills; MHR-mu a rank-2 LoRA
        long skills = 4 * 2 * (3136 + 128);
        assertEquals(skills + 4 * 4 + head, lines.get(0).get("trainable_params").asLong());
        assertEquals(skills + 4 * 4 * 4 + head, lines.get(4).get("trainable_params").asLong());
        assertEquals(skills + 4 * 4 * 4 + head, lines.get(8).get("trainable_params").asLong());
        assertEquals(2 * (3136 + 128) + head, lines.get(9).get("trainable_params").asLong());
        assertEquals("held-out", lines.get(9).get("task").asText());
        for (JsonNode line : lines) {
            assertTrue(line.get("accuracy").asDouble() >= 0 && line.get("accuracy").asDouble() <= 1, line.toString());
        }
    }

    @Test
    public void qualityModeRunsOnlyTheSelectedMethods(@TempDir Path dir) throws Exception {
        SyntheticIdxFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"), 100, 28, 1);
        SyntheticIdxFiles.write(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 40, 28, 2);
        List<JsonNode> lines = run("--mode", "quality", "--model", "transformer", "--data", dir.toString(), "--per-class", "4",
                "--epochs", "1", "--source-epochs", "1", "--batch", "8", "--rank", "2", "--methods", "zeroi2v-linear,mam");
        assertEquals(List.of("source", "full-fine-tuning", "head-only", "zeroi2v-linear", "mam"),
                lines.stream().map(l -> l.get("method").asText()).toList());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> run("--mode", "quality",
                "--model", "transformer", "--data", dir.toString(), "--per-class", "4", "--methods", "mam,zeroi2v"));
        assertTrue(unknown.getMessage().contains("--methods names an unknown method 'zeroi2v'; known: [lora,"),
                unknown.getMessage());
    }

    @Test
    public void qualityModeRunsOnlyTheNamedMethodsAfterTheBaselines(@TempDir Path dir) throws Exception {
        SyntheticIdxFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"), 100, 28, 1);
        SyntheticIdxFiles.write(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 40, 28, 2);
        String[] args = {"--mode", "quality", "--data", dir.toString(), "--per-class", "4", "--epochs", "1",
                "--source-epochs", "1", "--batch", "8", "--rank", "4", "--methods", "increlora"};
        List<JsonNode> lines = run(args);
        assertEquals(List.of("source", "full-fine-tuning", "head-only", "increlora"),
                lines.stream().map(l -> l.get("method").asText()).toList());
        // conv1, conv2 and fc1 start at rank 1 of at most 4, with one reserve row each: 5 rows of (fanIn + out + 1)
        long head = 128 * 5 + 5;
        assertEquals(5 * (9 + 32 + 1) + 5 * (32 * 9 + 64 + 1) + 5 * (64 * 7 * 7 + 128 + 1) + head,
                lines.get(3).get("trainable_params").asLong());
        assertEquals(3, lines.get(3).get("module_ranks").size());
        args[args.length - 1] = "lora,nope";
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> run(args));
        assertTrue(unknown.getMessage().contains("--methods names an unknown method 'nope'"), unknown.getMessage());
    }

    @Test
    public void loraCostModeMeasuresEveryRankAndScaleOfTheAttentionAdapter() throws Exception {
        String[] args = {"--mode", "lora-cost", "--tokens", "4", "--token-width", "3", "--dim", "8", "--batch", "2",
                "--repeats", "2", "--ranks", "1,2", "--scales", "1,1000"};
        List<JsonNode> lines = run(args);
        assertEquals(List.of("1:1.0", "1:1000.0", "2:1.0", "2:1000.0"),
                lines.stream().map(l -> l.get("rank").asInt() + ":" + l.get("input_scale").asDouble()).toList());
        for (JsonNode line : lines) {
            int rank = line.get("rank").asInt();
            assertEquals("lora-cost", line.get("mode").asText());
            // LoRA on qkv (8 -> 24) of both blocks: r (8 + 24) values each
            assertEquals(2 * rank * (8 + 24), line.get("trainable_params").asLong(), line.toString());
            assertTrue(line.get("finite").asBoolean(), line.toString());
            // B starts at zero, so only B's gradient (the input to B is A x, nonzero) makes up the norm
            assertTrue(line.get("adapter_grad_norm").asDouble() > 0, line.toString());
            assertTrue(line.get("qkv_max_abs").asDouble() > 0, line.toString());
            assertTrue(line.get("median_forward_backward_ms").asDouble() > 0, line.toString());
            assertEquals(Math.round(Math.sqrt(Math.log(4)) * 1000) / 1000.0, line.get("sqrt_log_tokens").asDouble());
        }
        List<JsonNode> again = run(args);
        for (int i = 0; i < lines.size(); i++) {
            for (String key : List.of("loss", "adapter_grad_norm", "qkv_max_abs")) {
                assertEquals(lines.get(i).get(key).asDouble(), again.get(i).get(key).asDouble(), "same seed, same " + key);
            }
        }
        IllegalArgumentException scales = assertThrows(IllegalArgumentException.class,
                () -> run("--mode", "lora-cost", "--scales", "1,big"));
        assertTrue(scales.getMessage().contains("--scales needs comma-separated numbers, found 'big'"), scales.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> run("--mode", "lora-cost", "--scales", "1,NaN"));
        assertTrue(nan.getMessage().contains("--scales needs positive finite numbers"), nan.getMessage());
        IllegalArgumentException dim = assertThrows(IllegalArgumentException.class,
                () -> run("--mode", "lora-cost", "--dim", "6"));
        assertTrue(dim.getMessage().contains("--dim a positive multiple of 4"), dim.getMessage());
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
