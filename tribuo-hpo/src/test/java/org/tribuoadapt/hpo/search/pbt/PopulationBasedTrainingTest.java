package org.tribuoadapt.hpo.search.pbt;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.objective.ConfigObjective;
import org.tribuoadapt.hpo.search.objective.MlpBarsConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PopulationBasedTrainingTest {

    private static final List<String> SPACE = List.of("adam.learningRate=float:1e-3:0.3:log",
            "trainer.batchSize=categorical:8,16,32");

    private static final int POPULATION = 4;
    private static final int INTERVALS = 3;
    /** The bottom half exploits, so the run's eight checkpoints almost surely include exploits. */
    private static final double QUANTILE = 0.5;

    @TempDir
    static Path dir;
    private static ConfigObjective objective;
    private static PbtResult result;

    @BeforeAll
    static void train() throws IOException {
        System.setProperty("ai.djl.offline", "true");
        objective = new ConfigObjective(MlpBarsConfig.copyTo(dir), "trainer", "train", "valid",
                ConfigObjective.Metric.ACCURACY, SPACE);
        result = pbt(7).run();
    }

    private static PopulationBasedTraining pbt(long seed) {
        return new PopulationBasedTraining(objective, POPULATION, 1, INTERVALS, QUANTILE, 0.25, seed);
    }

    private static PbtSegment segment(int member, int interval) {
        return result.segments().stream().filter(s -> s.member() == member && s.interval() == interval).findFirst()
                .orElseThrow();
    }

    @Test
    void everyCheckpointFollowsTheExploitRuleOnTheLatestScores() {
        List<PbtSegment> segments = result.segments();
        assertEquals(POPULATION * INTERVALS, segments.size());
        TruncationSelection selection = new TruncationSelection(Direction.MAXIMIZE, QUANTILE);
        Map<Integer, PbtSegment> board = new HashMap<>();
        int exploits = 0;
        for (int i = 0; i < segments.size(); i++) {
            PbtSegment s = segments.get(i);
            // round by round, members in order
            assertEquals(i / POPULATION + 1, s.interval());
            assertEquals(i % POPULATION, s.member());
            assertTrue(s.score() >= 0 && s.score() <= 1);
            if (s.interval() == 1) {
                assertEquals(PbtSegment.FRESH, s.startMember());
                assertEquals(0, s.startInterval());
            }
            board.put(s.member(), s);
            if (s.interval() == INTERVALS) {
                continue;
            }
            // the scoreboard this member saw: this round's scores of the members before it, the last round's after it
            Map<Integer, Double> scores = new HashMap<>();
            board.forEach((member, latest) -> scores.put(member, latest.score()));
            List<Integer> ranked = selection.ranked(scores);
            int group = selection.groupSize(ranked.size());
            boolean bottom = group > 0 && ranked.indexOf(s.member()) >= ranked.size() - group;
            PbtSegment next = segment(s.member(), s.interval() + 1);
            if (bottom) {
                exploits++;
                assertTrue(next.exploited());
                assertTrue(ranked.subList(0, group).contains(next.startMember()), "donor " + next.startMember());
                assertEquals(board.get(next.startMember()).interval(), next.startInterval());
                double rate = (Double) next.params().get("adam.learningRate");
                assertTrue(rate >= 1e-3 && rate <= 0.3, "rate " + rate);
            } else {
                assertFalse(next.exploited());
                assertEquals(s.interval(), next.startInterval());
                assertEquals(s.params(), next.params());
            }
        }
        assertTrue(exploits > 0, "no member exploited");
    }

    @Test
    void theWinnerHasTheBestFinalScoreAndItsModelRecordsItsSegment() {
        int winner = result.winner();
        for (int m = 0; m < POPULATION; m++) {
            assertTrue(segment(winner, INTERVALS).score() >= segment(m, INTERVALS).score());
        }
        assertEquals(segment(winner, INTERVALS).score(), result.score());
        Map<String, ? extends Provenance> instance = result.model().getProvenance().getInstanceProvenance().getMap();
        assertEquals(new IntProvenance(PopulationBasedTraining.MEMBER, winner), instance.get(PopulationBasedTraining.MEMBER));
        assertEquals(new IntProvenance(PopulationBasedTraining.INTERVAL, INTERVALS),
                instance.get(PopulationBasedTraining.INTERVAL));
        assertTrue(result.provenance().toString().contains("populationSize"), result.provenance().toString());
    }

    @Test
    void schedulesFollowTheLineageAndReplayToTheSameWeights() {
        PopulationBasedTraining pbt = pbt(7);
        List<PbtSegment> winner = result.schedule();
        assertEquals(PbtSegment.FRESH, winner.get(0).startMember());
        assertEquals(result.winner(), winner.get(winner.size() - 1).member());
        for (int i = 1; i < winner.size(); i++) {
            assertEquals(winner.get(i - 1).member(), winner.get(i).startMember());
            assertEquals(winner.get(i - 1).interval(), winner.get(i).startInterval());
        }
        assertArrayEquals(result.model().weightBytes(), pbt.replay(winner).weightBytes());
        // a member whose weights were copied from another member replays through that member's segments
        int copied = -1;
        for (int m = 0; m < POPULATION && copied < 0; m++) {
            if (result.schedule(m).stream().anyMatch(PbtSegment::exploited)) {
                copied = m;
            }
        }
        assertTrue(copied >= 0, "no member's lineage went through an exploit");
        List<PbtSegment> schedule = result.schedule(copied);
        assertTrue(schedule.stream().map(PbtSegment::member).distinct().count() > 1);
        assertArrayEquals(result.model(copied).weightBytes(), pbt.replay(schedule).weightBytes());
        // a schedule whose segments do not chain is refused
        List<PbtSegment> broken = new ArrayList<>(schedule.subList(1, schedule.size()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pbt.replay(broken));
        assertTrue(e.getMessage().contains("does not start from fresh weights"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pbt.replay(List.of()));
    }

    @Test
    void theSameSeedGivesTheSameRunAndAnotherSeedAnother() {
        PbtResult again = pbt(7).run();
        assertEquals(result.segments(), again.segments());
        for (int m = 0; m < POPULATION; m++) {
            assertArrayEquals(result.model(m).weightBytes(), again.model(m).weightBytes());
        }
        PbtResult other = pbt(8).run();
        assertNotEquals(result.segments().get(0).params(), other.segments().get(0).params());
        assertFalse(Arrays.equals(result.model(0).weightBytes(), other.model(0).weightBytes()));
    }

    @Test
    void badSettingsAreRejected() {
        PropertyException population = assertThrows(PropertyException.class,
                () -> new PopulationBasedTraining(objective, 1, 1, 2, 0.25, 0.25, 1));
        assertTrue(population.getMessage().contains("populationSize must be at least 2"), population.getMessage());
        for (double q : new double[] {0, 0.6, -1}) {
            PropertyException quantile = assertThrows(PropertyException.class,
                    () -> new PopulationBasedTraining(objective, 4, 1, 2, q, 0.25, 1));
            assertTrue(quantile.getMessage().contains("quantile must be in (0, 0.5]"), quantile.getMessage());
        }
        for (int interval : new int[] {0, -2}) {
            PropertyException e = assertThrows(PropertyException.class,
                    () -> new PopulationBasedTraining(objective, 4, interval, 2, 0.25, 0.25, 1));
            assertTrue(e.getMessage().contains("perturbationInterval must be at least 1"), e.getMessage());
        }
        assertThrows(PropertyException.class, () -> new PopulationBasedTraining(objective, 4, 1, 0, 0.25, 0.25, 1));
        assertThrows(PropertyException.class, () -> new PopulationBasedTraining(objective, 4, 1, 2, 0.25, 1.5, 1));
        ConfigObjective epochs = new ConfigObjective(dir.resolve("mlp.xml"), "trainer", "train", "valid",
                ConfigObjective.Metric.ACCURACY, List.of("trainer.epochs=int:1:3"));
        PropertyException reserved = assertThrows(PropertyException.class,
                () -> new PopulationBasedTraining(epochs, 4, 1, 2, 0.25, 0.25, 1));
        assertTrue(reserved.getMessage().contains("sets 'trainer.epochs' itself"), reserved.getMessage());
        ConfigObjective data = new ConfigObjective(dir.resolve("mlp.xml"), "trainer", "train", "valid",
                ConfigObjective.Metric.ACCURACY, List.of("train.examples=int:30:60"));
        PropertyException source = assertThrows(PropertyException.class,
                () -> new PopulationBasedTraining(data, 4, 1, 2, 0.25, 0.25, 1));
        assertTrue(source.getMessage().contains("cannot search the data source property 'train.examples'"),
                source.getMessage());
    }

    @Test
    void isConfigurable() throws IOException {
        Path config = Files.writeString(dir.resolve("pbt.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <config>
                    <component name="objective" type="org.tribuoadapt.hpo.search.objective.ConfigObjective">
                        <property name="configFile" value="%s"/>
                        <property name="trainer" value="trainer"/>
                        <property name="trainingSource" value="train"/>
                        <property name="validationSource" value="valid"/>
                        <propertylist name="space">
                            <item>adam.learningRate=float:1e-3:0.3:log</item>
                        </propertylist>
                    </component>
                    <component name="pbt" type="org.tribuoadapt.hpo.search.pbt.PopulationBasedTraining">
                        <property name="objective" value="objective"/>
                        <property name="populationSize" value="3"/>
                        <property name="quantile" value="0.5"/>
                        <property name="seed" value="9"/>
                    </component>
                    <component name="bad" type="org.tribuoadapt.hpo.search.pbt.PopulationBasedTraining">
                        <property name="objective" value="objective"/>
                        <property name="increaseFactor" value="0.9"/>
                    </component>
                </config>
                """.formatted(dir.resolve("mlp.xml")));
        try (ConfigurationManager cm = new ConfigurationManager(config.toString())) {
            PopulationBasedTraining pbt = (PopulationBasedTraining) cm.lookup("pbt");
            assertTrue(pbt.toString().contains("populationSize=3,perturbationInterval=1,intervals=4,quantile=0.5"),
                    pbt.toString());
            assertTrue(pbt.getProvenance().toString().contains("seed"), pbt.getProvenance().toString());
            PropertyException bad = assertThrows(PropertyException.class, () -> cm.lookup("bad"));
            assertTrue(bad.getMessage().contains("increaseFactor"), bad.getMessage());
        }
    }
}
