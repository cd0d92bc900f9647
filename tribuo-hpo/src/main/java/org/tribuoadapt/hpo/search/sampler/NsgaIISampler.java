package org.tribuoadapt.hpo.search.sampler;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.hpo.search.CategoricalDistribution;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.Pareto;
import org.tribuoadapt.hpo.search.Sampler;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * NSGA-II (Deb, Pratap, Agarwal and Meyarivan, "A Fast and Elitist Multiobjective Genetic Algorithm: NSGA-II", IEEE
 * Trans. Evolutionary Computation 2002) with the defaults and rules of Optuna 3.1's {@code NSGAIISampler}: population
 * size 50, mutation probability {@code 1 / max(1, parameters)} (Optuna's {@code None}), uniform crossover with
 * probability 0.9 and swapping probability 0.5.
 * <p>
 * A new trial is claimed into generation {@code g + 1}, recorded in Optuna's system attribute {@value #GENERATION},
 * where {@code g} is the last complete generation: generation 0 is complete once {@code populationSize} of its
 * trials are COMPLETE, and each complete generation's parent population is the elite of its trials together with the
 * previous parent population (fronts of the {@link NondominatedSort} in order, the last one cut by crowding distance).
 * While no generation is complete, trials are drawn at random. Otherwise, with probability {@code crossoverProb} the
 * child takes each parameter from one of two parents (each chosen by a binary tournament on dominance among the
 * parent population, the second from the others), categorical parameters first, else it copies a random parent; then
 * each parameter is kept with probability {@code 1 - mutationProb} and the others are drawn at random. The inherited
 * values are recorded in the system attribute {@value #INHERITED}, from which {@link #sample} reads them.
 * <p>
 * Optuna infers the parameters it crosses as the intersection of the COMPLETE trials' spaces; here they are the
 * study's searched parameters that every parent holds with the same distribution (the same thing when all trials
 * share one space). Optuna caches each generation's parent population in study system attributes; this sampler
 * recomputes it, which gives the same population. Every draw is made from the seed and the trial number, so the same
 * seed and the same finished trials give the same suggestion; draws differ from Optuna's (other generators).
 */
public final class NsgaIISampler implements Sampler {

    /** Optuna's system attribute holding a trial's generation. */
    public static final String GENERATION = "nsga2:generation";
    /** The system attribute holding the parameters a child inherits (internal values by name). */
    public static final String INHERITED = "nsga2:inherited";

    @Config(description = "The seed; a suggestion depends only on it, the finished trials and the trial number.")
    private long seed = 12345L;

    @Config(description = "Trials per generation (Optuna: 50).")
    private int populationSize = 50;

    @Config(description = "Probability of mutating each parameter; negative for Optuna's default 1 / max(1, parameters).")
    private double mutationProb = -1;

    @Config(description = "Probability of a crossover rather than a copy of one parent (Optuna: 0.9).")
    private double crossoverProb = 0.9;

    @Config(description = "Probability of taking each parameter from the second parent in a uniform crossover (Optuna: 0.5).")
    private double swappingProb = 0.5;

    private NsgaIISampler() {}

    /**
     * Creates a sampler with Optuna 3.1's defaults.
     * @param seed The seed.
     */
    public NsgaIISampler(long seed) {
        this.seed = seed;
    }

    /**
     * Creates a sampler.
     * @param seed The seed.
     * @param populationSize Trials per generation, at least 2.
     * @param mutationProb The mutation probability in [0, 1], or negative for {@code 1 / max(1, parameters)}.
     * @param crossoverProb The crossover probability in [0, 1].
     * @param swappingProb The swapping probability in [0, 1].
     */
    public NsgaIISampler(long seed, int populationSize, double mutationProb, double crossoverProb, double swappingProb) {
        this.seed = seed;
        this.populationSize = populationSize;
        this.mutationProb = mutationProb;
        this.crossoverProb = crossoverProb;
        this.swappingProb = swappingProb;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (populationSize < 2) {
            throw new PropertyException("", "populationSize", "must be >= 2 (two parents), found " + populationSize);
        }
        if (!(mutationProb <= 1)) {
            throw new PropertyException("", "mutationProb", "must be in [0, 1], or negative for 1 / parameters, found " + mutationProb);
        }
        if (!(crossoverProb >= 0 && crossoverProb <= 1)) {
            throw new PropertyException("", "crossoverProb", "must be in [0, 1], found " + crossoverProb);
        }
        if (!(swappingProb >= 0 && swappingProb <= 1)) {
            throw new PropertyException("", "swappingProb", "must be in [0, 1], found " + swappingProb);
        }
    }

    /**
     * NSGA-II samples studies with any number of objectives.
     * @return True.
     */
    @Override
    public boolean multiObjective() {
        return true;
    }

    /**
     * The last complete generation and its parent population.
     * @param generation The generation, -1 when none is complete.
     * @param parents The parent population, by elite order.
     */
    public record Parents(int generation, List<Trial> parents) {}

    /**
     * The parent population the next trial is bred from (Optuna's {@code _collect_parent_population}).
     * @param trials The study's trials.
     * @param directions The study's directions.
     * @return The last complete generation and its elite.
     */
    public Parents parentPopulation(List<Trial> trials, List<Direction> directions) {
        Map<Integer, List<Trial>> byGeneration = new TreeMap<>();
        for (Trial t : trials) {
            if (t.systemAttributes().get(GENERATION) instanceof Number g && t.state() == TrialState.COMPLETE) {
                byGeneration.computeIfAbsent(g.intValue(), k -> new ArrayList<>()).add(t);
            }
        }
        List<Trial> parents = List.of();
        int parentGeneration = -1;
        while (true) {
            List<Trial> population = new ArrayList<>(byGeneration.getOrDefault(parentGeneration + 1, List.of()));
            if (population.size() < populationSize) {
                return new Parents(parentGeneration, parents);
            }
            population.addAll(parents);
            parents = elite(population, directions);
            parentGeneration++;
        }
    }

    private List<Trial> elite(List<Trial> population, List<Direction> directions) {
        List<Trial> elite = new ArrayList<>();
        for (List<Trial> front : NondominatedSort.fronts(population, directions)) {
            if (elite.size() + front.size() < populationSize) {
                elite.addAll(front);
            } else {
                NondominatedSort.sortByCrowding(front);
                elite.addAll(front.subList(0, populationSize - elite.size()));
                break;
            }
        }
        return elite;
    }

    @Override
    public Optional<Map<String, Object>> claim(List<Trial> trials, SearchSpace space, List<Direction> directions) {
        Parents parents = parentPopulation(trials, directions);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put(GENERATION, parents.generation() + 1);
        if (parents.generation() >= 0) {
            attributes.put(INHERITED, child(parents.parents(), crossedSpace(space, parents.parents()), directions,
                    UniformDraw.generator(seed, trials.size(), GENERATION)));
        }
        return Optional.of(attributes);
    }

    // the searched parameters, categoricals first, that every parent holds with the study's distribution
    private static List<String> crossedSpace(SearchSpace space, List<Trial> parents) {
        List<String> categorical = new ArrayList<>();
        List<String> numerical = new ArrayList<>();
        for (Map.Entry<String, Distribution> e : space.distributions().entrySet()) {
            Distribution d = e.getValue();
            boolean single = d instanceof CategoricalDistribution c && c.choices().size() == 1;
            if (!single && parents.stream().allMatch(p -> d.equals(p.distributions().get(e.getKey())))) {
                (d instanceof CategoricalDistribution ? categorical : numerical).add(e.getKey());
            }
        }
        categorical.addAll(numerical);
        return categorical;
    }

    private Map<String, Double> child(List<Trial> parents, List<String> names, List<Direction> directions,
                                      SplittableRandom rng) {
        Map<String, Double> child = new LinkedHashMap<>();
        if (rng.nextDouble() < crossoverProb) {
            Trial first = tournament(parents, null, directions, rng);
            Trial second = tournament(parents, first, directions, rng);
            for (String name : names) {
                Trial parent = rng.nextDouble() >= swappingProb ? second : first;
                child.put(name, parent.internalParam(name).getAsDouble());
            }
        } else {
            Trial parent = parents.get(rng.nextInt(parents.size()));
            names.forEach(name -> child.put(name, parent.internalParam(name).getAsDouble()));
        }
        double mutation = mutationProb < 0 ? 1.0 / Math.max(1, child.size()) : mutationProb;
        Map<String, Double> kept = new LinkedHashMap<>();
        child.forEach((name, value) -> {
            if (rng.nextDouble() >= mutation) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    // binary tournament among the parents other than the excluded one: the first candidate if it dominates the second
    private static Trial tournament(List<Trial> parents, Trial excluded, List<Direction> directions, SplittableRandom rng) {
        List<Trial> pool = excluded == null ? parents
                : parents.stream().filter(t -> t.number() != excluded.number()).toList();
        Trial a = pool.get(rng.nextInt(pool.size()));
        Trial b = pool.get(rng.nextInt(pool.size()));
        return Pareto.dominates(a, b, directions) ? a : b;
    }

    @Override
    public double sample(List<Trial> history, Direction direction, int trialNumber, String name, Distribution distribution) {
        Object inherited = history.get(trialNumber).systemAttributes().get(INHERITED);
        if (inherited instanceof Map<?, ?> values && values.get(name) instanceof Number value
                && distribution.contains(value.doubleValue())) {
            return value.doubleValue();
        }
        return UniformDraw.draw(UniformDraw.generator(seed, trialNumber, name), distribution);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Sampler");
    }

    @Override
    public String toString() {
        return "NsgaIISampler(seed=" + seed + ", populationSize=" + populationSize + ", mutationProb="
                + (mutationProb < 0 ? "1/parameters" : mutationProb) + ", crossoverProb=" + crossoverProb
                + ", swappingProb=" + swappingProb + ")";
    }
}
