package org.tribuoadapt.hpo.search;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;
import org.tribuoadapt.hpo.search.sampler.GpSampler;
import org.tribuoadapt.hpo.search.sampler.GridSampler;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;
import org.tribuoadapt.hpo.search.sampler.TpeSampler;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConditionalSpaceTest {

    private static final SearchSpace OPTIMISERS = SearchSpace.parse(List.of(
            "opt.type=categorical:adam,sgd",
            "opt.learningRate=float:1e-4:1:log",
            "sgd.momentum=float:0:0.99 if opt.type=sgd",
            "mlp.hiddenSizes=list:1:3:int:4:64:log"));

    // the momentum only exists for sgd, the widths only up to the drawn depth; the optimum needs both branches
    private static double loss(ActiveTrial trial) {
        Map<String, Object> p = trial.params();
        double lr = Math.log10((Double) p.get("opt.learningRate"));
        double penalty = p.get("opt.type").equals("sgd") ? (1 - (Double) p.get("sgd.momentum")) : 0.5;
        long depth = (Long) p.get("mlp.hiddenSizes[length]");
        return (lr + 2) * (lr + 2) + penalty + Math.abs(depth - 2);
    }

    private static void assertConsistent(Trial t) {
        Map<String, Object> p = t.params();
        assertEquals(p.get("opt.type").equals("sgd"), p.containsKey("sgd.momentum"), t::toString);
        long depth = (Long) p.get("mlp.hiddenSizes[length]");
        for (int i = 0; i < 3; i++) {
            assertEquals(i < depth, p.containsKey("mlp.hiddenSizes[" + i + "]"), t::toString);
        }
    }

    @Test
    void parsesConditionsAndListsIntoConditionalParameters() {
        assertEquals(List.of("opt.type", "opt.learningRate", "sgd.momentum", "mlp.hiddenSizes[length]",
                "mlp.hiddenSizes[0]", "mlp.hiddenSizes[1]", "mlp.hiddenSizes[2]"), List.copyOf(OPTIMISERS.distributions().keySet()));
        assertEquals(new IntDistribution(1, 3, false, 1), OPTIMISERS.distributions().get("mlp.hiddenSizes[length]"));
        assertEquals(new IntDistribution(4, 64, true, 1), OPTIMISERS.distributions().get("mlp.hiddenSizes[2]"));
        assertEquals(Map.of("sgd.momentum", new Condition("opt.type", Set.of("sgd")),
                "mlp.hiddenSizes[1]", new Condition("mlp.hiddenSizes[length]", Set.of("2", "3")),
                "mlp.hiddenSizes[2]", new Condition("mlp.hiddenSizes[length]", Set.of("3"))), OPTIMISERS.conditions());
        assertTrue(OPTIMISERS.isActive("sgd.momentum", Map.of("opt.type", "sgd")));
        assertFalse(OPTIMISERS.isActive("sgd.momentum", Map.of("opt.type", "adam")));
        assertFalse(OPTIMISERS.isActive("mlp.hiddenSizes[1]", Map.of("mlp.hiddenSizes[length]", 1L)));
        assertTrue(OPTIMISERS.isActive("mlp.hiddenSizes[1]", Map.of("mlp.hiddenSizes[length]", 2L)));
        assertEquals(List.of("opt.type", "opt.learningRate", "mlp.hiddenSizes[length]", "mlp.hiddenSizes[0]"),
                List.copyOf(OPTIMISERS.unconditional().distributions().keySet()));
        assertEquals(List.of("opt.type", "opt.learningRate", "sgd.momentum", "mlp.hiddenSizes"), List.copyOf(OPTIMISERS.properties()));
    }

    @Test
    void listParametersBecomeOneListOverride() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("opt.type", "adam");
        params.put("mlp.hiddenSizes[length]", 2L);
        params.put("mlp.hiddenSizes[0]", 32L);
        params.put("mlp.hiddenSizes[1]", 8L);
        params.put("trainer.seed", 7);
        assertEquals(Map.of("opt.type", "adam", "mlp.hiddenSizes", List.of("32", "8"), "trainer.seed", 7), OPTIMISERS.overrides(params));
        params.remove("mlp.hiddenSizes[1]");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> OPTIMISERS.overrides(params));
        assertTrue(missing.getMessage().contains("no element 1"), missing.getMessage());
    }

    @Test
    void listsCanShareADepthParameter() {
        SearchSpace flexi = SearchSpace.parse(List.of("vit.depth=int:1:3", "vit.layerHeads=list:length=vit.depth:categorical:1,2,4",
                "vit.layerMlpDims=list:length=vit.depth:int:16:128:log"));
        assertEquals(List.of("vit.depth", "vit.layerHeads[0]", "vit.layerHeads[1]", "vit.layerHeads[2]", "vit.layerMlpDims[0]",
                "vit.layerMlpDims[1]", "vit.layerMlpDims[2]"), List.copyOf(flexi.distributions().keySet()));
        assertEquals(new Condition("vit.depth", Set.of("3")), flexi.conditions().get("vit.layerMlpDims[2]"));
        assertEquals(Set.of("vit.layerHeads", "vit.layerMlpDims"), flexi.listProperties());
        assertEquals(List.of("vit.depth", "vit.layerHeads", "vit.layerMlpDims"), List.copyOf(flexi.properties()));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("vit.depth", 2L);
        params.put("vit.layerHeads[0]", "4");
        params.put("vit.layerHeads[1]", "1");
        params.put("vit.layerMlpDims[0]", 16L);
        params.put("vit.layerMlpDims[1]", 99L);
        assertEquals(Map.of("vit.depth", 2L, "vit.layerHeads", List.of("4", "1"), "vit.layerMlpDims", List.of("16", "99")),
                flexi.overrides(params));
        assertRejected(List.of("vit.layerHeads=list:length=vit.depth:int:1:4"), "its length 'vit.depth' must be an earlier int parameter");
        assertRejected(List.of("vit.depth=int:0:3", "vit.layerHeads=list:length=vit.depth:int:1:4"), "lower bound of at least 1");
        assertRejected(List.of("vit.depth=float:1:3", "vit.layerHeads=list:length=vit.depth:int:1:4"), "earlier int parameter");
    }

    private static void assertRejected(List<String> entries, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse(entries));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void rejectsConditionsThatCannotBeEvaluated() {
        assertRejected(List.of("a.b=float:0:1 if c.d=x", "c.d=categorical:x,y"), "'a.b' depends on 'c.d', which must be searched before it");
        assertRejected(List.of("a.b=float:0:1 if a.b=x"), "which must be searched before it");
        assertRejected(List.of("c.d=float:0:1", "a.b=float:0:1 if c.d=0.5"), "a condition's parent must be categorical or integer");
        assertRejected(List.of("c.d=int:0:1", "a.b=float:0:1 if c.d"), "must read parent=value1,value2");
        assertRejected(List.of("a.b=list:0:2:int:1:4"), "1 <= minLength <= maxLength, found 0 and 2");
        assertRejected(List.of("a.b=list:3:2:int:1:4"), "found 3 and 2");
        assertRejected(List.of("a.b=list:1:2"), "expected list:minLength:maxLength:kind:arguments");
        assertRejected(List.of("a.b=list:1:2:list:1:2:int:1:4"), "lists of lists");
        assertRejected(List.of("a.b=list:1:x:int:1:4"), "must be integers");
        assertRejected(List.of("a.b=list:1:2:int:5:2"), "search space entry for 'a.b[0]'");
        assertRejected(List.of("a.b[0]=int:1:4"), "reserved for the elements of list parameters");
    }

    @Test
    void everySamplerDrawsOnlyTheParametersWhoseConditionHolds(@TempDir Path dir) {
        for (Sampler sampler : List.of(new RandomSampler(3), new TpeSampler(3), new GpSampler(3))) {
            Study study = Study.create("s", new JournalFileStorage(dir.resolve(sampler.getClass().getSimpleName() + ".log")),
                    Direction.MINIMIZE, sampler);
            study.optimize(Objective.of(OPTIMISERS, ConditionalSpaceTest::loss), 14);
            assertEquals(14, study.trials().size());
            study.trials().forEach(t -> assertEquals(TrialState.COMPLETE, t.state(), t::toString));
            study.trials().forEach(ConditionalSpaceTest::assertConsistent);
            assertTrue(study.trials().stream().anyMatch(t -> t.params().containsKey("sgd.momentum")), sampler::toString);
            assertTrue(study.trials().stream().anyMatch(t -> !t.params().containsKey("sgd.momentum")), sampler::toString);
        }
    }

    @Test
    void aGridRefusesAConditionalSpace(@TempDir Path dir) {
        SearchSpace space = SearchSpace.parse(List.of("o.type=categorical:a,b", "o.x=float:0:1 if o.type=b"));
        Study study = Study.create("g", new JournalFileStorage(dir.resolve("g.log")), Direction.MINIMIZE,
                new GridSampler(Map.of("o.type", List.of("a", "b"), "o.x", List.of("0.5")), 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> study.optimize(Objective.of(space, t -> 0), 1));
        assertTrue(e.getMessage().contains("conditional parameters [o.x]"), e.getMessage());
    }

    // Optuna reads a conditional study as a define-by-run one: each trial holds only its own parameters
    private static final String READ = """
            import json, sys, optuna
            optuna.logging.set_verbosity(optuna.logging.ERROR)
            storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
            study = optuna.load_study(study_name="c", storage=storage)
            print(json.dumps([sorted(t.params) for t in study.trials]))
            """;

    @Test
    void optunaSeesEachTrialsOwnParameters(@TempDir Path dir) throws Exception {
        OptunaPython.assumeAvailable();
        Path journal = dir.resolve("c.log");
        Study study = Study.create("c", new JournalFileStorage(journal), Direction.MINIMIZE, new RandomSampler(5));
        study.optimize(Objective.of(OPTIMISERS, ConditionalSpaceTest::loss), 8);
        JsonNode python = OptunaPython.run(READ, journal.toString());
        for (Trial t : study.trials()) {
            List<String> names = new java.util.ArrayList<>();
            python.get(t.number()).forEach(n -> names.add(n.asText()));
            assertEquals(new java.util.TreeSet<>(t.params().keySet()).stream().toList(), names);
        }
    }
}
