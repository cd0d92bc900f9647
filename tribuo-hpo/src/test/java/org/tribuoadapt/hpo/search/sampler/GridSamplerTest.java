package org.tribuoadapt.hpo.search.sampler;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Objective;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GridSamplerTest {

    private static final List<String> XS = List.of("0.1", "0.2", "0.3");
    private static final List<String> KS = List.of("a", "b", "c", "d");
    private static final SearchSpace SPACE = SearchSpace.parse(List.of("g.k=categorical:a,b,c,d", "f.x=float:0:1"));

    private static GridSampler grid(long seed) {
        Map<String, List<String>> grid = new LinkedHashMap<>();
        grid.put("g.k", KS);
        grid.put("f.x", XS);
        return new GridSampler(grid, seed);
    }

    private static final Objective SLOW = Objective.of(SPACE, trial -> {
        Thread.sleep(20);
        return (Double) trial.params().get("f.x");
    });

    @Test
    void twoStudiesSharingAJournalNeverRunAGridPointTwice(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("grid.log");
        Study first = Study.create("grid", new JournalFileStorage(journal), Direction.MINIMIZE, grid(1));
        Study second = Study.load("grid", new JournalFileStorage(journal), grid(2));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> runs = List.of(pool.submit(() -> first.optimize(SLOW, 20)), pool.submit(() -> second.optimize(SLOW, 20)));
        for (Future<?> run : runs) {
            run.get();
        }
        pool.shutdown();

        List<Trial> trials = first.trials();
        assertEquals(12, trials.size(), "both studies stop once the 12 points are taken");
        Set<List<Object>> points = new HashSet<>();
        for (Trial t : trials) {
            assertEquals(TrialState.COMPLETE, t.state());
            assertTrue(points.add(List.of(t.params().get("f.x"), t.params().get("g.k"))), () -> "repeated " + t);
            // Optuna's layout: names sorted (f.x, g.k), the last varying fastest
            int id = ((Number) t.systemAttributes().get(GridSampler.GRID_ID)).intValue();
            assertEquals(XS.get(id / 4), t.params().get("f.x").toString());
            assertEquals(KS.get(id % 4), t.params().get("g.k"));
            assertEquals(Map.of("f.x", List.of(0.1, 0.2, 0.3), "g.k", KS), t.systemAttributes().get(GridSampler.SEARCH_SPACE));
        }
        assertEquals(12, points.size());
        second.optimize(SLOW, 3);
        assertEquals(12, first.trials().size(), "an exhausted grid creates no trial");
        // another grid in the same study starts afresh: its points are not the first grid's
        Study.load("grid", new JournalFileStorage(journal), new GridSampler(Map.of("g.k", List.of("a"), "f.x", List.of("0.5")), 1))
                .optimize(SLOW, 2);
        assertEquals(13, first.trials().size());
    }

    @Test
    void badGridsAreNamed(@TempDir Path dir) throws Exception {
        Study study = Study.create("bad", new JournalFileStorage(dir.resolve("bad.log")), Direction.MINIMIZE,
                new GridSampler(Map.of("f.x", XS), 1));
        IllegalArgumentException names = assertThrows(IllegalArgumentException.class, () -> study.optimize(SLOW, 1));
        assertTrue(names.getMessage().contains("the grid names [f.x] but the search space searches [f.x, g.k]"),
                names.getMessage());
        Study outside = Study.load("bad", new JournalFileStorage(dir.resolve("bad.log")),
                new GridSampler(Map.of("f.x", List.of("0.5", "1.5"), "g.k", KS), 1));
        IllegalArgumentException value = assertThrows(IllegalArgumentException.class, () -> outside.optimize(SLOW, 1));
        assertTrue(value.getMessage().contains("value 1.5 of 'f.x' is outside"), value.getMessage());
        Study notAChoice = Study.load("bad", new JournalFileStorage(dir.resolve("bad.log")),
                new GridSampler(Map.of("f.x", XS, "g.k", List.of("a", "z")), 1));
        IllegalArgumentException choice = assertThrows(IllegalArgumentException.class, () -> notAChoice.optimize(SLOW, 1));
        assertTrue(choice.getMessage().contains("grid value 'z' of 'g.k' does not fit"), choice.getMessage());
        assertTrue(study.trials().isEmpty(), "no trial is created for a bad grid");

        Path config = Files.writeString(dir.resolve("grid.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <config>
                    <component name="grid" type="org.tribuoadapt.hpo.search.sampler.GridSampler">
                        <propertylist name="grid"><item>f.x=0.1,0.2</item><item>g.k=a,b,c</item></propertylist>
                    </component>
                    <component name="repeated" type="org.tribuoadapt.hpo.search.sampler.GridSampler">
                        <propertylist name="grid"><item>f.x=0.1,0.1</item></propertylist>
                    </component>
                </config>
                """);
        try (ConfigurationManager cm = new ConfigurationManager(config.toString())) {
            assertEquals(6, ((GridSampler) cm.lookup("grid")).size());
            PropertyException repeated = assertThrows(PropertyException.class, () -> cm.lookup("repeated"));
            assertTrue(repeated.getMessage().contains("must be distinct"), repeated.getMessage());
        }
    }
}
