package org.tribuoadapt.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.FaultPolicy;
import org.tribuoadapt.hpo.search.Objective;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;
import org.tribuoadapt.hpo.search.pruner.SuccessiveHalvingPruner;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code hpo study ...} end to end: a random search over a tiny MLP's learning rate and width on the embedded sample,
 * then its status, best trial and CSV export; a grid search in a study created with a pruner; and the errors a user
 * meets.
 */
public class HpoCommandTest {

    private static final String SAMPLE = "classpath:org/tribuoadapt/examples/fashion-mnist-sample/";

    private static Path config(Path dir) throws Exception {
        return Files.writeString(dir.resolve("mlp.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <config>
                    <component name="train" type="org.tribuoadapt.core.data.IDXImageDataSource">
                        <property name="imagesLocation" value="%1$strain-images-idx3-ubyte.gz"/>
                        <property name="labelsLocation" value="%1$strain-labels-idx1-ubyte.gz"/>
                        <property name="maxPerClass" value="20"/>
                    </component>
                    <component name="valid" type="org.tribuoadapt.core.data.IDXImageDataSource">
                        <property name="imagesLocation" value="%1$st10k-images-idx3-ubyte.gz"/>
                        <property name="labelsLocation" value="%1$st10k-labels-idx1-ubyte.gz"/>
                        <property name="maxPerClass" value="10"/>
                    </component>
                    <component name="mlp" type="org.tribuoadapt.core.nn.spec.MLPSpec">
                        <property name="inputSize" value="784"/>
                        <propertylist name="hiddenSizes"><item>16</item></propertylist>
                    </component>
                    <component name="adam" type="org.tribuoadapt.core.train.AdamOptimiserFactory">
                        <property name="learningRate" value="0.001"/>
                    </component>
                    <component name="trainer" type="org.tribuoadapt.core.model.NetworkTrainer">
                        <property name="network" value="mlp"/>
                        <property name="optimiser" value="adam"/>
                        <property name="epochs" value="1"/>
                        <property name="batchSize" value="32"/>
                        <property name="seed" value="1"/>
                    </component>
                </config>
                """.formatted(SAMPLE));
    }

    private static String[] study(Path storage, String... rest) {
        List<String> args = new java.util.ArrayList<>(List.of("hpo", "study"));
        args.add(rest[0]);
        args.addAll(List.of("--storage", storage.toString(), "--study", "mlp"));
        args.addAll(List.of(rest).subList(1, rest.length));
        return args.toArray(new String[0]);
    }

    @Test
    public void runsAStudyAndReportsIt(@TempDir Path dir) throws Exception {
        Path config = config(dir);
        Path storage = dir.resolve("study.log");
        assertEquals(0, Main.execute(study(storage, "run", "-c", config.toString(), "--trainer", "trainer",
                "--train-source", "train", "--valid-source", "valid", "--space", "adam.learningRate=float:1e-4:1e-1:log",
                "--space", "trainer.batchSize=categorical:16,32", "--trials", "3", "--sampler", "random", "--seed", "7")));
        // a second run continues the same study
        assertEquals(0, Main.execute(study(storage, "run", "-c", config.toString(), "--trainer", "trainer",
                "--train-source", "train", "--valid-source", "valid", "--space", "adam.learningRate=float:1e-4:1e-1:log",
                "--space", "trainer.batchSize=categorical:16,32", "--trials", "1", "--sampler", "tpe")));
        assertEquals(0, Main.execute(study(storage, "status")));
        assertEquals(0, Main.execute(study(storage, "best")));
        Path csv = dir.resolve("trials.csv");
        assertEquals(0, Main.execute(study(storage, "export", "--out", csv.toString())));
        List<String> rows = Files.readAllLines(csv);
        assertEquals("number,state,value,adam.learningRate,trainer.batchSize", rows.get(0));
        assertEquals(5, rows.size(), rows.toString());
        assertTrue(rows.stream().skip(1).allMatch(r -> r.contains(",COMPLETE,")), rows.toString());
    }

    @Test
    public void runResumesAStudyWhoseProcessWasKilled(@TempDir Path dir) throws Exception {
        Path config = config(dir);
        Path storage = dir.resolve("study.log");
        List<String> run = List.of("run", "-c", config.toString(), "--trainer", "trainer", "--train-source", "train",
                "--valid-source", "valid", "--space", "adam.learningRate=float:1e-4:1e-1:log", "--space",
                "trainer.batchSize=categorical:16,32", "--sampler", "random", "--heartbeat-interval", "0.5",
                "--grace-period", "1.5", "--max-retry", "1");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(study(storage, run.toArray(new String[0]))));
        command.addAll(List.of("--trials", "100"));
        Process worker = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("worker.out").toFile()).start();
        List<Trial> before;
        try {
            // kill the whole process (SIGKILL) while its third trial trains
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
            do {
                assertTrue(worker.isAlive(), "the run died by itself; see " + dir.resolve("worker.out"));
                assertTrue(System.nanoTime() < deadline, "the run did not reach its third trial");
                Thread.sleep(20);
                before = Files.exists(storage) && new JournalFileStorage(storage).findStudy("mlp").isPresent()
                        ? new JournalFileStorage(storage).trials(0) : List.of();
            } while (before.size() < 3 || before.get(before.size() - 1).params().size() < 2);
            // let the worker release the journal's lock after writing the parameters (a lock left by a killed
            // worker is only broken after two minutes, see docs/hpo.md)
            Thread.sleep(300);
        } finally {
            worker.destroyForcibly();
            assertTrue(worker.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        before = new JournalFileStorage(storage).trials(0);
        Trial killed = before.get(before.size() - 1);
        assertEquals(TrialState.RUNNING, killed.state());
        assertTrue(before.subList(0, before.size() - 1).stream().allMatch(t -> t.state().isFinished()));
        // once the grace period has passed since the last heartbeat, a rerun fails the killed trial, retries it first,
        // and then runs new trials: 3 trials in all
        Thread.sleep(2000);
        List<String> rerun = new java.util.ArrayList<>(run);
        rerun.addAll(List.of("--trials", "3"));
        assertEquals(0, Main.execute(study(storage, rerun.toArray(new String[0]))));
        List<Trial> after = new JournalFileStorage(storage).trials(0);
        assertEquals(before.size() + 3, after.size());
        assertEquals(before.subList(0, before.size() - 1), after.subList(0, before.size() - 1),
                "the trials finished before the kill are intact");
        assertEquals(TrialState.FAIL, after.get(killed.number()).state());
        Trial retry = after.get(before.size());
        assertEquals(killed.params(), retry.params());
        assertEquals(killed.number(), retry.systemAttributes().get(Study.FAILED_TRIAL));
        assertTrue(after.stream().skip(before.size()).allMatch(t -> t.state() == TrialState.COMPLETE), after::toString);
        // the policy was recorded by the run that created the study; impossible settings are refused
        assertEquals(FaultPolicy.ofSeconds(0.5, 1.5, 1), Study.load("mlp", new JournalFileStorage(storage),
                new RandomSampler(0)).faultPolicy());
        assertEquals(2, Main.execute(study(dir.resolve("other.log"), "create", "--direction", "maximize",
                "--max-retry", "2")));
        assertEquals(2, Main.execute(study(dir.resolve("other.log"), "create", "--direction", "maximize",
                "--heartbeat-interval", "10", "--grace-period", "5")));
    }

    @Test
    public void runsAGridUnderTheRecordedPruner(@TempDir Path dir) throws Exception {
        Path config = config(dir);
        Path storage = dir.resolve("study.log");
        assertEquals(0, Main.execute(study(storage, "create", "--direction", "maximize", "--pruner", "sha")));
        // 3 x 2 grid points, so the run stops after 6 of the 10 trials asked for
        assertEquals(0, Main.execute(study(storage, "run", "-c", config.toString(), "--trainer", "trainer",
                "--train-source", "train", "--valid-source", "valid", "--space", "adam.learningRate=float:1e-4:1e-1:log",
                "--space", "trainer.batchSize=categorical:16,32", "--sampler", "grid",
                "--grid", "adam.learningRate=0.0001,0.003,0.1", "--grid", "trainer.batchSize=16,32", "--trials", "10")));
        JournalFileStorage journal = new JournalFileStorage(storage);
        Study study = Study.load("mlp", journal, new RandomSampler(0));
        assertTrue(study.pruner() instanceof SuccessiveHalvingPruner, study.pruner().toString());
        List<Trial> trials = study.trials();
        assertEquals(6, trials.size());
        Set<String> points = new HashSet<>();
        for (Trial t : trials) {
            assertTrue(t.state() == TrialState.COMPLETE || t.state() == TrialState.PRUNED, t::toString);
            assertTrue(points.add(t.params().toString()), () -> "grid point run twice: " + t);
            // one epoch: one intermediate value, the validation accuracy
            assertEquals(Set.of(1), t.intermediateValues().keySet());
        }
    }

    @Test
    public void runsTheGpAndNsgaIISamplersAndReportsAMultiObjectiveStudy(@TempDir Path dir) throws Exception {
        Path config = config(dir);
        Path storage = dir.resolve("study.log");
        for (String sampler : List.of("gp", "nsga2")) {
            assertEquals(0, Main.execute(study(storage, "run", "-c", config.toString(), "--trainer", "trainer",
                    "--train-source", "train", "--valid-source", "valid", "--space", "adam.learningRate=float:1e-4:1e-1:log",
                    "--trials", "1", "--sampler", sampler)));
        }
        assertEquals(2, new JournalFileStorage(storage).trials(0).size());

        // a minimise/maximise study created here and filled from Java
        Path multi = dir.resolve("multi.log");
        assertEquals(0, Main.execute(study(multi, "create", "--direction", "minimize", "--direction", "maximize")));
        Study study = Study.load("mlp", new JournalFileStorage(multi), new RandomSampler(3));
        assertEquals(List.of(Direction.MINIMIZE, Direction.MAXIMIZE), study.directions());
        study.optimize(Objective.ofValues(SearchSpace.parse(List.of("f.x=float:0:1")), t -> {
            double x = (Double) t.params().get("f.x");
            return new double[] {x, x * x};
        }), 4);
        assertEquals(0, Main.execute(study(multi, "status")));
        assertEquals(0, Main.execute(study(multi, "best")));
        Path csv = dir.resolve("multi.csv");
        assertEquals(0, Main.execute(study(multi, "export", "--out", csv.toString())));
        List<String> rows = Files.readAllLines(csv);
        assertEquals("number,state,values_0,values_1,f.x", rows.get(0));
        assertEquals(5, rows.size(), rows.toString());
        // hpo study run optimises one metric, so it refuses a multi-objective study
        assertEquals(2, Main.execute(study(multi, "run", "-c", config.toString(), "--trainer", "trainer",
                "--train-source", "train", "--valid-source", "valid", "--space", "adam.learningRate=float:1e-4:1e-1:log",
                "--trials", "1")));
    }

    @Test
    public void runsPopulationBasedTrainingAndWritesTheLineage(@TempDir Path dir) throws Exception {
        Path config = config(dir);
        Path lineage = dir.resolve("lineage.json");
        assertEquals(0, Main.execute(new String[] {"hpo", "pbt", "-c", config.toString(), "--trainer", "trainer",
                "--train-source", "train", "--valid-source", "valid", "--space", "adam.learningRate=float:1e-4:1e-1:log",
                "--population", "3", "--intervals", "2", "--quantile", "0.5", "--seed", "3", "--out", lineage.toString(),
                "--report", dir.resolve("report").toString()}));
        String html = Files.readString(dir.resolve("report").resolve("report.html"));
        assertTrue(html.contains("Validation score per member and interval"), "lineage table");
        assertTrue(html.contains("aria-label=\"Population based training: score per interval\""), "score chart");
        JsonNode json = new ObjectMapper().readTree(lineage.toFile());
        JsonNode segments = json.get("segments");
        assertEquals(6, segments.size());
        int winner = json.get("winner").asInt();
        assertEquals(segments.get(3 + winner).get("score").asDouble(), json.get("score").asDouble());
        for (JsonNode segment : segments) {
            assertTrue(segment.get("params").has("adam.learningRate"), segment.toString());
            assertEquals(segment.get("interval").asInt() == 1 ? -1 : segment.get("start_member").asInt(),
                    segment.get("start_member").asInt());
        }
        // bad settings are named before any training
        assertEquals(2, Main.execute(new String[] {"hpo", "pbt", "-c", config.toString(), "--trainer", "trainer",
                "--train-source", "train", "--valid-source", "valid", "--space", "adam.learningRate=float:1e-4:1e-1:log",
                "--population", "1"}));
    }

    /** The embedded sample split by class: classes 0-4 tune, classes 5-9 evaluate. */
    private static Path twoPhaseConfig(Path dir) throws Exception {
        String mlp = Files.readString(config(dir));
        StringBuilder sources = new StringBuilder();
        for (String[] source : List.of(new String[] {"tune-train", "train", "20", "0,1,2,3,4"},
                new String[] {"tune-valid", "t10k", "10", "0,1,2,3,4"}, new String[] {"eval-train", "train", "20", "5,6,7,8,9"},
                new String[] {"eval-test", "t10k", "10", "5,6,7,8,9"})) {
            sources.append("""
                    <component name="%1$s" type="org.tribuoadapt.core.data.IDXImageDataSource">
                        <property name="imagesLocation" value="%2$s%3$s-images-idx3-ubyte.gz"/>
                        <property name="labelsLocation" value="%2$s%3$s-labels-idx1-ubyte.gz"/>
                        <property name="maxPerClass" value="%4$s"/>
                        <propertylist name="keepClasses">%5$s</propertylist>
                    </component>
                    """.formatted(source[0], SAMPLE, source[1], source[2],
                    String.join("", List.of(source[3].split(",")).stream().map(c -> "<item>" + c + "</item>").toList())));
        }
        return Files.writeString(dir.resolve("two-phase.xml"), mlp.replace("<config>", "<config>\n" + sources));
    }

    private static String[] twoPhase(Path config, Path storage, String evalTest, String... rest) {
        List<String> args = new java.util.ArrayList<>(List.of("hpo", "two-phase", "--storage", storage.toString(),
                "--study", "tune", "-c", config.toString(), "--trainer", "trainer", "--tune-train", "tune-train",
                "--tune-valid", "tune-valid", "--eval-train", "eval-train", "--eval-test", evalTest,
                "--space", "adam.learningRate=float:1e-4:1e-1:log"));
        args.addAll(List.of(rest));
        return args.toArray(new String[0]);
    }

    @Test
    public void tunesOnOneClassSplitAndEvaluatesTheFrozenValuesOnTheOther(@TempDir Path dir) throws Exception {
        Path config = twoPhaseConfig(dir);
        Path storage = dir.resolve("two-phase.log");
        Path out = dir.resolve("two-phase.json");
        assertEquals(0, Main.execute(twoPhase(config, storage, "eval-test", "--trials", "5", "--sampler", "grid",
                "--grid", "adam.learningRate=0.001,0.03", "--out", out.toString())));
        JsonNode json = new ObjectMapper().readTree(out.toFile());
        Study study = Study.load("tune", new JournalFileStorage(storage), new RandomSampler(0));
        assertEquals(2, study.trials().size(), "phase 2 adds no trial");
        assertEquals(2, json.get("tuning_trials").asInt());
        Trial best = study.bestTrial();
        assertEquals(best.number(), json.get("tuning_best_trial").asInt());
        assertEquals(best.value(), json.get("tuning_score").asDouble());
        assertEquals(best.params().get("adam.learningRate").toString(), json.get("frozen").get("adam.learningRate").asText());
        assertEquals(json.get("tuning_score").asDouble() - json.get("evaluation_score").asDouble(),
                json.get("gap").asDouble(), 1e-12);
        // the phase-2 model was trained on the evaluation source (classes 5-9), with the frozen rate
        String evaluated = json.get("evaluation_model_provenance").asText();
        String keep5 = "\"key\":\"keepClasses\",\"value\":\"5\"";
        String keep0 = "\"key\":\"keepClasses\",\"value\":\"0\"";
        assertTrue(evaluated.contains(keep5) && !evaluated.contains(keep0), "phase 2 trained on other classes");
        String tuned = json.get("tuning_model_provenance").asText();
        assertTrue(tuned.contains(keep0) && !tuned.contains(keep5), "phase 1 trained on other classes");
        assertTrue(evaluated.contains("\"key\":\"learningRate\",\"value\":\""
                + best.params().get("adam.learningRate") + "\""), "phase 2 trained with another learning rate");
        assertTrue(json.get("configuration").asText().contains("eval-test"), json.toString());
        // the study exists now, so a second run is refused rather than choosing among old trials
        assertEquals(2, Main.execute(twoPhase(config, storage, "eval-test", "--trials", "1")));
        // a source in both phases is refused before any training
        assertEquals(2, Main.execute(twoPhase(config, dir.resolve("other.log"), "tune-valid", "--trials", "1")));
        assertTrue(Files.notExists(dir.resolve("other.log")) || Files.size(dir.resolve("other.log")) == 0);
    }

    @Test
    public void writesTheStudyReport(@TempDir Path dir) throws Exception {
        Path storage = dir.resolve("study.log");
        assertEquals(0, Main.execute(study(storage, "create", "--direction", "minimize")));
        Path empty = dir.resolve("empty");
        // a study without trials still gets a report, whose section says so
        assertEquals(0, Main.execute(study(storage, "report", "--out", empty.toString())));
        assertTrue(Files.readString(empty.resolve("report.html")).contains("no completed trials"));
        Study study = Study.load("mlp", new JournalFileStorage(storage), new RandomSampler(5));
        study.optimize(Objective.of(SearchSpace.parse(List.of("f.x=float:-1:1", "f.y=float:-1:1")), t -> {
            double x = (Double) t.params().get("f.x");
            return x * x;
        }), 12);
        Path out = dir.resolve("report");
        assertEquals(0, Main.execute(study(storage, "report", "--out", out.toString())));
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("aria-label=\"Optimisation history\""), "history chart");
        assertTrue(html.contains("aria-label=\"Parallel coordinates\""), "parallel coordinates");
        assertTrue(html.contains("Parameter importance"), "importance table");
        JsonNode section = new ObjectMapper().readTree(out.resolve("report.json").toFile()).get("sections").get(0);
        assertEquals(12, section.get("results").get("completedTrials").asInt(), section.toString());
        assertTrue(section.get("results").get("importance").has("f.x"), section.toString());
        // an existing report is not replaced
        assertEquals(1, Main.execute(study(storage, "report", "--out", out.toString())));
        assertEquals(2, Main.execute(study(storage, "report")));
        // the section covers single-objective studies only
        Path multi = dir.resolve("multi.log");
        assertEquals(0, Main.execute(study(multi, "create", "--direction", "minimize", "--direction", "maximize")));
        assertEquals(2, Main.execute(study(multi, "report", "--out", dir.resolve("multi").toString())));
    }

    @Test
    public void badInputIsNamed(@TempDir Path dir) throws Exception {
        Path config = config(dir);
        Path storage = dir.resolve("study.log");
        assertEquals(2, Main.execute(new String[] {"hpo", "trial"}));
        assertEquals(2, Main.execute(study(storage, "stop")));
        // an unknown property is a configuration error before any training, and no study is left behind
        assertEquals(2, Main.execute(study(storage, "run", "-c", config.toString(), "--trainer", "trainer",
                "--train-source", "train", "--valid-source", "valid", "--space", "adam.rate=float:1e-4:1e-1",
                "--trials", "1")));
        assertEquals(2, Main.execute(study(storage, "status")), "the failed run must not have created the study");
        assertEquals(2, Main.execute(study(storage, "create", "--direction", "sideways")));
        assertEquals(2, Main.execute(study(storage, "create", "--direction", "minimize", "--direction", "up")));
        assertEquals(2, Main.execute(study(storage, "run", "-c", config.toString(), "--trainer", "trainer",
                "--train-source", "train", "--valid-source", "valid", "--space", "adam.learningRate=float:1e-4:1e-1:log",
                "--sampler", "cmaes", "--trials", "1")));
        assertEquals(2, Main.execute(study(storage, "run", "--trials")));
        assertEquals(2, Main.execute(study(storage, "create", "--direction", "maximize", "--pruner", "percentile")));
        // a grid needs --sampler grid and the other way round
        assertEquals(2, Main.execute(study(storage, "run", "-c", config.toString(), "--trainer", "trainer",
                "--train-source", "train", "--valid-source", "valid", "--space", "adam.learningRate=float:1e-4:1e-1:log",
                "--sampler", "grid", "--trials", "1")));
        assertEquals(2, Main.execute(study(storage, "run", "-c", config.toString(), "--trainer", "trainer",
                "--train-source", "train", "--valid-source", "valid", "--space", "adam.learningRate=float:1e-4:1e-1:log",
                "--grid", "adam.learningRate=0.01", "--trials", "1")));
    }
}
