package org.tribuoadapt.hpo.search.sampler;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Objective;
import org.tribuoadapt.hpo.search.Sampler;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;

import java.nio.file.Path;
import java.util.List;
import java.util.function.LongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {

    /** (x - 0.3)^2 + (log10 lr + 2.5)^2 / 4 + (batch == "32" ? 0 : 0.1): minimum 0 at x = 0.3, lr = 10^-2.5, batch 32. */
    private static final Objective QUADRATIC = Objective.of(SearchSpace.parse(List.of("f.x=float:-2:2",
            "opt.lr=float:1e-5:1:log", "t.batch=categorical:8,16,32,64")), trial -> {
        double x = (Double) trial.params().get("f.x");
        double lr = Math.log10((Double) trial.params().get("opt.lr"));
        return (x - 0.3) * (x - 0.3) + (lr + 2.5) * (lr + 2.5) / 4 + ("32".equals(trial.params().get("t.batch")) ? 0 : 0.1);
    });

    private static Study run(Path dir, String name, Sampler sampler, int trials) {
        Study study = Study.create(name, new JournalFileStorage(dir.resolve(name + ".log")), Direction.MINIMIZE, sampler);
        study.optimize(QUADRATIC, trials);
        return study;
    }

    private static double meanBest(Path dir, String name, LongFunction<Sampler> sampler) {
        double sum = 0;
        int seeds = 8;
        for (int seed = 0; seed < seeds; seed++) {
            sum += run(dir, name + seed, sampler.apply(seed), 40).bestTrial().value();
        }
        return sum / seeds;
    }

    @Test
    void tpeBeatsRandomSearchAtEqualTrials(@TempDir Path dir) {
        double tpe = meanBest(dir, "tpe", TpeSampler::new);
        double random = meanBest(dir, "random", RandomSampler::new);
        assertTrue(tpe < 0.75 * random, "mean best of 40 trials over 8 seeds: TPE " + tpe + ", random " + random);
    }

    @Test
    void sameSeedAndHistoryGiveTheSameSuggestions(@TempDir Path dir) {
        List<Trial> a = run(dir, "a", new TpeSampler(11), 15).trials();
        List<Trial> b = run(dir, "b", new TpeSampler(11), 15).trials();
        assertEquals(a.stream().map(Trial::params).toList(), b.stream().map(Trial::params).toList());
        List<Trial> c = run(dir, "c", new TpeSampler(12), 15).trials();
        assertNotEquals(a.get(14).params(), c.get(14).params());
        // a fresh sampler suggests the next trial from the stored history alone
        TpeSampler sampler = new TpeSampler(11);
        double next = sampler.sample(a, Direction.MINIMIZE, 15, "f.x", QUADRATIC.space().distributions().get("f.x"));
        assertEquals(next, new TpeSampler(11).sample(List.copyOf(a), Direction.MINIMIZE, 15, "f.x",
                QUADRATIC.space().distributions().get("f.x")));
    }

    @Test
    void gammaIsOptunasDefault() {
        assertEquals(List.of(0, 1, 1, 2, 10, 25, 25), List.of(TpeSampler.gamma(0), TpeSampler.gamma(1), TpeSampler.gamma(10),
                TpeSampler.gamma(11), TpeSampler.gamma(100), TpeSampler.gamma(250), TpeSampler.gamma(1000)));
    }
}
