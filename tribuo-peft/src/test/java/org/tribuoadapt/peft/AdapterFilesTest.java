package org.tribuoadapt.peft;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.io.AdapterFormatException;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class AdapterFilesTest {

    private static Path copyFixture(Path dir) throws Exception {
        Path copy = dir.resolve("adapter");
        Files.createDirectories(copy);
        for (String f : new String[] {AdapterFiles.CONFIG_FILE, AdapterFiles.WEIGHTS_FILE}) {
            Files.copy(HuggingFacePeftInteropTest.fixture("mlp_lora/adapter/" + f), copy.resolve(f));
        }
        return copy;
    }

    private static String failure(Path dir) {
        return assertThrows(AdapterFormatException.class, () -> AdapterFiles.load(dir)).getMessage();
    }

    private static void writeConfig(Path dir, String json) throws IOException {
        Files.writeString(dir.resolve(AdapterFiles.CONFIG_FILE), json);
    }

    @Test
    public void missingFilesAreNamed(@TempDir Path dir) throws Exception {
        assertTrue(failure(dir.resolve("nowhere")).contains("does not exist"));
        Path adapter = copyFixture(dir);
        Files.delete(adapter.resolve(AdapterFiles.WEIGHTS_FILE));
        Files.writeString(adapter.resolve("adapter_model.bin"), "pickle");
        assertTrue(failure(adapter).contains("no adapter_model.safetensors in " + adapter + " (adapter_model.bin is a PyTorch pickle"));
        Files.delete(adapter.resolve(AdapterFiles.CONFIG_FILE));
        assertEquals("no adapter_config.json in " + adapter, failure(adapter));
    }

    @Test
    public void corruptConfigurationsAreRejected(@TempDir Path dir) throws Exception {
        Path adapter = copyFixture(dir);
        String original = Files.readString(adapter.resolve(AdapterFiles.CONFIG_FILE));
        writeConfig(adapter, "{\"peft_type\": \"LORA\", ");
        assertTrue(failure(adapter).contains("adapter_config.json is not valid JSON"));
        writeConfig(adapter, "[1, 2]");
        assertTrue(failure(adapter).contains("must hold a JSON object, found ARRAY"));
        writeConfig(adapter, "{\"r\": 4}");
        assertTrue(failure(adapter).contains("has no peft_type; expected one of [LORA"));
        writeConfig(adapter, "{\"peft_type\": \"PREFIX_TUNING\"}");
        assertTrue(failure(adapter).contains("peft_type 'PREFIX_TUNING' is not supported; supported types are [LORA"));
        writeConfig(adapter, original.replace("\"r\": 4", "\"r\": 0"));
        assertTrue(failure(adapter).contains("rank must be a positive integer, found 0"), failure(adapter));
        writeConfig(adapter, original.replace("\"lora_alpha\": 8", "\"lora_alpha\": -8"));
        assertTrue(failure(adapter).contains("alpha must be positive"), failure(adapter));
        writeConfig(adapter, original.replace("\"r\": 4", "\"r\": \"four\""));
        assertTrue(failure(adapter).contains("field 'r' must be an integer, found \"four\""), failure(adapter));
        writeConfig(adapter, original.replace("\"fan_in_fan_out\": false", "\"fan_in_fan_out\": true"));
        assertTrue(failure(adapter).contains("field 'fan_in_fan_out' = true is not supported"), failure(adapter));
        writeConfig(adapter, original.replace("\"init_lora_weights\": true", "\"init_lora_weights\": \"olora\""));
        assertTrue(failure(adapter).contains("init_lora_weights 'olora' is not supported"), failure(adapter));
    }

    @Test
    public void corruptTensorFilesAreRejected(@TempDir Path dir) throws Exception {
        Path adapter = copyFixture(dir);
        Path weights = adapter.resolve(AdapterFiles.WEIGHTS_FILE);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length - 10));
        assertTrue(failure(adapter).startsWith(weights + " is not a valid safetensors file"), failure(adapter));
        Files.write(weights, "not a tensor file".getBytes(StandardCharsets.UTF_8));
        assertTrue(failure(adapter).startsWith(weights + " is not a valid safetensors file"), failure(adapter));
    }

    @Test
    public void savingReplacesAtomicallyAndLeavesNoTemporaryFiles(@TempDir Path dir) throws Exception {
        LoraSpec spec = new LoraSpec(AdapterTargets.modules("fc1"), 1, 2);
        Map<String, TensorData> first = Map.of("base_model.model.fc1.lora_A.weight", TensorData.ofFloats(new long[] {1, 2}, new float[] {1, 2}));
        Map<String, TensorData> second = Map.of("base_model.model.fc1.lora_A.weight", TensorData.ofFloats(new long[] {1, 2}, new float[] {3, 4}));
        Path target = dir.resolve("out");
        AdapterFiles.save(target, spec, first);
        assertEquals(first, AdapterFiles.load(target).tensors());
        AdapterFiles.save(target, spec, second);
        assertEquals(second, AdapterFiles.load(target).tensors());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList(), "only the adapter directory remains");
        }
        Path file = dir.resolve("file");
        Files.writeString(file, "x");
        IOException e = assertThrows(IOException.class, () -> AdapterFiles.save(file, spec, first));
        assertTrue(e.getMessage().contains("it exists and is not a directory"), e.getMessage());
    }
}
