package org.tribuoadapt.hpo.search.pruner;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Pruner;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pruning decisions worked out by hand from the rules of Optuna 3.1's pruners ({@code OptunaPrunerInteropTest}
 * compares them with Optuna itself).
 */
class PrunerTest {

    /** A study in memory: its trials, and the system attributes the judged trial was given. */
    private static final class Judged implements Pruner.Context {
        final List<Trial> trials;
        final Trial trial;
        final Direction direction;
        final Map<String, Object> written = new LinkedHashMap<>();

        Judged(List<Trial> others, Trial trial, Direction direction) {
            this.trials = new ArrayList<>(others);
            this.trials.add(trial);
            this.trial = trial;
            this.direction = direction;
        }

        @Override
        public String studyName() {
            return "hb";
        }

        @Override
        public Direction direction() {
            return direction;
        }

        @Override
        public List<Trial> trials() {
            return trials;
        }

        @Override
        public Trial trial() {
            return trial;
        }

        @Override
        public void setTrialSystemAttribute(String key, Object value) {
            written.put(key, value);
        }
    }

    private static Trial trial(int number, TrialState state, Map<Integer, Double> values, Map<String, Object> system) {
        return new Trial(number, state, Map.of(), Map.of(), null, new TreeMap<>(values), Map.of(), system, null, null);
    }

    private static Trial running(Map<Integer, Double> values) {
        return trial(99, TrialState.RUNNING, values, Map.of());
    }

    /** COMPLETE trials that reported {@code values[i]} at steps 0 and 1. */
    private static List<Trial> complete(double... values) {
        List<Trial> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            out.add(trial(i, TrialState.COMPLETE, Map.of(0, values[i], 1, values[i]), Map.of()));
        }
        return out;
    }

    private static boolean prune(Pruner pruner, List<Trial> others, Map<Integer, Double> values, Direction direction) {
        return pruner.prune(new Judged(others, running(values), direction));
    }

    @Test
    void medianComparesTheBestValueSoFarWithTheMedianAtTheLastStep() {
        MedianPruner median = new MedianPruner();
        List<Trial> five = complete(1, 2, 3, 4, 5);
        assertTrue(prune(median, five, Map.of(0, 9.0, 1, 3.5), Direction.MINIMIZE));
        assertFalse(prune(median, five, Map.of(1, 2.5), Direction.MINIMIZE));
        // the best value over all steps counts, not the last one
        assertFalse(prune(median, five, Map.of(0, 2.9, 1, 3.5), Direction.MINIMIZE));
        assertTrue(prune(median, five, Map.of(1, 2.5), Direction.MAXIMIZE));
        // an even count takes the mean of the middle two (3.5); equal is not worse
        List<Trial> six = complete(6, 1, 5, 2, 4, 3);
        assertFalse(prune(median, six, Map.of(1, 3.5), Direction.MINIMIZE));
        assertTrue(prune(median, six, Map.of(1, 3.6), Direction.MINIMIZE));
        // five startup trials; NaN values are pruned; a NaN among the others is skipped by the median
        assertFalse(prune(median, complete(1, 2, 3, 4), Map.of(1, 100.0), Direction.MINIMIZE));
        assertTrue(prune(median, five, Map.of(0, Double.NaN, 1, Double.NaN), Direction.MINIMIZE));
        assertFalse(prune(median, complete(1, 2, Double.NaN, 4, 5, Double.NaN), Map.of(1, 3.0), Direction.MINIMIZE));
        assertTrue(prune(median, complete(1, 2, Double.NaN, 4, 5, Double.NaN), Map.of(1, 3.1), Direction.MINIMIZE));
        // no step, or a step no complete trial reported
        assertFalse(prune(median, five, Map.of(), Direction.MINIMIZE));
        assertFalse(prune(median, five, Map.of(7, 100.0), Direction.MINIMIZE));
    }

    @Test
    void medianWarmUpIntervalAndMinimumTrials() {
        // warm-up 2 and interval 3: checks at the first step reported at or after 2, 5, 8, ...
        MedianPruner spaced = new MedianPruner(1, 2, 3, 1);
        List<Trial> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<Integer, Double> values = new TreeMap<>();
            for (int step = 0; step < 10; step++) {
                values.put(step, 1.0);
            }
            others.add(trial(i, TrialState.COMPLETE, values, Map.of()));
        }
        assertFalse(prune(spaced, others, Map.of(1, 5.0), Direction.MINIMIZE), "in the warm-up");
        assertTrue(prune(spaced, others, Map.of(1, 5.0, 2, 5.0), Direction.MINIMIZE));
        assertFalse(prune(spaced, others, Map.of(2, 5.0, 3, 5.0, 4, 5.0), Direction.MINIMIZE), "step 2 was the check");
        assertTrue(prune(spaced, others, Map.of(0, 5.0, 6, 5.0), Direction.MINIMIZE), "first report since check 5");
        // two complete trials reported step 1, three are needed
        assertFalse(prune(new MedianPruner(0, 0, 1, 3), complete(1, 2), Map.of(1, 9.0), Direction.MINIMIZE));
        assertTrue(prune(new MedianPruner(0, 0, 1, 2), complete(1, 2), Map.of(1, 9.0), Direction.MINIMIZE));
    }

    @Test
    void successiveHalvingPromotesTheBestFractionOfEachRung() {
        // min resource 1, reduction factor 2: rungs end at steps 1, 2, 4, ...
        SuccessiveHalvingPruner sha = new SuccessiveHalvingPruner(1, 2, 0, 0);
        Judged first = new Judged(List.of(), running(Map.of(0, 5.0)), Direction.MINIMIZE);
        assertFalse(sha.prune(first), "before the end of rung 0");
        assertTrue(first.written.isEmpty());
        // alone at rung 0: the best of one is promoted, and rung 1 ends at step 2
        Judged alone = new Judged(List.of(), running(Map.of(0, 5.0, 1, 5.0)), Direction.MINIMIZE);
        assertFalse(sha.prune(alone));
        assertEquals(Map.of("completed_rung_0", 5.0), alone.written);
        // with 3, 5, 9 recorded at rung 0, the best 4 / 2 = 2 of {3, 5, 7 or 4, 9} go on
        List<Trial> recorded = new ArrayList<>();
        for (double v : new double[] {5, 3, 9}) {
            recorded.add(trial(recorded.size(), TrialState.RUNNING, Map.of(1, v), Map.of("completed_rung_0", v)));
        }
        assertTrue(sha.prune(new Judged(recorded, running(Map.of(1, 7.0)), Direction.MINIMIZE)));
        assertFalse(sha.prune(new Judged(recorded, running(Map.of(1, 4.0)), Direction.MINIMIZE)));
        assertFalse(sha.prune(new Judged(recorded, running(Map.of(1, 7.0)), Direction.MAXIMIZE)));
        assertTrue(sha.prune(new Judged(recorded, running(Map.of(1, 4.0)), Direction.MAXIMIZE)));
        // a trial that completed rung 0 is judged at rung 1 (step 2) against rung 1's values
        Trial atRungOne = trial(99, TrialState.RUNNING, Map.of(1, 4.0, 2, 8.0), Map.of("completed_rung_0", 4.0));
        List<Trial> rungOne = List.of(trial(0, TrialState.RUNNING, Map.of(2, 1.0), Map.of("completed_rung_1", 1.0)),
                trial(1, TrialState.RUNNING, Map.of(2, 2.0), Map.of("completed_rung_1", 2.0)),
                trial(2, TrialState.RUNNING, Map.of(2, 3.0), Map.of("completed_rung_1", 3.0)));
        Judged judged = new Judged(rungOne, atRungOne, Direction.MINIMIZE);
        assertTrue(sha.prune(judged));
        assertEquals(Map.of("completed_rung_1", 8.0), judged.written);
        // NaN at the end of a rung is pruned, before it is not; too few values for the bootstrap count is pruned
        assertTrue(sha.prune(new Judged(List.of(), running(Map.of(1, Double.NaN)), Direction.MINIMIZE)));
        assertFalse(sha.prune(new Judged(List.of(), running(Map.of(0, Double.NaN)), Direction.MINIMIZE)));
        assertTrue(new SuccessiveHalvingPruner(1, 2, 0, 3).prune(new Judged(recorded.subList(0, 1),
                running(Map.of(1, 0.0)), Direction.MINIMIZE)));
        // min early stopping rate 1: the first rung ends at 1 * 2^1 = 2
        assertFalse(new SuccessiveHalvingPruner(1, 2, 1, 0).prune(new Judged(recorded, running(Map.of(1, 100.0)),
                Direction.MINIMIZE)));
    }

    @Test
    void successiveHalvingEstimatesTheMinimumResourceFromCompleteTrials() {
        SuccessiveHalvingPruner auto = new SuccessiveHalvingPruner();
        assertFalse(auto.prune(new Judged(List.of(), running(Map.of(5, 1.0)), Direction.MINIMIZE)), "nothing complete");
        // largest complete last step 250: min resource 250 / 100 = 2, so step 1 is before rung 0's end
        Trial long1 = trial(0, TrialState.COMPLETE, Map.of(250, 1.0), Map.of());
        Judged early = new Judged(List.of(long1), running(Map.of(1, 9.0)), Direction.MINIMIZE);
        assertFalse(auto.prune(early));
        assertTrue(early.written.isEmpty());
        Judged atTwo = new Judged(List.of(long1), running(Map.of(2, 9.0)), Direction.MINIMIZE);
        assertFalse(auto.prune(atTwo));
        assertEquals(Map.of("completed_rung_0", 9.0), atTwo.written);
    }

    @Test
    void hyperbandAssignsBracketsByTheTrialNumbersCrc32() {
        // max resource 9, reduction factor 3: 3 brackets with budgets 9, 5, 3; crc32("hb_n") % 17 (from Python's
        // binascii.crc32) puts trials 0 and 1 in bracket 0, 4 to 6 in bracket 1, 2, 3 and 7 in bracket 2
        HyperbandPruner hyperband = new HyperbandPruner(1, 9, 3, 0);
        assertFalse(hyperband.prune(new Judged(List.of(), running(Map.of()), Direction.MINIMIZE)));
        int[] expected = {0, 0, 2, 2, 1, 1, 1, 2};
        for (int n = 0; n < expected.length; n++) {
            assertEquals(expected[n], hyperband.bracketOf("hb", n), "trial " + n);
        }
        // bracket 0's first rung ends at step 1; bracket 2's at 1 * 3^2 = 9
        Trial inBracket0 = trial(1, TrialState.RUNNING, Map.of(1, 5.0), Map.of());
        Judged zero = new Judged(List.of(), inBracket0, Direction.MINIMIZE);
        assertFalse(hyperband.prune(zero));
        assertEquals(Map.of("completed_rung_0", 5.0), zero.written);
        Judged two = new Judged(List.of(), trial(2, TrialState.RUNNING, Map.of(5, 5.0), Map.of()), Direction.MINIMIZE);
        assertFalse(hyperband.prune(two));
        assertTrue(two.written.isEmpty());
        // a bracket only sees its own trials: trial 1 (bracket 0) competes with trial 0 (9), not with 4 and 5
        // (bracket 1, 1.0 each), so 5 is the best of {9, 5} and goes on, where among {9, 1, 1, 5} it would not
        List<Trial> others = List.of(
                trial(0, TrialState.RUNNING, Map.of(1, 9.0), Map.of("completed_rung_0", 9.0)),
                trial(4, TrialState.RUNNING, Map.of(1, 1.0), Map.of("completed_rung_0", 1.0)),
                trial(5, TrialState.RUNNING, Map.of(1, 1.0), Map.of("completed_rung_0", 1.0)));
        assertFalse(hyperband.prune(new Judged(others, inBracket0, Direction.MINIMIZE)));
        assertTrue(new SuccessiveHalvingPruner(1, 3, 0, 0).prune(new Judged(others, inBracket0, Direction.MINIMIZE)),
                "without brackets the same trial is pruned");
    }

    @Test
    void prunersAreConfigurableAndCheckTheirSettings(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("pruners.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <config>
                    <component name="median" type="org.tribuoadapt.hpo.search.pruner.MedianPruner">
                        <property name="nWarmupSteps" value="3"/>
                    </component>
                    <component name="sha" type="org.tribuoadapt.hpo.search.pruner.SuccessiveHalvingPruner">
                        <property name="minResource" value="2"/>
                    </component>
                    <component name="hyperband" type="org.tribuoadapt.hpo.search.pruner.HyperbandPruner">
                        <property name="maxResource" value="27"/>
                    </component>
                    <component name="bad-sha" type="org.tribuoadapt.hpo.search.pruner.SuccessiveHalvingPruner">
                        <property name="minResource" value="often"/>
                    </component>
                    <component name="bad-hyperband" type="org.tribuoadapt.hpo.search.pruner.HyperbandPruner">
                        <property name="bootstrapCount" value="2"/>
                    </component>
                </config>
                """);
        try (ConfigurationManager cm = new ConfigurationManager(config.toString())) {
            assertEquals("MedianPruner(nStartupTrials=5, nWarmupSteps=3, intervalSteps=1, nMinTrials=1)",
                    cm.lookup("median").toString());
            assertTrue(((Pruner) cm.lookup("sha")).getProvenance().toString().contains("minResource"));
            assertTrue(cm.lookup("hyperband").toString().contains("maxResource=27"));
            PropertyException sha = assertThrows(PropertyException.class, () -> cm.lookup("bad-sha"));
            assertTrue(sha.getMessage().contains("integer >= 1 or auto, found 'often'"), sha.getMessage());
            PropertyException hyperband = assertThrows(PropertyException.class, () -> cm.lookup("bad-hyperband"));
            assertTrue(hyperband.getMessage().contains("needs an integer maxResource"), hyperband.getMessage());
        }
        assertThrows(PropertyException.class, () -> new MedianPruner(5, 0, 0, 1));
        assertThrows(PropertyException.class, () -> new SuccessiveHalvingPruner(1, 1, 0, 0));
        assertThrows(PropertyException.class, () -> new HyperbandPruner(3, 2, 3, 0));
    }
}
