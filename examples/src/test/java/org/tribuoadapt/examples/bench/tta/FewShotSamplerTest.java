package org.tribuoadapt.examples.bench.tta;

import org.junit.jupiter.api.Test;
import org.tribuo.Dataset;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class FewShotSamplerTest {

    /** Three classes with 5, 7 and 9 examples, each example carrying its index as the feature "id". */
    private static MutableDataset<Label> pool() {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("pool", factory), factory);
        int[] sizes = {5, 7, 9};
        int id = 0;
        for (int c = 0; c < sizes.length; c++) {
            for (int i = 0; i < sizes[c]; i++) {
                data.add(new ArrayExample<>(new Label("c" + c), new String[] {"id"}, new double[] {id++}));
            }
        }
        return data;
    }

    private static List<Integer> ids(Dataset<Label> data) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            out.add((int) data.getExample(i).lookup("id").getValue());
        }
        return out;
    }

    @Test
    public void drawsExactlyKPerClassDisjointFromTheRest() {
        MutableDataset<Label> pool = pool();
        FewShotSampler.Split split = new FewShotSampler(4, 3L).split(pool);
        for (int k = 1; k <= 4; k++) {
            MutableDataset<Label> shots = split.shots(k);
            Map<String, Integer> perClass = new HashMap<>();
            for (int i = 0; i < shots.size(); i++) {
                perClass.merge(shots.getExample(i).getOutput().getLabel(), 1, Integer::sum);
            }
            assertEquals(Map.of("c0", k, "c1", k, "c2", k), perClass);
            Set<Integer> shotIds = new HashSet<>(ids(shots));
            assertEquals(3 * k, shotIds.size());
            for (int id : ids(split.rest())) {
                assertTrue(!shotIds.contains(id), "shot " + id + " is also in the evaluation set");
            }
        }
        // the rest is every non-shot example, once, in the pool's order
        Set<Integer> all = new HashSet<>(ids(split.shots(4)));
        all.addAll(ids(split.rest()));
        assertEquals(pool.size(), all.size());
        assertEquals(pool.size() - 12, split.rest().size());
        List<Integer> rest = ids(split.rest());
        List<Integer> sorted = new ArrayList<>(rest);
        sorted.sort(null);
        assertEquals(sorted, rest);
    }

    @Test
    public void smallerShotSetsArePrefixesOfLargerOnes() {
        FewShotSampler.Split split = new FewShotSampler(4, 3L).split(pool());
        for (int k = 1; k < 4; k++) {
            assertTrue(new HashSet<>(ids(split.shots(k + 1))).containsAll(ids(split.shots(k))));
        }
    }

    @Test
    public void sameSeedGivesTheSameShots() {
        List<Integer> first = ids(new FewShotSampler(3, 11L).split(pool()).shots(3));
        assertEquals(first, ids(new FewShotSampler(3, 11L).split(pool()).shots(3)));
        boolean anyDifferent = false;
        for (long seed = 12; seed < 17 && !anyDifferent; seed++) {
            anyDifferent = !first.equals(ids(new FewShotSampler(3, seed).split(pool()).shots(3)));
        }
        assertTrue(anyDifferent, "five other seeds all drew the same shots");
    }

    @Test
    public void refusesImpossibleRequests() {
        assertThrows(IllegalArgumentException.class, () -> new FewShotSampler(0, 1L));
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> new FewShotSampler(6, 1L).split(pool()));
        assertTrue(tooMany.getMessage().contains("'c0' has 5 examples"), tooMany.getMessage());
        LabelFactory factory = new LabelFactory();
        assertThrows(IllegalArgumentException.class, () -> new FewShotSampler(1, 1L)
                .split(new MutableDataset<>(new SimpleDataSourceProvenance("empty", factory), factory)));
        FewShotSampler.Split split = new FewShotSampler(2, 1L).split(pool());
        assertThrows(IllegalArgumentException.class, () -> split.shots(3));
        assertNotEquals(0, split.rest().size());
    }
}
