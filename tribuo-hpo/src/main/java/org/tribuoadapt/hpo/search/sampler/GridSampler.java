package org.tribuoadapt.hpo.search.sampler;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.hpo.search.CategoricalDistribution;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.FloatDistribution;
import org.tribuoadapt.hpo.search.Sampler;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Evaluates every point of a grid once, as Optuna 3.1's {@code GridSampler}: the grid is the Cartesian product of
 * the given values of each property, with the property names sorted and the last one varying fastest, and a trial's
 * point is its index in that product, recorded with the grid in the trial's system attributes {@value #GRID_ID} and
 * {@value #SEARCH_SPACE} (Optuna's names and layout, so Optuna's grid sampler sees the Java trials' points, and the
 * other way round). Only trials recorded with the same grid count.
 * <p>
 * Unlike Optuna, which picks a point when the trial starts and so lets two workers take the same point, the point is
 * claimed while the storage is locked ({@link Sampler#claim}), among the points no trial has taken (finished or
 * running), chosen at random from the seed and the trial number; when every point is taken, no trial is created and
 * the study stops (Optuna would re-evaluate a running point, then stop). Each value must lie in its property's
 * distribution, and the grid must name exactly the searched properties.
 */
public final class GridSampler implements Sampler {

    /** Optuna's system attribute holding a trial's index in the grid. */
    public static final String GRID_ID = "grid_id";
    /** Optuna's system attribute holding the grid a trial was drawn from. */
    public static final String SEARCH_SPACE = "search_space";

    @Config(mandatory = true, description = "The grid, one component.property=v1,v2,... per searched property.")
    private List<String> grid;

    @Config(description = "The seed choosing among the points no trial has taken.")
    private long seed = 12345L;

    private Map<String, List<String>> texts;
    private Map<String, List<Object>> values;
    private int size;

    private GridSampler() {}

    /**
     * Creates a sampler.
     * @param grid The values of each property ({@code component.property}), as configuration text.
     * @param seed The seed.
     */
    public GridSampler(Map<String, List<String>> grid, long seed) {
        List<String> entries = new ArrayList<>();
        grid.forEach((name, vs) -> entries.add(name + "=" + String.join(",", vs)));
        this.grid = entries;
        this.seed = seed;
        postConfig();
    }

    @Override
    public void postConfig() {
        texts = new TreeMap<>();
        for (String entry : grid) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new PropertyException("", "grid", "grid entry '" + entry + "' must read component.property=v1,v2,...");
            }
            String name = entry.substring(0, eq).trim();
            List<String> vs = Arrays.stream(entry.substring(eq + 1).split(",")).map(String::trim).toList();
            if (vs.contains("") || new HashSet<>(vs).size() != vs.size()) {
                throw new PropertyException("", "grid", "the values of '" + name + "' must be distinct and non-empty, found " + vs);
            }
            if (texts.put(name, vs) != null) {
                throw new PropertyException("", "grid", "the grid names '" + name + "' twice");
            }
        }
        if (texts.isEmpty()) {
            throw new PropertyException("", "grid", "the grid is empty");
        }
        values = new LinkedHashMap<>();
        long points = 1;
        for (Map.Entry<String, List<String>> e : texts.entrySet()) {
            values.put(e.getKey(), e.getValue().stream().map(GridSampler::jsonValue).toList());
            points *= e.getValue().size();
            if (points > Integer.MAX_VALUE) {
                throw new PropertyException("", "grid", "the grid has over " + Integer.MAX_VALUE + " points");
            }
        }
        size = (int) points;
    }

    // the value as Optuna would hold it: an integer, a float or a string
    private static Object jsonValue(String text) {
        try {
            return Long.valueOf(text);
        } catch (NumberFormatException notInteger) {
            try {
                return Double.valueOf(text);
            } catch (NumberFormatException notNumber) {
                return text;
            }
        }
    }

    /**
     * The number of grid points.
     * @return The product of the numbers of values.
     */
    public int size() {
        return size;
    }

    @Override
    public Optional<Map<String, Object>> claim(List<Trial> trials, SearchSpace space) {
        check(space);
        Set<Integer> taken = new HashSet<>();
        for (Trial t : trials) {
            Object id = t.systemAttributes().get(GRID_ID);
            if (id instanceof Number number && sameGrid(t.systemAttributes().get(SEARCH_SPACE))
                    && (t.state().isFinished() || t.state() == TrialState.RUNNING)) {
                taken.add(number.intValue());
            }
        }
        List<Integer> free = new ArrayList<>();
        for (int id = 0; id < size; id++) {
            if (!taken.contains(id)) {
                free.add(id);
            }
        }
        if (free.isEmpty()) {
            return Optional.empty();
        }
        int chosen = free.get(UniformDraw.generator(seed, trials.size(), GRID_ID).nextInt(free.size()));
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put(SEARCH_SPACE, values);
        attributes.put(GRID_ID, chosen);
        return Optional.of(attributes);
    }

    private void check(SearchSpace space) {
        if (!space.conditions().isEmpty()) {
            throw new IllegalArgumentException("a grid covers a fixed set of properties, but the search space has "
                    + "conditional parameters " + space.conditions().keySet() + "; use another sampler");
        }
        if (!space.distributions().keySet().equals(texts.keySet())) {
            throw new IllegalArgumentException("the grid names " + texts.keySet() + " but the search space searches "
                    + new TreeMap<>(space.distributions()).keySet() + "; they must be the same properties");
        }
        texts.forEach((name, vs) -> vs.forEach(v -> internal(name, v, space.distributions().get(name))));
    }

    private boolean sameGrid(Object recorded) {
        if (!(recorded instanceof Map<?, ?> map) || !map.keySet().equals(values.keySet())) {
            return false;
        }
        for (Map.Entry<String, List<Object>> e : values.entrySet()) {
            if (!(map.get(e.getKey()) instanceof List<?> other) || other.size() != e.getValue().size()) {
                return false;
            }
            for (int i = 0; i < other.size(); i++) {
                Object a = other.get(i);
                Object b = e.getValue().get(i);
                boolean equal = a instanceof Number x && b instanceof Number y
                        ? Double.compare(x.doubleValue(), y.doubleValue()) == 0 || x.doubleValue() == y.doubleValue()
                        : b.equals(a);
                if (!equal) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public double sample(List<Trial> history, Direction direction, int trialNumber, String name, Distribution distribution) {
        Object id = history.get(trialNumber).systemAttributes().get(GRID_ID);
        if (!(id instanceof Number number)) {
            throw new IllegalStateException("trial " + trialNumber + " has no " + GRID_ID + "; GridSampler samples only "
                    + "trials whose grid point it claimed");
        }
        List<String> vs = texts.get(name);
        if (vs == null) {
            throw new IllegalArgumentException("parameter '" + name + "' is not in the grid " + texts.keySet());
        }
        // the product's index, last name fastest, as itertools.product
        List<String> names = new ArrayList<>(texts.keySet());
        int stride = 1;
        for (int i = names.size() - 1; !names.get(i).equals(name); i--) {
            stride *= texts.get(names.get(i)).size();
        }
        return internal(name, vs.get(number.intValue() / stride % vs.size()), distribution);
    }

    private static double internal(String name, String text, Distribution distribution) {
        double internal;
        try {
            internal = distribution instanceof CategoricalDistribution c ? c.toInternal(text)
                    : distribution instanceof FloatDistribution ? Double.parseDouble(text) : Long.parseLong(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("grid value '" + text + "' of '" + name + "' does not fit " + distribution, e);
        }
        return distribution.checked(name, internal);
    }

    /**
     * Draws ignore the objectives, so any number of them is fine.
     * @return True.
     */
    @Override
    public boolean multiObjective() {
        return true;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Sampler");
    }

    @Override
    public String toString() {
        return "GridSampler(grid=" + texts + ", seed=" + seed + ")";
    }
}
