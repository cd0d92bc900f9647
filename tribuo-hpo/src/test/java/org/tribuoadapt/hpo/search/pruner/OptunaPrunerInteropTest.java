package org.tribuoadapt.hpo.search.pruner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Objective;
import org.tribuoadapt.hpo.search.OptunaPython;
import org.tribuoadapt.hpo.search.Pruner;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialPruned;
import org.tribuoadapt.hpo.search.TrialState;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same trials, reporting the same intermediate values step by step and stopping when told, run in a Java study
 * with each pruner and in an Optuna 3.1 study with Optuna's pruner of the same settings: every trial must end in the
 * same state after the same steps, with the same successive-halving rungs recorded. Optuna also reads the pruner
 * recorded in the Java study. Skipped without Python's {@code optuna}.
 */
class OptunaPrunerInteropTest {

    private static final int TRIALS = 20;
    private static final int STEPS = 9;

    // runs each scenario's trials in a new Optuna study and prints their outcomes
    private static final String SCRIPT = """
            import json, sys, optuna
            optuna.logging.set_verbosity(optuna.logging.ERROR)
            spec = json.loads(sys.argv[2])
            values = spec["values"]
            def objective(trial):
                row = values[trial.number]
                for step, v in enumerate(row):
                    trial.report(v, step)
                    if trial.should_prune():
                        raise optuna.TrialPruned()
                return row[-1]
            out = {}
            for scenario in spec["scenarios"]:
                storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1] + "/" + scenario["name"] + ".py.log"))
                study = optuna.create_study(study_name=scenario["name"], storage=storage, direction=scenario["direction"],
                                            pruner=eval(scenario["pruner"], {"optuna": optuna}))
                study.optimize(objective, n_trials=len(values))
                java = optuna.load_study(study_name=scenario["name"], storage=optuna.storages.JournalStorage(
                    optuna.storages.JournalFileStorage(sys.argv[1] + "/" + scenario["name"] + ".java.log")))
                out[scenario["name"]] = {"recorded_pruner": java.user_attrs.get("pruner"), "trials": [
                    {"state": t.state.name, "steps": sorted(t.intermediate_values),
                     "rungs": {k: v for k, v in t.system_attrs.items() if k.startswith("completed_rung_")}}
                    for t in study.trials]}
            print(json.dumps(out))
            """;

    private record Scenario(String name, Pruner pruner, String python, Direction direction) {}

    @BeforeAll
    static void needsOptuna() throws IOException, InterruptedException {
        OptunaPython.assumeAvailable();
    }

    /** Noisy learning curves: rising or falling trends with ties (two decimals) and a few NaN values. */
    private static double[][] curves() {
        SplittableRandom rng = new SplittableRandom(13);
        double[][] values = new double[TRIALS][STEPS];
        for (int t = 0; t < TRIALS; t++) {
            double start = rng.nextDouble();
            double rate = rng.nextDouble(-0.1, 0.1);
            for (int s = 0; s < STEPS; s++) {
                values[t][s] = Math.round((start + rate * s + rng.nextDouble(0, 0.05)) * 100) / 100.0;
            }
            if (t % 7 == 3) {
                values[t][2] = Double.NaN;
            }
            if (t == 11) {
                Arrays.fill(values[t], 1, STEPS, Double.NaN);
            }
        }
        return values;
    }

    @Test
    void javaPrunersDecideAsOptunaDoes(@TempDir Path dir) throws Exception {
        List<Scenario> scenarios = List.of(
                new Scenario("median", new MedianPruner(), "optuna.pruners.MedianPruner()", Direction.MINIMIZE),
                new Scenario("median-spaced", new MedianPruner(2, 1, 2, 2),
                        "optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1, interval_steps=2, n_min_trials=2)",
                        Direction.MAXIMIZE),
                new Scenario("sha", new SuccessiveHalvingPruner(), "optuna.pruners.SuccessiveHalvingPruner()",
                        Direction.MINIMIZE),
                new Scenario("sha-bootstrap", new SuccessiveHalvingPruner(1, 2, 1, 1),
                        "optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2, min_early_stopping_rate=1, bootstrap_count=1)",
                        Direction.MAXIMIZE),
                new Scenario("hyperband", new HyperbandPruner(), "optuna.pruners.HyperbandPruner()", Direction.MINIMIZE),
                new Scenario("hyperband-27", new HyperbandPruner(1, 27, 3, 0),
                        "optuna.pruners.HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)",
                        Direction.MAXIMIZE));
        double[][] values = curves();
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Object> spec = new LinkedHashMap<>();
        List<List<Object>> rows = new ArrayList<>();
        for (double[] row : values) {
            List<Object> r = new ArrayList<>();
            for (double v : row) {
                r.add(Double.isNaN(v) ? "NaN" : v);
            }
            rows.add(r);
        }
        spec.put("values", rows);
        List<Map<String, String>> pythonScenarios = new ArrayList<>();
        for (Scenario s : scenarios) {
            runInJava(dir, s, values);
            pythonScenarios.add(Map.of("name", s.name(), "pruner", s.python(),
                    "direction", s.direction().name().toLowerCase(Locale.ROOT)));
        }
        spec.put("scenarios", pythonScenarios);
        // Python's json reads the bare NaN literal; Jackson would quote it
        String json = mapper.writeValueAsString(spec).replace("\"NaN\"", "NaN");
        JsonNode python = OptunaPython.run(SCRIPT, dir.toString(), json);

        for (Scenario s : scenarios) {
            List<Trial> trials = Study.load(s.name(), new JournalFileStorage(dir.resolve(s.name() + ".java.log")),
                    new RandomSampler(0)).trials();
            JsonNode expected = python.path(s.name());
            String recorded = expected.path("recorded_pruner").asText();
            assertTrue(recorded.contains(s.pruner().getClass().getName()), recorded);
            Map<TrialState, Integer> states = new EnumMap<>(TrialState.class);
            trials.forEach(t -> states.merge(t.state(), 1, Integer::sum));
            assertTrue(states.containsKey(TrialState.PRUNED) && states.containsKey(TrialState.COMPLETE),
                    () -> s.name() + " must both prune and complete trials to test anything: " + states);
            Iterator<JsonNode> py = expected.path("trials").elements();
            for (Trial t : trials) {
                JsonNode p = py.next();
                String where = s.name() + " trial " + t.number();
                assertEquals(p.path("state").asText(), t.state().name(), where);
                List<Integer> steps = new ArrayList<>();
                p.path("steps").forEach(n -> steps.add(n.asInt()));
                assertEquals(steps, List.copyOf(t.intermediateValues().keySet()), where);
                Map<String, Double> rungs = new TreeMap<>();
                p.path("rungs").fields().forEachRemaining(e -> rungs.put(e.getKey(), e.getValue().asDouble()));
                Map<String, Double> javaRungs = new TreeMap<>();
                t.systemAttributes().forEach((k, v) -> {
                    if (k.startsWith(SuccessiveHalvingPruner.RUNG_ATTRIBUTE_PREFIX)) {
                        javaRungs.put(k, ((Number) v).doubleValue());
                    }
                });
                assertEquals(rungs, javaRungs, where);
            }
        }
    }

    private static void runInJava(Path dir, Scenario s, double[][] values) {
        Study study = Study.create(s.name(), new JournalFileStorage(dir.resolve(s.name() + ".java.log")), s.direction(),
                new RandomSampler(0), s.pruner());
        study.optimize(Objective.of(SearchSpace.parse(List.of("f.x=float:0:1")), trial -> {
            double[] row = values[trial.number()];
            for (int step = 0; step < row.length; step++) {
                trial.report(step, row[step]);
                if (trial.shouldPrune()) {
                    throw new TrialPruned("step " + step);
                }
            }
            return row[row.length - 1];
        }), values.length);
    }
}
