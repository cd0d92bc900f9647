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
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GpSamplerTest {

    /** (x - 0.3)^2 + (y + 1.2)^2, minimum 0 at (0.3, -1.2). */
    private static final Objective QUADRATIC = Objective.of(SearchSpace.parse(List.of("f.x=float:-2:2", "f.y=float:-2:2")),
            trial -> {
                double x = (Double) trial.params().get("f.x");
                double y = (Double) trial.params().get("f.y");
                return (x - 0.3) * (x - 0.3) + (y + 1.2) * (y + 1.2);
            });

    private static Study run(Path dir, String name, Sampler sampler, int trials) {
        Study study = Study.create(name, new JournalFileStorage(dir.resolve(name + ".log")), Direction.MINIMIZE, sampler);
        study.optimize(QUADRATIC, trials);
        return study;
    }

    @Test
    void posteriorMatchesTheClosedFormOnTwoPoints() {
        double[][] x = {{0.0, 0.0}, {0.5, 1.0}};
        double[] y = {1.0, -2.0};
        double l1 = 0.4;
        double l2 = 2.0;
        double s = 1.5;
        double n = 0.1;
        GaussianProcess gp = new GaussianProcess(x, y, new GaussianProcess.Hyperparameters(new double[] {l1, l2}, s, n));
        double[] point = {0.25, 0.25};
        // by hand: k(a, b) = s m(r), m(r) = (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r)
        double k12 = s * matern(Math.hypot(0.5 / l1, 1.0 / l2));
        double k1 = s * matern(Math.hypot(0.25 / l1, 0.25 / l2));
        double k2 = s * matern(Math.hypot(0.25 / l1, 0.75 / l2));
        double a = s + n;
        double det = a * a - k12 * k12;
        // K^-1 = [[a, -k12], [-k12, a]] / det
        double alpha1 = (a * y[0] - k12 * y[1]) / det;
        double alpha2 = (-k12 * y[0] + a * y[1]) / det;
        double mean = k1 * alpha1 + k2 * alpha2;
        double variance = s - (a * k1 * k1 - 2 * k12 * k1 * k2 + a * k2 * k2) / det;
        double[] posterior = gp.posterior(point);
        assertEquals(mean, posterior[0], 1e-12);
        assertEquals(variance, posterior[1], 1e-12);
        double lml = -0.5 * (y[0] * alpha1 + y[1] * alpha2) - 0.5 * Math.log(det) - Math.log(2 * Math.PI);
        assertEquals(lml, gp.logMarginalLikelihood(), 1e-12);
        // at a training input with little noise the mean is close to the target
        GaussianProcess exact = new GaussianProcess(x, y, new GaussianProcess.Hyperparameters(new double[] {l1, l2}, s, 1e-9));
        assertEquals(1.0, exact.posterior(x[0])[0], 1e-6);
        assertEquals(0.0, exact.posterior(x[0])[1], 1e-6);
    }

    @Test
    void oneObservationPosteriorIsTheConditionalNormal() {
        GaussianProcess gp = new GaussianProcess(new double[][] {{0.2}}, new double[] {3.0},
                new GaussianProcess.Hyperparameters(new double[] {0.5}, 2.0, 0.5));
        double k = 2.0 * matern(0.6 / 0.5);
        double[] posterior = gp.posterior(new double[] {0.8});
        assertEquals(k * 3.0 / 2.5, posterior[0], 1e-12);
        assertEquals(2.0 - k * k / 2.5, posterior[1], 1e-12);
    }

    private static double matern(double r) {
        return (1 + Math.sqrt(5) * r + 5 * r * r / 3) * Math.exp(-Math.sqrt(5) * r);
    }

    @Test
    void fittingRaisesTheMarginalLikelihood() {
        double[][] x = new double[12][];
        double[] y = new double[12];
        for (int i = 0; i < x.length; i++) {
            x[i] = new double[] {i / 11.0};
            y[i] = Math.sin(6 * x[i][0]);
        }
        GaussianProcess fitted = GaussianProcess.fit(x, y, 3, 400, new SplittableRandom(1));
        GaussianProcess start = new GaussianProcess(x, y, new GaussianProcess.Hyperparameters(new double[] {0.5}, 1, 1e-2));
        assertTrue(fitted.logMarginalLikelihood() > start.logMarginalLikelihood());
        assertEquals(Math.sin(6 * 0.55), fitted.posterior(new double[] {0.55})[0], 0.05);
    }

    @Test
    void expectedImprovementMatchesHandValues() {
        // phi(0) = 1 / sqrt(2 pi)
        assertEquals(0.3989422804014327, GpSampler.expectedImprovement(0, 1, 0), 1e-12);
        // z = 0.25: 0.5 Phi(0.25) + 2 phi(0.25) = 0.5 * 0.5987063256829237 + 2 * 0.3866681168028493
        assertEquals(0.5 * 0.5987063256829237 + 2 * 0.3866681168028493, GpSampler.expectedImprovement(0.5, 4, 1), 1e-12);
        // z = -1: -1 * Phi(-1) + phi(-1) = -0.15865525393145707 + 0.24197072451914337
        assertEquals(0.24197072451914337 - 0.15865525393145707, GpSampler.expectedImprovement(1, 1, 0), 1e-12);
        assertEquals(0.7, GpSampler.expectedImprovement(0.3, 0, 1), 1e-15);
        assertEquals(0.0, GpSampler.expectedImprovement(1.3, 0, 1));
    }

    @Test
    void unitCubeScalesLogRangesRoundsGridsAndOneHotsCategoricals() {
        SearchSpace space = SearchSpace.parse(List.of("a.lr=float:1e-4:1:log", "a.n=int:2:10:step=2", "a.k=categorical:x,y,z",
                "a.d=float:0:1:step=0.25"));
        UnitCube cube = new UnitCube(space);
        assertEquals(6, cube.dimensions());
        Trial t = new Trial(0, TrialState.COMPLETE, Map.of("a.lr", 1e-2, "a.n", 6L, "a.k", "z", "a.d", 0.5),
                space.distributions(), List.of(1.0), new TreeMap<>(), Map.of(), Map.of(), null, null);
        double[] point = cube.encode(t);
        assertEquals(0.5, point[0], 1e-12);
        assertEquals(0.5, point[1], 1e-12);
        assertEquals(List.of(0.0, 0.0, 1.0), List.of(point[2], point[3], point[4]));
        assertEquals(0.5, point[5], 1e-12);
        Map<String, Double> back = cube.decode(new double[] {0.75, 0.3, 0.2, 0.7, 0.1, 1.2});
        assertEquals(Math.pow(10, -1), back.get("a.lr"), 1e-12);
        assertEquals(4.0, back.get("a.n"));
        assertEquals(1.0, back.get("a.k"));
        assertEquals(1.0, back.get("a.d"));
    }

    @Test
    void beatsRandomSearchOnAQuadraticForEverySeed(@TempDir Path dir) {
        for (long seed = 0; seed < 5; seed++) {
            double gp = run(dir, "gp" + seed, new GpSampler(seed), 25).bestTrial().value();
            double random = run(dir, "random" + seed, new RandomSampler(seed), 25).bestTrial().value();
            assertTrue(gp < random, "seed " + seed + ": best of 25 trials GP " + gp + ", random " + random);
            assertTrue(gp < 0.01, "seed " + seed + ": GP best " + gp);
        }
    }

    @Test
    void sameSeedAndHistoryGiveTheSameSuggestion(@TempDir Path dir) {
        List<Trial> a = run(dir, "a", new GpSampler(3), 14).trials();
        List<Trial> b = run(dir, "b", new GpSampler(3), 14).trials();
        assertEquals(a.stream().map(Trial::params).toList(), b.stream().map(Trial::params).toList());
        assertTrue(a.get(13).systemAttributes().containsKey(GpSampler.SUGGESTION));
        assertTrue(!a.get(9).systemAttributes().containsKey(GpSampler.SUGGESTION));
        // a fresh sampler claims the same next point from the stored history alone
        assertEquals(new GpSampler(3).claim(a, QUADRATIC.space(), List.of(Direction.MINIMIZE)),
                new GpSampler(3).claim(List.copyOf(b), QUADRATIC.space(), List.of(Direction.MINIMIZE)));
        assertThrows(IllegalArgumentException.class, () -> Study.create("two", new JournalFileStorage(dir.resolve("two.log")),
                List.of(Direction.MINIMIZE, Direction.MAXIMIZE), new GpSampler(3), new NopPruner()));
    }

    @Test
    void isConfigurableAndRebuiltFromItsProvenance(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("sampler.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <config>
                    <component name="good" type="org.tribuoadapt.hpo.search.sampler.GpSampler">
                        <property name="seed" value="4"/><property name="nCandidates" value="200"/>
                    </component>
                    <component name="bad" type="org.tribuoadapt.hpo.search.sampler.GpSampler">
                        <property name="nLocalSearch" value="300"/><property name="nCandidates" value="200"/>
                    </component>
                </config>
                """);
        try (ConfigurationManager cm = new ConfigurationManager(config.toString())) {
            GpSampler sampler = (GpSampler) cm.lookup("good");
            assertEquals(sampler.toString(), ConfiguredObjects.instantiate(sampler.getProvenance(), Sampler.class).toString());
            PropertyException bad = assertThrows(PropertyException.class, () -> cm.lookup("bad"));
            assertTrue(bad.getMessage().contains("nLocalSearch"), bad.getMessage());
        }
    }
}
