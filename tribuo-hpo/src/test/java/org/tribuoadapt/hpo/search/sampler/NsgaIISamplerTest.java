package org.tribuoadapt.hpo.search.sampler;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.core.provenance.ConfiguredObjects;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.NopPruner;
import org.tribuoadapt.hpo.search.Objective;
import org.tribuoadapt.hpo.search.Sampler;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NsgaIISamplerTest {

    private static final List<Direction> MIN_MIN = List.of(Direction.MINIMIZE, Direction.MINIMIZE);

    /** Schaffer's problem: x^2 and (x - 2)^2, whose Pareto set is x in [0, 2]; k only adds a categorical. */
    static final Objective SCHAFFER = Objective.ofValues(SearchSpace.parse(List.of("f.x=float:-4:6", "f.k=categorical:a,b,c")),
            trial -> {
                double x = (Double) trial.params().get("f.x") + ("b".equals(trial.params().get("f.k")) ? 0 : 0.5);
                return new double[] {x * x, (x - 2) * (x - 2)};
            });

    private static Trial point(int number, double... values) {
        List<Double> boxed = new ArrayList<>();
        for (double v : values) {
            boxed.add(v);
        }
        return new Trial(number, TrialState.COMPLETE, Map.of(), Map.of(), boxed, new TreeMap<>(), Map.of(), Map.of(), null, null);
    }

    private static List<List<Integer>> numbers(List<List<Trial>> fronts) {
        return fronts.stream().map(f -> f.stream().map(Trial::number).toList()).toList();
    }

    @Test
    void nondominatedSortSplitsHandMadePointsIntoFronts() {
        List<Trial> points = List.of(point(0, 1, 5), point(1, 2, 2), point(2, 5, 1), point(3, 3, 3), point(4, 4, 4),
                point(5, 6, 6));
        assertEquals(List.of(List.of(0, 1, 2), List.of(3), List.of(4), List.of(5)),
                numbers(NondominatedSort.fronts(points, MIN_MIN)));
        // maximising the second objective: (1, 5) and (6, 6) are not dominated, then (4, 4), (3, 3), (2, 2) (none
        // dominates another), then (5, 1); the order within a front is Optuna's (checked with Optuna 3.1)
        assertEquals(List.of(List.of(0, 5), List.of(4, 3, 1), List.of(2)),
                numbers(NondominatedSort.fronts(points, List.of(Direction.MINIMIZE, Direction.MAXIMIZE))));
        // equal points do not dominate each other; unfinished trials are dominated by every complete one
        Trial running = new Trial(7, TrialState.RUNNING, Map.of(), Map.of(), null, new TreeMap<>(), Map.of(), Map.of(), null, null);
        assertEquals(List.of(List.of(0, 6), List.of(7)),
                numbers(NondominatedSort.fronts(List.of(point(0, 1, 1), point(6, 1, 1), running), MIN_MIN)));
    }

    @Test
    void crowdingDistanceMatchesHandValues() {
        List<Trial> ends = new ArrayList<>(List.of(point(0, 1, 5), point(1, 2, 2), point(2, 5, 1)));
        Map<Integer, Double> d = NondominatedSort.crowdingDistances(ends);
        // each objective: neighbours 1 and 5 around the middle point, over the range 4
        assertEquals(Map.of(0, Double.POSITIVE_INFINITY, 1, 2.0, 2, Double.POSITIVE_INFINITY), d);

        List<Trial> four = new ArrayList<>(List.of(point(0, 0, 4), point(1, 1, 2), point(2, 3, 1), point(3, 4, 0)));
        d = NondominatedSort.crowdingDistances(new ArrayList<>(four));
        // trial 1: (3 - 0) / 4 + (4 - 1) / 4; trial 2: (4 - 1) / 4 + (2 - 0) / 4
        assertEquals(1.5, d.get(1), 1e-15);
        assertEquals(1.25, d.get(2), 1e-15);
        assertEquals(Double.POSITIVE_INFINITY, d.get(0));
        // Optuna's order: ascending stable sort on the list left sorted by the last objective, then reversed
        NondominatedSort.sortByCrowding(four);
        assertEquals(List.of(0, 3, 1, 2), four.stream().map(Trial::number).toList());

        // a constant objective adds nothing; equal neighbours give a zero gap
        d = NondominatedSort.crowdingDistances(new ArrayList<>(List.of(point(0, 1, 7), point(1, 1, 7), point(2, 1, 9))));
        assertEquals(Map.of(0, Double.POSITIVE_INFINITY, 1, 1.0, 2, Double.POSITIVE_INFINITY), d);
        d = NondominatedSort.crowdingDistances(new ArrayList<>(List.of(point(0, 1, 7), point(1, 1, 7), point(2, 1, 7),
                point(3, 1, 9))));
        assertEquals(Map.of(0, Double.POSITIVE_INFINITY, 1, 0.0, 2, 1.0, 3, Double.POSITIVE_INFINITY), d);
    }

    private static Study run(Path dir, String name, NsgaIISampler sampler, int trials) {
        Study study = Study.create(name, new JournalFileStorage(dir.resolve(name + ".log")), MIN_MIN, sampler, new NopPruner());
        study.optimize(SCHAFFER, trials);
        return study;
    }

    @Test
    void generationsAreTrackedAndChildrenInheritFromTheParents(@TempDir Path dir) {
        List<Trial> trials = run(dir, "s", new NsgaIISampler(1, 6, -1, 0.9, 0.5), 30).trials();
        for (Trial t : trials) {
            // every generation fills with 6 complete trials before the next starts (one worker)
            assertEquals(t.number() / 6, ((Number) t.systemAttributes().get(NsgaIISampler.GENERATION)).intValue());
            assertEquals(t.number() >= 6, t.systemAttributes().containsKey(NsgaIISampler.INHERITED), t::toString);
        }
        NsgaIISampler sampler = new NsgaIISampler(1, 6, -1, 0.9, 0.5);
        NsgaIISampler.Parents parents = sampler.parentPopulation(trials, MIN_MIN);
        assertEquals(4, parents.generation());
        assertEquals(6, parents.parents().size());
        // the elite of generation 4 and the previous parents: no trial outside them dominates any of them
        for (Trial p : parents.parents()) {
            assertTrue(p.number() < 30);
        }
        // inherited values are values of the previous parent population, and are used as the trial's values
        NsgaIISampler.Parents previous = sampler.parentPopulation(trials.subList(0, 12), MIN_MIN);
        for (Trial child : trials.subList(12, 18)) {
            @SuppressWarnings("unchecked")
            Map<String, Number> inherited = (Map<String, Number>) child.systemAttributes().get(NsgaIISampler.INHERITED);
            inherited.forEach((name, value) -> {
                assertEquals(value.doubleValue(), child.internalParam(name).getAsDouble());
                assertTrue(previous.parents().stream().anyMatch(p -> p.internalParam(name).getAsDouble() == value.doubleValue()));
            });
        }
        // with 2 parameters the mutation probability is 1/2, so some children lack one
        assertTrue(trials.stream().skip(6).anyMatch(t -> ((Map<?, ?>) t.systemAttributes().get(NsgaIISampler.INHERITED)).size() < 2));
    }

    @Test
    void sameSeedAndHistoryGiveTheSameSuggestions(@TempDir Path dir) {
        List<Trial> a = run(dir, "a", new NsgaIISampler(5, 4, -1, 0.9, 0.5), 16).trials();
        List<Trial> b = run(dir, "b", new NsgaIISampler(5, 4, -1, 0.9, 0.5), 16).trials();
        assertEquals(a.stream().map(Trial::params).toList(), b.stream().map(Trial::params).toList());
        assertEquals(new NsgaIISampler(5, 4, -1, 0.9, 0.5).claim(a, SCHAFFER.space(), MIN_MIN),
                new NsgaIISampler(5, 4, -1, 0.9, 0.5).claim(List.copyOf(b), SCHAFFER.space(), MIN_MIN));
        List<Trial> c = run(dir, "c", new NsgaIISampler(6, 4, -1, 0.9, 0.5), 16).trials();
        assertFalse(a.stream().map(Trial::params).toList().equals(c.stream().map(Trial::params).toList()));
    }

    @Test
    void multiObjectiveStudiesKeepTheParetoFrontAndRefuseSingleObjectiveCalls(@TempDir Path dir) {
        Study study = run(dir, "front", new NsgaIISampler(2, 10, -1, 0.9, 0.5), 40);
        List<Trial> front = study.bestTrials();
        assertFalse(front.isEmpty());
        for (Trial t : study.trials()) {
            boolean dominated = study.trials().stream().anyMatch(o -> o.values().get(0) <= t.values().get(0)
                    && o.values().get(1) <= t.values().get(1) && !o.values().equals(t.values()));
            assertEquals(!dominated, front.contains(t), t::toString);
        }
        assertThrows(IllegalStateException.class, study::bestTrial);
        assertThrows(IllegalStateException.class, study::direction);
        assertThrows(IllegalArgumentException.class, () -> Study.create("tpe", new JournalFileStorage(dir.resolve("t.log")),
                MIN_MIN, new TpeSampler(1), new NopPruner()));
        // a wrong number of values, or NaN in any, fails the trial
        Study wrong = Study.create("wrong", new JournalFileStorage(dir.resolve("w.log")), MIN_MIN, new RandomSampler(1),
                new NopPruner());
        wrong.optimize(Objective.ofValues(SCHAFFER.space(), t -> t.number() == 0 ? new double[] {1} : new double[] {1, Double.NaN}), 2);
        assertEquals(List.of(TrialState.FAIL, TrialState.FAIL), wrong.trials().stream().map(Trial::state).toList());
        assertTrue(wrong.bestTrials().isEmpty());
    }

    @Test
    void isConfigurableAndRebuiltFromItsProvenance(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("sampler.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <config>
                    <component name="good" type="org.tribuoadapt.hpo.search.sampler.NsgaIISampler">
                        <property name="seed" value="4"/><property name="populationSize" value="8"/><property name="mutationProb" value="0.25"/>
                    </component>
                    <component name="bad" type="org.tribuoadapt.hpo.search.sampler.NsgaIISampler">
                        <property name="populationSize" value="1"/>
                    </component>
                </config>
                """);
        try (ConfigurationManager cm = new ConfigurationManager(config.toString())) {
            NsgaIISampler sampler = (NsgaIISampler) cm.lookup("good");
            assertEquals(sampler.toString(), ConfiguredObjects.instantiate(sampler.getProvenance(), Sampler.class).toString());
            PropertyException bad = assertThrows(PropertyException.class, () -> cm.lookup("bad"));
            assertTrue(bad.getMessage().contains("populationSize"), bad.getMessage());
        }
    }
}
