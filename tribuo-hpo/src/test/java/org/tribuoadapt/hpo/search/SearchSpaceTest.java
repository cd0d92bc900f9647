package org.tribuoadapt.hpo.search;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SearchSpaceTest {

    private static void assertRejected(String entry, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse(List.of(entry)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void parsesEveryKind() {
        SearchSpace space = SearchSpace.parse(List.of("adam.learningRate=float:1e-5:0.1:log", "mlp.dropout=float:0:0.5:step=0.1",
                "trainer.epochs=int:1:10", "trainer.batchSize=int:8:256:log", "trainer.seed=int:0:100:step=5",
                "mlp.activation=categorical:RELU,GELU"));
        assertEquals(List.of("adam.learningRate", "mlp.dropout", "trainer.epochs", "trainer.batchSize", "trainer.seed",
                "mlp.activation"), List.copyOf(space.distributions().keySet()));
        assertEquals(new FloatDistribution(1e-5, 0.1, true, null), space.distributions().get("adam.learningRate"));
        assertEquals(new FloatDistribution(0, 0.5, false, 0.1), space.distributions().get("mlp.dropout"));
        assertEquals(new IntDistribution(8, 256, true, 1), space.distributions().get("trainer.batchSize"));
        assertEquals(new IntDistribution(0, 100, false, 5), space.distributions().get("trainer.seed"));
        assertEquals(new CategoricalDistribution(List.of("RELU", "GELU")), space.distributions().get("mlp.activation"));
    }

    @Test
    void rejectsBadSpaces() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> new SearchSpace(Map.of()));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        assertRejected("a.b=float:1:1", "low < high, found low=1.0, high=1.0");
        assertRejected("a.b=int:5:2", "low < high, found low=5, high=2");
        assertRejected("a.b=float:0:1:log", "log float range needs low > 0, found low=0.0");
        assertRejected("a.b=int:0:8:log", "log int range needs low > 0");
        assertRejected("a.b=float:0:1:step=-1", "step must be finite and > 0");
        assertRejected("a.b=uniform:0:1", "unknown kind 'uniform'; expected float, int or categorical");
        assertRejected("a.b=float:0:1:linear", "unknown option 'linear'");
        assertRejected("a.b=categorical:x,x", "distinct");
        assertRejected("lr=float:0:1", "'lr' must be named component.property");
        assertRejected("a.b float:0:1", "must read component.property=kind:arguments");
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> SearchSpace.parse(List.of("a.b=int:1:2", "a.b=int:1:3")));
        assertTrue(twice.getMessage().contains("'a.b' twice"), twice.getMessage());
    }

    @Test
    void convertsBetweenRepresentations() {
        CategoricalDistribution c = new CategoricalDistribution(List.of("x", "y"));
        assertEquals(1.0, c.toInternal("y"));
        assertEquals("y", c.toExternal(1));
        assertThrows(IllegalArgumentException.class, () -> c.toInternal("z"));
        IntDistribution i = new IntDistribution(1, 8, false, 1);
        assertEquals(3L, i.toExternal(3.0));
        assertThrows(IllegalArgumentException.class, () -> i.toInternal(2.5));
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class, () -> i.checked("a.b", 9));
        assertTrue(outside.getMessage().contains("'a.b'"), outside.getMessage());
    }
}
