package org.tribuoadapt.examples.bench.robust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class RobustBenchmarkTest {

    /** Writes an MNIST-format pair of gzipped IDX files of 28x28 bar images in three classes. */
    private static void writeIdx(Path dir, String prefix, int count, long seed) throws IOException {
        writeIdx(dir, prefix, count, seed, 3);
    }

    /** Writes an MNIST-format pair of gzipped IDX files of 28x28 images of horizontal bars, one bar per class. */
    private static void writeIdx(Path dir, String prefix, int count, long seed, int classes) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] images = new int[count][28 * 28];
        int[] labels = new int[count];
        int barRows = 28 / classes;
        for (int i = 0; i < count; i++) {
            labels[i] = i % classes;
            for (int p = 0; p < 28 * 28; p++) {
                images[i][p] = rng.nextInt(80) + (p / 28 / barRows == labels[i] ? 120 : 0);
            }
        }
        RobustFixtures.writeIdx(dir, prefix, 28, images, labels);
    }

    @Test
    public void printsOneJsonObjectPerMeasurement(@TempDir Path dir) throws Exception {
        writeIdx(dir, "train", 120, 1);
        writeIdx(dir, "t10k", 60, 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RobustBenchmark bench = new RobustBenchmark();
        assertEquals("robust", bench.name());
        bench.run(List.of("--data", dir.toString(), "--train-examples", "300", "--test-examples", "300",
                "--channels", "2,4", "--hidden", "8", "--epochs", "1", "--at-epochs", "1", "--at-steps", "1",
                "--eval-steps", "2", "--alphas", "0,0.5,1", "--mixing-examples", "40", "--mixing-epochs", "1",
                "--mixing-steps", "1", "--apgd-steps", "3", "--apgd-examples", "20", "--batch-size", "16"),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(json.readTree(line));
        }
        assertEquals("setup", lines.get(0).get("measurement").asText());
        // 300 examples means at most 30 per class (Fashion-MNIST has ten), so 90 of the three synthetic classes
        assertEquals(90, lines.get(0).get("trainExamples").asInt());
        List<String> models = new ArrayList<>();
        for (JsonNode n : lines) {
            if (n.get("measurement").asText().equals("accuracy")) {
                models.add(n.get("model").asText());
                assertTrue(n.get("robustAccuracy").asDouble() <= n.get("cleanAccuracy").asDouble());
                assertTrue(n.get("maxPerturbation").asDouble() <= 0.1 + 1e-6);
            }
        }
        assertEquals(List.of("standard", "fixed-alpha", "pgd-at", "mixing-network", "mixing-network-apgd-check",
                "mixing-network-pgd-same-subset"), models);
        JsonNode goal = lines.get(lines.size() - 1);
        assertEquals("goal", goal.get("measurement").asText());
        assertTrue(goal.get("met").isBoolean());
    }

    private static List<JsonNode> runMode(Path dir, String mode, String... more) throws Exception {
        writeIdx(dir, "train", 120, 1);
        writeIdx(dir, "t10k", 60, 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("--mode", mode, "--data", dir.toString(), "--train-examples", "300",
                "--test-examples", "60", "--channels", "2,4", "--hidden", "8", "--batch-size", "16"));
        args.addAll(List.of(more));
        new RobustBenchmark().run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(json.readTree(line));
        }
        assertEquals(mode, lines.get(0).get("mode").asText());
        return lines;
    }

    @Test
    public void accelatModeRacesAFixedRateAgainstTheSchedule(@TempDir Path dir) throws Exception {
        List<JsonNode> lines = runMode(dir, "accelat", "--at-epochs", "2", "--at-steps", "1", "--eval-steps", "2",
                "--lr", "0.01");
        List<String> schedules = new ArrayList<>();
        for (JsonNode n : lines) {
            if (n.get("measurement").asText().equals("accelat-epoch")) {
                schedules.add(n.get("schedule").asText() + n.get("epoch").asInt());
                assertEquals(0.01, n.get("learningRate").asDouble(), 1e-12, "no drop before epoch window + 2");
            }
        }
        assertEquals(List.of("fixed1", "fixed2", "accelat1", "accelat2"), schedules);
        JsonNode summary = lines.get(lines.size() - 1);
        assertEquals("accelat-summary", summary.get("measurement").asText());
        int fixedEpochs = summary.get("fixedEpochsToTarget").asInt();
        assertTrue(fixedEpochs >= 1 && fixedEpochs <= 2, summary.toString());
    }

    @Test
    public void cropsModeComparesPlainAndCropSelection(@TempDir Path dir) throws Exception {
        List<JsonNode> lines = runMode(dir, "crops", "--epochs", "1");
        List<String> models = new ArrayList<>();
        for (JsonNode n : lines) {
            if (n.get("measurement").asText().equals("crops")) {
                models.add(n.get("model").asText());
                // an image some shift fools counts once, a changed prediction once per shift: the mean share of
                // changed predictions is at most the fooling rate, which is at most eight times it
                double changed = 1 - n.get("onePixelShiftAgreement").asDouble();
                double fooled = n.get("onePixelFoolingRate").asDouble();
                assertTrue(fooled >= changed - 1e-9 && fooled <= 8 * changed + 1e-9, n.toString());
            }
        }
        assertEquals(List.of("plain", "crop-consistency-margin-1", "crop-confidence-margin-1", "crop-consistency-margin-2",
                "crop-confidence-margin-2"), models);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RobustBenchmark().run(List.of("--mode", "other"), new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("unknown --mode other"), e.getMessage());
    }

    @Test
    public void autoattackModeReportsEveryStageOfEveryModel(@TempDir Path dir) throws Exception {
        writeIdx(dir, "train", 160, 1, 4);
        writeIdx(dir, "t10k", 80, 2, 4);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> args = List.of("--mode", "autoattack", "--data", dir.toString(), "--train-examples", "400",
                "--test-examples", "40", "--channels", "2,4", "--hidden", "8", "--epochs", "1", "--at-epochs", "1",
                "--at-steps", "1", "--alphas", "0,0.75,1", "--mixing-examples", "40", "--mixing-epochs", "1",
                "--mixing-steps", "1", "--mixing-targets", "2", "--autoattack-steps", "3", "--autoattack-targets", "2",
                "--autoattack-queries", "20", "--batch-size", "16");
        new RobustBenchmark().run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        ObjectMapper json = new ObjectMapper();
        List<String> models = new ArrayList<>();
        JsonNode setup = null;
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            JsonNode n = json.readTree(line);
            if (n.get("measurement").asText().equals("setup")) {
                setup = n;
            } else if (n.get("measurement").asText().equals("accuracy")) {
                models.add(n.get("model").asText());
                JsonNode stages = n.get("stages");
                assertEquals(4, stages.size(), n.toString());
                assertTrue(stages.get(0).get("attack").asText().startsWith("apgd-ce"), n.toString());
                assertTrue(stages.get(3).get("attack").asText().startsWith("square"), n.toString());
                // each stage only attacks the points still robust: accuracies fall from the clean one to the
                // final robust one, and the broken counts add up to the points lost
                int examples = n.get("examples").asInt();
                double previous = n.get("cleanAccuracy").asDouble();
                int broken = 0;
                for (JsonNode stage : stages) {
                    assertTrue(stage.get("robustAccuracy").asDouble() <= previous + 1e-12, n.toString());
                    previous = stage.get("robustAccuracy").asDouble();
                    broken += stage.get("broken").asInt();
                }
                assertEquals(n.get("robustAccuracy").asDouble(), previous, 1e-12);
                assertEquals(Math.round((n.get("cleanAccuracy").asDouble() - previous) * examples), broken);
                int square = stages.get(3).get("broken").asInt();
                assertEquals(square, n.get("brokenOnlyByBlackBox").asInt());
                assertEquals(square > 0, n.get("gradientMaskingSuspected").asBoolean());
                assertTrue(n.get("maxPerturbation").asDouble() <= 0.1 + 1e-6);
                assertEquals(16, examples);
            }
        }
        assertEquals(List.of("standard", "fixed-alpha", "pgd-at", "mixing-network", "mixing-network-paper",
                "mixing-network-paper-apgd"), models);
        assertEquals(3, setup.get("options").get("autoAttackSteps").asInt());
        assertEquals(2, setup.get("options").get("mixingTargets").asInt());
        assertEquals(16, setup.get("testExamples").asInt());
    }

    @Test
    public void autoattackModeHasItsOwnDefaultsAndNeedsFourClasses(@TempDir Path dir) throws Exception {
        RobustBenchmarkOptions o = RobustBenchmarkOptions.autoAttackDefaults();
        assertEquals(100, o.autoAttackSteps());
        assertEquals(9, o.autoAttackTargets());
        assertEquals(5000, o.autoAttackQueries());
        assertEquals(9, o.mixingTargets(), "the paper's APGD training targets 9 classes");
        assertEquals(20, o.testExamples() / 10, "a stratified subset, 20 images of each of the 10 classes");
        assertEquals(200, RobustBenchmarkOptions.parse(List.of(), o).testExamples());
        assertThrows(IllegalArgumentException.class, () -> RobustBenchmarkOptions.parse(List.of("--autoattack-queries", "0")));
        writeIdx(dir, "train", 60, 1);
        writeIdx(dir, "t10k", 30, 2);
        IllegalArgumentException classes = assertThrows(IllegalArgumentException.class, () -> new RobustBenchmark().run(
                List.of("--mode", "autoattack", "--data", dir.toString()), new PrintStream(new ByteArrayOutputStream())));
        assertTrue(classes.getMessage().contains("at least 4 classes"), classes.getMessage());
    }

    @Test
    public void rejectsUnknownOrMalformedOptions() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () ->
                RobustBenchmarkOptions.parse(List.of("--epoch", "3")));
        assertTrue(unknown.getMessage().contains("unknown option --epoch; options are [--data"), unknown.getMessage());
        IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class, () ->
                RobustBenchmarkOptions.parse(List.of("--epsilon", "big")));
        assertTrue(malformed.getMessage().contains("option --epsilon has a malformed value 'big'"), malformed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RobustBenchmarkOptions.parse(List.of("--at-steps", "0")));
        assertThrows(IllegalArgumentException.class, () -> RobustBenchmarkOptions.parse(List.of("--seed")));
    }

    @Test
    public void defaultsAreTheFullProtocol() {
        RobustBenchmarkOptions o = RobustBenchmarkOptions.defaults();
        assertEquals(0, o.trainExamples());
        assertEquals(0.1, o.epsilon());
        assertEquals(20, o.evalSteps());
    }

    @Test
    public void labelNoiseModeComparesTheLossesOverSeeds(@TempDir Path dir) throws Exception {
        writeIdx(dir, "train", 120, 1);
        writeIdx(dir, "t10k", 60, 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new RobustBenchmark().run(List.of("--mode", "label-noise", "--data", dir.toString(), "--train-examples", "300",
                "--test-examples", "300", "--hidden", "8", "--epochs", "1", "--batch-size", "16",
                "--noise-rates", "0.2,0.4", "--seeds", "3"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> runs = new ArrayList<>();
        List<JsonNode> summaries = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            JsonNode n = json.readTree(line);
            if (n.get("measurement").asText().equals("label-noise-run")) {
                runs.add(n);
            } else if (n.get("measurement").asText().equals("label-noise")) {
                summaries.add(n);
            }
        }
        // 2 rates x 3 seeds x 3 losses, then one median per rate and loss
        assertEquals(18, runs.size());
        assertEquals(6, summaries.size());
        for (JsonNode summary : summaries) {
            List<Double> accuracies = new ArrayList<>();
            for (JsonNode run : runs) {
                if (run.get("loss").equals(summary.get("loss")) && run.get("noiseRate").equals(summary.get("noiseRate"))) {
                    accuracies.add(run.get("testAccuracy").asDouble());
                }
            }
            accuracies.sort(null);
            assertEquals(accuracies.get(1), summary.get("medianTestAccuracy").asDouble(), 0.0);
        }
        assertEquals(List.of("ce", "ldr-kl", "aldr-kl"), summaries.subList(0, 3).stream().map(n -> n.get("loss").asText()).toList());
    }

    @Test
    public void blackVipModePromptsTheBlackBoxForEachShotCount(@TempDir Path dir) throws Exception {
        writeIdx(dir, "train", 120, 1);
        writeIdx(dir, "t10k", 60, 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new RobustBenchmark().run(List.of("--mode", "blackvip", "--data", dir.toString(), "--train-examples", "100",
                "--test-examples", "300", "--channels", "2,4", "--hidden", "8", "--epochs", "1", "--batch-size", "16",
                "--shots", "1,2", "--steps", "2", "--prompt-batch", "4", "--samples", "1"),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            JsonNode n = json.readTree(line);
            if (n.get("measurement").asText().equals("blackvip")) {
                rows.add(n);
            } else if (n.get("measurement").asText().equals("setup")) {
                assertEquals(30, n.get("sourceExamples").asInt());
                assertEquals(60, n.get("testExamples").asInt());
            }
        }
        assertEquals(2, rows.size());
        for (JsonNode row : rows) {
            int images = row.get("trainingExamples").asInt();
            assertEquals(3 * row.get("shotsPerClass").asInt(), images);
            // two queries per direction (one here) for every image of every epoch
            assertEquals(2L * row.get("epochs").asInt() * images, row.get("blackBoxQueries").asLong());
            assertTrue(row.get("spsaSteps").asInt() >= 2);
            for (String accuracy : List.of("cleanAccuracy", "shiftedAccuracyUnprompted", "shiftedAccuracyPrompted")) {
                double a = row.get(accuracy).asDouble();
                assertTrue(a >= 0 && a <= 1, accuracy + " " + a);
            }
        }
        IllegalArgumentException shots = assertThrows(IllegalArgumentException.class,
                () -> BlackVipOptions.parse(List.of("--shots", "0,4")));
        assertTrue(shots.getMessage().contains("shot count"), shots.getMessage());
    }

    @Test
    public void symmetricNoiseFlipsToAnotherClassAtTheRate() {
        org.tribuo.Dataset<org.tribuo.classification.Label> data = RobustFixtures.train();
        int[] flipped = new int[1];
        org.tribuo.Dataset<org.tribuo.classification.Label> noisy = LabelNoiseBenchmark.withSymmetricNoise(data, 0.4, 7L, flipped);
        int differ = 0;
        for (int i = 0; i < data.size(); i++) {
            if (!data.getExample(i).getOutput().equals(noisy.getExample(i).getOutput())) {
                differ++;
            }
            assertEquals(data.getExample(i).size(), noisy.getExample(i).size());
        }
        // every drawn flip changes the label; 600 draws at 0.4 lie within 5 standard deviations (60) of 240
        assertEquals(flipped[0], differ);
        assertTrue(Math.abs(differ - 240) < 60, "flipped " + differ);
        int[] none = new int[1];
        LabelNoiseBenchmark.withSymmetricNoise(data, 0.0, 7L, none);
        assertEquals(0, none[0]);
        IllegalArgumentException rate = assertThrows(IllegalArgumentException.class, () ->
                LabelNoiseOptions.parse(List.of("--noise-rates", "0.2,1.0")));
        assertTrue(rate.getMessage().contains("every noise rate in [0, 1)"), rate.getMessage());
        IllegalArgumentException mode = assertThrows(IllegalArgumentException.class, () ->
                new RobustBenchmark().run(List.of("--mode", "noise"), System.out));
        assertTrue(mode.getMessage().contains("unknown --mode noise"), mode.getMessage());
    }
}
