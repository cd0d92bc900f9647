package org.tribuoadapt.examples.bench.robust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.robust.distillation.RobustDistillationTrainer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class DistillationComparisonTest {

    @Test
    public void distilModeReportsEveryStudentAndTheCost(@TempDir Path dir) throws Exception {
        BarImages.write(dir, "train", 90, 1);
        BarImages.write(dir, "t10k", 30, 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new RobustBenchmark().run(List.of("--mode", "distil", "--data", dir.toString(), "--train-examples", "0",
                "--test-examples", "0", "--teacher-channels", "2,4", "--teacher-hidden", "8", "--student-channels",
                "4,8", "--student-hidden", "16", "--epochs", "1", "--teacher-epochs", "1", "--tune-epochs", "1",
                "--at-steps", "1", "--eval-steps", "2", "--tuned-layers", "conv1,bn1,head", "--lora-rank", "2",
                "--corruptions", "gaussian_noise,contrast", "--batch-size", "16"),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(json.readTree(line));
        }
        assertEquals("distil", lines.get(0).get("mode").asText());
        List<String> models = new ArrayList<>();
        long studentWeights = -1;
        for (JsonNode n : lines) {
            if (n.get("measurement").asText().equals("distil-accuracy")) {
                String model = n.get("model").asText();
                models.add(model);
                for (String key : List.of("cleanAccuracy", "corruptedAccuracy", "pgdAccuracy")) {
                    double value = n.get(key).asDouble();
                    assertTrue(value >= 0 && value <= 1, n.toString());
                }
                assertTrue(n.get("pgdAccuracy").asDouble() <= n.get("cleanAccuracy").asDouble(), n.toString());
                if (model.equals("pretrained-student")) {
                    studentWeights = n.get("weights").asLong();
                } else if (model.startsWith("distilled")) {
                    assertTrue(n.get("trainableValues").asLong() < studentWeights, n.toString());
                    assertEquals(n.get("steps").asLong(), n.get("backwardPasses").asLong(), n.toString());
                } else if (model.equals("full-adversarial-fine-tuning")) {
                    assertEquals(studentWeights, n.get("trainableValues").asLong(), n.toString());
                    // one attack step plus the update per optimiser step
                    assertEquals(2 * n.get("steps").asLong(), n.get("backwardPasses").asLong(), n.toString());
                }
            }
        }
        assertEquals(List.of("pretrained-student", "pgd-at-teacher", "distilled-selected-layers",
                "distilled-lora-adapter", "full-adversarial-fine-tuning"), models);
        JsonNode summary = lines.get(lines.size() - 1);
        assertEquals("distil-summary", summary.get("measurement").asText());
        assertTrue(summary.get("selectedLayersStudentBackwardPassRatio").asDouble() == 0.5, summary.toString());
    }

    @Test
    public void badOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DistillationOptions.parse(List.of("--lora-rank", "-1")));
        assertThrows(IllegalArgumentException.class, () -> DistillationOptions.parse(List.of("--channels", "4")));
        assertThrows(IllegalArgumentException.class, () -> DistillationOptions.parse(List.of("--temperature", "hot")));
    }

    @Test
    public void theExampleConfigurationDescribesTheDistillation() {
        ConfigurationManager cm = new ConfigurationManager("../examples/configs/robust-distillation.xml");
        RobustDistillationTrainer trainer = (RobustDistillationTrainer) cm.lookup("distillation");
        Map<String, ?> settings = trainer.getProvenance().getConfiguredParameters();
        assertEquals("2.0", settings.get("temperature").toString());
        assertEquals("0.9", settings.get("distillationWeight").toString());
        assertTrue(settings.get("tunedLayers").toString().contains("conv2"), settings.toString());
        assertTrue(settings.get("studentModelPath").toString().endsWith("pretrained-student.tribuo"), settings.toString());
        cm.close();
    }
}
