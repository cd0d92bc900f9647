package org.tribuoadapt.hpo.search.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Objective;
import org.tribuoadapt.hpo.search.OptunaPython;
import org.tribuoadapt.hpo.search.Pareto;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.ScriptedPruner;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialPruned;
import org.tribuoadapt.hpo.search.TrialState;
import org.tribuoadapt.hpo.search.NopPruner;
import org.tribuoadapt.hpo.search.sampler.GridSampler;
import org.tribuoadapt.hpo.search.sampler.NsgaIISampler;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;
import org.tribuoadapt.hpo.search.sampler.TpeSampler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opens journals written by Java in Optuna 3.1 and the other way round. Skipped when {@code /usr/bin/python3} or its
 * {@code optuna} module is missing.
 */
class OptunaInteropTest {

    // prints every trial of a study as Optuna sees it, then adds two trials of its own through study.optimize: one
    // complete, one pruned after two intermediate values
    private static final String SCRIPT = """
            import json, sys, optuna
            optuna.logging.set_verbosity(optuna.logging.WARNING)
            storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
            study = optuna.load_study(study_name=sys.argv[2], storage=storage)
            trials = [{"number": t.number, "state": t.state.name, "value": t.value, "params": t.params,
                       "distributions": {k: optuna.distributions.distribution_to_json(d) for k, d in t.distributions.items()},
                       "user_attrs": t.user_attrs, "intermediate_values": {str(k): v for k, v in t.intermediate_values.items()},
                       "fail_reason": t.system_attrs.get("fail_reason")} for t in study.trials]
            def objective(trial):
                lr = trial.suggest_float("adam.learningRate", 1e-4, 0.3, log=True)
                trial.suggest_int("trainer.epochs", 1, 8)
                trial.suggest_categorical("trainer.activation", ["RELU", "TANH"])
                trial.suggest_float("mlp.dropout", 0.0, 0.5, step=0.1)
                trial.report(0.25, 3)
                trial.set_user_attr("from", "python")
                if trial.number > len(trials):
                    trial.report(0.5, 4)
                    raise optuna.TrialPruned()
                return 42.0
            study.optimize(objective, n_trials=2)
            print(json.dumps({"direction": study.direction.name, "trials": trials}))
            """;

    private static final SearchSpace SPACE = SearchSpace.parse(List.of(
            "adam.learningRate=float:1e-4:0.3:log", "trainer.epochs=int:1:8", "trainer.activation=categorical:RELU,TANH",
            "mlp.dropout=float:0.0:0.5:step=0.1"));

    @BeforeAll
    static void needsOptuna() throws IOException, InterruptedException {
        OptunaPython.assumeAvailable();
    }

    @Test
    void javaStudyOpensInOptunaAndOptunaTrialsReadBack(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("study.log");
        Study study = Study.create("interop", new JournalFileStorage(journal), Direction.MAXIMIZE, new RandomSampler(7),
                new ScriptedPruner(Set.of(3), 1));
        study.optimize(Objective.of(SPACE, trial -> {
            if (trial.number() == 2) {
                throw new IllegalStateException("boom");
            }
            trial.report(0, 0.5 * trial.number());
            trial.report(1, 0.1 + trial.number());
            if (trial.shouldPrune()) {
                throw new TrialPruned("trial " + trial.number());
            }
            trial.setUserAttribute("note", "trial-" + trial.number());
            trial.setUserAttribute("sizes", List.of(1, 2));
            return (Double) trial.params().get("adam.learningRate") * 10;
        }), 4);
        List<Trial> written = study.trials();
        assertEquals(TrialState.PRUNED, written.get(3).state());
        assertEquals(3.1, written.get(3).value());

        JsonNode python = OptunaPython.run(SCRIPT, journal.toString(), "interop");
        assertEquals("MAXIMIZE", python.path("direction").asText());
        JsonNode pyTrials = python.path("trials");
        assertEquals(written.size(), pyTrials.size());
        ObjectMapper mapper = new ObjectMapper();
        for (Trial t : written) {
            JsonNode p = pyTrials.get(t.number());
            assertEquals(t.number(), p.path("number").asInt());
            assertEquals(t.state().name(), p.path("state").asText());
            if (t.value() == null) {
                assertTrue(p.path("value").isNull());
                assertTrue(p.path("fail_reason").asText().contains("boom"), p.toString());
            } else {
                assertEquals(t.value(), p.path("value").asDouble());
            }
            assertEquals(t.params().get("adam.learningRate"), p.path("params").path("adam.learningRate").asDouble());
            assertEquals(t.params().get("trainer.epochs"), p.path("params").path("trainer.epochs").asLong());
            assertTrue(p.path("params").path("trainer.epochs").isIntegralNumber());
            assertEquals(t.params().get("trainer.activation"), p.path("params").path("trainer.activation").asText());
            assertEquals(t.params().get("mlp.dropout"), p.path("params").path("mlp.dropout").asDouble());
            for (Map.Entry<String, ?> d : t.distributions().entrySet()) {
                assertEquals(DistributionJson.read(mapper, p.path("distributions").path(d.getKey()).asText()), d.getValue());
            }
            assertEquals(mapper.valueToTree(t.userAttributes()), p.path("user_attrs"));
            assertEquals(t.intermediateValues().size(), p.path("intermediate_values").size());
            t.intermediateValues().forEach((step, v) -> assertEquals(v, p.path("intermediate_values").path(step.toString()).asDouble()));
        }

        // Optuna's own trial, read back by a fresh Java storage
        Study reloaded = Study.load("interop", new JournalFileStorage(journal), new RandomSampler(7));
        assertTrue(reloaded.pruner() instanceof ScriptedPruner, "the recorded pruner is rebuilt");
        List<Trial> reread = reloaded.trials();
        assertEquals(written, reread.subList(0, written.size()));
        Trial fromPython = reread.get(written.size());
        assertEquals(TrialState.COMPLETE, fromPython.state());
        assertEquals(42.0, fromPython.value());
        assertEquals(Map.of("from", "python"), fromPython.userAttributes());
        assertEquals(Map.of(3, 0.25), fromPython.intermediateValues());
        assertEquals(SPACE.distributions(), fromPython.distributions());
        assertTrue(fromPython.params().get("trainer.epochs") instanceof Long);
        assertTrue(SPACE.distributions().get("mlp.dropout").contains((Double) fromPython.params().get("mlp.dropout")));
        assertTrue(fromPython.start() != null && fromPython.complete() != null);
        Trial prunedInPython = reread.get(written.size() + 1);
        assertEquals(TrialState.PRUNED, prunedInPython.state());
        assertEquals(Map.of(3, 0.25, 4, 0.5), prunedInPython.intermediateValues());
        assertEquals(0.5, prunedInPython.value());
    }

    // creates the study if needed, then runs n trials of TPE on x^2
    private static final String WORKER = """
            import sys, optuna
            optuna.logging.set_verbosity(optuna.logging.WARNING)
            storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
            study = optuna.create_study(study_name="shared", storage=storage, direction="minimize", load_if_exists=True,
                                        sampler=optuna.samplers.TPESampler(seed=int(sys.argv[3])))
            study.optimize(lambda t: t.suggest_float("f.x", -1.0, 1.0) ** 2, n_trials=int(sys.argv[2]))
            """;

    @Test
    void javaAndOptunaWorkersShareAStudyCreatedByOptuna(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("shared.log");
        assertEquals(0, worker(journal, 3, 1).waitFor(), () -> "optuna could not create the study: " + readErrors(journal));
        Study study = Study.load("shared", new JournalFileStorage(journal), new TpeSampler(2));
        assertEquals(Direction.MINIMIZE, study.direction());
        assertEquals(3, study.trials().size());
        assertTrue(study.pruner() instanceof NopPruner, "Optuna records no pruner");

        Process python = worker(journal, 12, 3);
        study.optimize(Objective.of(SearchSpace.parse(List.of("f.x=float:-1:1")), trial -> {
            double x = (Double) trial.params().get("f.x");
            return x * x;
        }), 12);
        assertTrue(python.waitFor(120, TimeUnit.SECONDS), "optuna worker did not finish");
        assertEquals(0, python.exitValue(), () -> "optuna worker failed: " + readErrors(journal));

        List<Trial> trials = study.trials();
        assertEquals(27, trials.size());
        for (int i = 0; i < trials.size(); i++) {
            Trial t = trials.get(i);
            assertEquals(i, t.number());
            assertEquals(TrialState.COMPLETE, t.state(), t::toString);
            double x = (Double) t.params().get("f.x");
            assertEquals(x * x, t.value(), 1e-12);
        }
        assertFalse(Files.exists(Path.of(journal + ".lock")));
    }

    // finishes a grid that Java started with Optuna's GridSampler, then prints every trial's point and grid id
    private static final String GRID = """
            import json, sys, optuna
            optuna.logging.set_verbosity(optuna.logging.ERROR)
            storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
            sampler = optuna.samplers.GridSampler({"f.x": [0.1, 0.2, 0.3], "g.k": ["a", "b", "c", "d"]})
            study = optuna.load_study(study_name="grid", storage=storage, sampler=sampler)
            study.optimize(lambda t: t.suggest_float("f.x", 0, 1) + len(t.suggest_categorical("g.k", ["a", "b", "c", "d"])),
                           n_trials=30)
            print(json.dumps([{"x": t.params["f.x"], "k": t.params["g.k"], "grid_id": t.system_attrs["grid_id"]}
                              for t in study.trials]))
            """;

    @Test
    void optunaFinishesAGridThatJavaStarted(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("grid.log");
        Map<String, List<String>> grid = Map.of("g.k", List.of("a", "b", "c", "d"), "f.x", List.of("0.1", "0.2", "0.3"));
        Objective objective = Objective.of(SearchSpace.parse(List.of("f.x=float:0:1", "g.k=categorical:a,b,c,d")),
                trial -> (Double) trial.params().get("f.x") + 1);
        Study.create("grid", new JournalFileStorage(journal), Direction.MINIMIZE, new GridSampler(grid, 3))
                .optimize(objective, 5);
        JsonNode trials = OptunaPython.run(GRID, journal.toString());
        // Optuna took the 7 points Java left and stopped
        assertEquals(12, trials.size());
        Set<String> points = new HashSet<>();
        for (JsonNode t : trials) {
            assertTrue(points.add(t.path("x").asDouble() + t.path("k").asText()), trials::toString);
            int id = t.path("grid_id").asInt();
            assertEquals(List.of(0.1, 0.2, 0.3).get(id / 4), t.path("x").asDouble());
            assertEquals(List.of("a", "b", "c", "d").get(id % 4), t.path("k").asText());
        }
        // and Java sees Optuna's points as taken
        Study java = Study.load("grid", new JournalFileStorage(journal), new GridSampler(grid, 4));
        java.optimize(objective, 2);
        assertEquals(12, java.trials().size());
    }

    // a multi-objective study as Optuna sees it: directions, values, best_trials and the NSGA-II parent population of
    // its generations; then Optuna's NSGA-II adds 4 trials and prints the new Pareto front
    private static final String MULTI = """
            import json, sys, optuna
            optuna.logging.set_verbosity(optuna.logging.ERROR)
            storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
            sampler = optuna.samplers.NSGAIISampler(population_size=6, seed=0)
            study = optuna.load_study(study_name="multi", storage=storage, sampler=sampler)
            generation, parents = sampler._collect_parent_population(study)
            out = {"directions": [d.name for d in study.directions], "values": [t.values for t in study.trials],
                   "generations": [t.system_attrs.get("nsga2:generation") for t in study.trials],
                   "best": [t.number for t in study.best_trials], "parent_generation": generation,
                   "parents": [t.number for t in parents]}
            def objective(trial):
                x = trial.suggest_float("f.x", -2.0, 3.0)
                e = trial.suggest_int("t.epochs", 1, 4)
                return e, e - (x - 1) ** 2
            study.optimize(objective, n_trials=4)
            out["best_after"] = [t.number for t in study.best_trials]
            print(json.dumps(out))
            """;

    @Test
    void multiObjectiveStudyOpensInOptunaWithTheSameParetoFrontAndParents(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("multi.log");
        List<Direction> directions = List.of(Direction.MINIMIZE, Direction.MAXIMIZE);
        Objective objective = Objective.ofValues(SearchSpace.parse(List.of("f.x=float:-2:3", "t.epochs=int:1:4")), trial -> {
            double x = (Double) trial.params().get("f.x");
            long e = (Long) trial.params().get("t.epochs");
            return new double[] {e, e - (x - 1) * (x - 1)};
        });
        NsgaIISampler sampler = new NsgaIISampler(3, 6, -1, 0.9, 0.5);
        Study study = Study.create("multi", new JournalFileStorage(journal), directions, sampler, new NopPruner());
        study.optimize(objective, 33);
        List<Trial> written = study.trials();

        JsonNode python = OptunaPython.run(MULTI, journal.toString());
        assertEquals("[\"MINIMIZE\",\"MAXIMIZE\"]", python.path("directions").toString());
        for (Trial t : written) {
            JsonNode values = python.path("values").get(t.number());
            assertEquals(t.values(), List.of(values.get(0).asDouble(), values.get(1).asDouble()));
            assertEquals(t.systemAttributes().get(NsgaIISampler.GENERATION), python.path("generations").get(t.number()).asInt());
        }
        // (the study itself already sees Optuna's new trials)
        assertEquals(numbers(python.path("best")), Pareto.front(written, directions).stream().map(Trial::number).toList());
        NsgaIISampler.Parents parents = sampler.parentPopulation(written, directions);
        assertEquals(python.path("parent_generation").asInt(), parents.generation());
        assertEquals(numbers(python.path("parents")), parents.parents().stream().map(Trial::number).toList());

        Study reloaded = Study.load("multi", new JournalFileStorage(journal), sampler);
        assertEquals(directions, reloaded.directions());
        List<Trial> reread = reloaded.trials();
        assertEquals(written.size() + 4, reread.size());
        for (Trial t : reread.subList(written.size(), reread.size())) {
            long e = (Long) t.params().get("t.epochs");
            double x = (Double) t.params().get("f.x");
            assertEquals(List.of((double) e, e - (x - 1) * (x - 1)), t.values());
        }
        assertEquals(numbers(python.path("best_after")), reloaded.bestTrials().stream().map(Trial::number).toList());
    }

    private static List<Integer> numbers(JsonNode array) {
        List<Integer> numbers = new ArrayList<>();
        array.forEach(n -> numbers.add(n.asInt()));
        return numbers;
    }

    private static Process worker(Path journal, int trials, int seed) throws IOException {
        return new ProcessBuilder(OptunaPython.PYTHON.toString(), "-c", WORKER, journal.toString(), Integer.toString(trials),
                Integer.toString(seed)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(Path.of(journal + ".err").toFile()).start();
    }

    private static String readErrors(Path journal) {
        try {
            return Files.readString(Path.of(journal + ".err"));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
