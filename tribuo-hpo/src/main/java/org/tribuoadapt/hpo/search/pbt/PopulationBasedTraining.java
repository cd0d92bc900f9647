package org.tribuoadapt.hpo.search.pbt;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.objective.ConfigObjective;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.logging.Logger;

/**
 * Population based training (Jaderberg et al., "Population Based Training of Neural Networks", 2017) of the
 * {@link NetworkTrainer} in a {@link ConfigObjective}'s configuration file.
 * <p>
 * {@code populationSize} members start from hyper-parameters drawn from the search space's prior
 * ({@link RandomSampler}) and train in {@code intervals} intervals of {@code perturbationInterval} epochs each (the
 * trainer's {@code epochs} is overridden with {@code perturbationInterval}, its {@code seed} with a seed drawn for
 * the interval; the data are loaded once, so the search space cannot name the data sources). After each interval but the last a member is scored on the validation data with the objective's
 * metric and decides at once, from the latest scores of the members scored so far, whether to exploit
 * ({@link TruncationSelection}): if so it copies the weights and hyper-parameters of a top member's latest interval
 * and explores from them ({@link Perturbation}); otherwise it keeps its own. This is the asynchronous form of the
 * paper (each member acts at its own checkpoint, without waiting for the others), run sequentially: in round
 * {@code k} the members train their interval {@code k} in member order, so a member sees the round-{@code k} scores
 * of the members before it and the round-{@code k - 1} scores of those after it.
 * <p>
 * A member continues from its weights with {@link NetworkTrainer#fineTune}, so the network's weights carry over
 * between intervals but the optimiser's state (for example Adam's moments) starts afresh each interval. The searched
 * properties must therefore not change the network's shape. Everything is drawn from one generator seeded with
 * {@code seed}, in a fixed order, so a run is deterministic; {@link #replay} retrains a member's schedule from
 * fresh weights and gives the same weights.
 */
public final class PopulationBasedTraining implements Configurable, Provenancable<ConfiguredObjectProvenance> {

    private static final Logger logger = Logger.getLogger(PopulationBasedTraining.class.getName());

    /** Run provenance key of the member that trained a model's last interval. */
    public static final String MEMBER = "pbt-member";
    /** Run provenance key of the member's interval. */
    public static final String INTERVAL = "pbt-interval";
    /** Run provenance key of the member whose weights the interval started from ({@link PbtSegment#FRESH} for none). */
    public static final String START_MEMBER = "pbt-start-member";
    /** Run provenance key of that member's interval. */
    public static final String START_INTERVAL = "pbt-start-interval";

    @Config(mandatory = true, description = "The configuration file, trainer, data, metric and search space.")
    private ConfigObjective objective;

    @Config(description = "The number of members, at least 2.")
    private int populationSize = 8;

    @Config(description = "Epochs a member trains between two checkpoints.")
    private int perturbationInterval = 1;

    @Config(description = "Intervals each member trains.")
    private int intervals = 4;

    @Config(description = "Share of the population in each of the bottom (exploiting) and top (copied) groups, in (0, 0.5].")
    private double quantile = 0.25;

    @Config(description = "Probability of resampling a hyper-parameter from its prior when exploring.")
    private double resampleProbability = 0.25;

    @Config(description = "Factor that lowers a number when exploring, in (0, 1).")
    private double decreaseFactor = 0.8;

    @Config(description = "Factor that raises a number when exploring, above 1.")
    private double increaseFactor = 1.2;

    @Config(description = "Seed of every random choice: initial values, trainer seeds, donors and explore steps.")
    private long seed = 12345L;

    private TruncationSelection selection;
    private Perturbation perturbation;

    private PopulationBasedTraining() {}

    /**
     * Creates a run with Ray Tune's explore factors 0.8 and 1.2.
     * @param objective The configuration, data, metric and search space.
     * @param populationSize The number of members.
     * @param perturbationInterval The epochs between checkpoints.
     * @param intervals The intervals each member trains.
     * @param quantile The share of the population in each of the bottom and top groups.
     * @param resampleProbability The probability of resampling a value when exploring.
     * @param seed The seed.
     */
    public PopulationBasedTraining(ConfigObjective objective, int populationSize, int perturbationInterval, int intervals,
                                   double quantile, double resampleProbability, long seed) {
        this.objective = objective;
        this.populationSize = populationSize;
        this.perturbationInterval = perturbationInterval;
        this.intervals = intervals;
        this.quantile = quantile;
        this.resampleProbability = resampleProbability;
        this.seed = seed;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (populationSize < 2) {
            throw new PropertyException("", "populationSize", "populationSize must be at least 2, found " + populationSize);
        }
        if (perturbationInterval < 1) {
            throw new PropertyException("", "perturbationInterval", "perturbationInterval must be at least 1 epoch, found "
                    + perturbationInterval);
        }
        if (intervals < 1) {
            throw new PropertyException("", "intervals", "intervals must be at least 1, found " + intervals);
        }
        for (String name : objective.space().distributions().keySet()) {
            if (objective.dataSourceNames().contains(name.substring(0, name.indexOf('.')))) {
                throw new PropertyException("", "objective", "population based training loads the data once, so it cannot "
                        + "search the data source property '" + name + "'");
            }
        }
        if (!objective.space().conditions().isEmpty()) {
            throw new PropertyException("", "objective", "population based training copies weights between members, so "
                    + "every member must have the same parameters; the search space has conditional (or list) parameters "
                    + objective.space().conditions().keySet());
        }
        for (String reserved : List.of(seedProperty(), epochsProperty())) {
            if (objective.space().distributions().containsKey(reserved)) {
                throw new PropertyException("", "objective", "population based training sets '" + reserved
                        + "' itself; remove it from the search space");
            }
        }
        try {
            selection = new TruncationSelection(objective.direction(), quantile);
        } catch (IllegalArgumentException e) {
            throw new PropertyException(e, "", "quantile", e.getMessage());
        }
        try {
            perturbation = new Perturbation(objective.space(), resampleProbability, decreaseFactor, increaseFactor);
        } catch (IllegalArgumentException e) {
            throw new PropertyException(e, "", "resampleProbability", e.getMessage());
        }
    }

    /**
     * Trains the population.
     * @return Every interval of every member, the winner and the final models.
     */
    public PbtResult run() {
        ConfigObjective.Data data = objective.data(Map.of());
        SplittableRandom rng = new SplittableRandom(seed);
        SearchSpace space = objective.space();
        RandomSampler prior = new RandomSampler(rng.nextLong());
        List<Map<String, Object>> params = new ArrayList<>();
        for (int m = 0; m < populationSize; m++) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (Map.Entry<String, Distribution> e : space.distributions().entrySet()) {
                values.put(e.getKey(), e.getValue().toExternal(
                        prior.sample(List.of(), objective.direction(), m, e.getKey(), e.getValue())));
            }
            params.add(values);
        }
        NetworkModel[] weights = new NetworkModel[populationSize];
        PbtSegment[] latest = new PbtSegment[populationSize];
        NetworkModel[] start = new NetworkModel[populationSize];
        int[] startMember = new int[populationSize];
        int[] startInterval = new int[populationSize];
        Arrays.fill(startMember, PbtSegment.FRESH);
        List<PbtSegment> segments = new ArrayList<>();
        for (int k = 1; k <= intervals; k++) {
            for (int m = 0; m < populationSize; m++) {
                PbtSegment planned = new PbtSegment(m, k, params.get(m), rng.nextLong(), Double.NaN, startMember[m],
                        startInterval[m]);
                Trained trained = train(planned, start[m], data);
                PbtSegment done = new PbtSegment(m, k, planned.params(), planned.seed(), trained.score(),
                        planned.startMember(), planned.startInterval());
                segments.add(done);
                logger.fine(() -> "PBT member " + done.member() + " interval " + done.interval() + ": " + done.score()
                        + " with " + done.params());
                latest[m] = done;
                weights[m] = trained.model();
                if (k == intervals) {
                    continue;
                }
                Map<Integer, Double> scores = new LinkedHashMap<>();
                for (int i = 0; i < populationSize; i++) {
                    if (latest[i] != null) {
                        scores.put(i, latest[i].score());
                    }
                }
                OptionalInt donor = selection.donor(m, scores, rng);
                int from = donor.orElse(m);
                start[m] = weights[from];
                startMember[m] = from;
                startInterval[m] = latest[from].interval();
                if (donor.isPresent()) {
                    params.set(m, perturbation.explore(latest[from].params(), rng));
                    logger.info("PBT member " + m + " (score " + done.score() + " after interval " + k + ") copies member "
                            + from + " (score " + latest[from].score() + ") and explores " + params.get(m));
                }
            }
        }
        int winner = 0;
        Direction direction = objective.direction();
        for (int m = 1; m < populationSize; m++) {
            if (direction.loss(latest[m].score()) < direction.loss(latest[winner].score())) {
                winner = m;
            }
        }
        return new PbtResult(segments, winner, Arrays.asList(weights), getProvenance());
    }

    /**
     * Retrains a schedule from fresh weights: the first segment from its seed, each later one from the weights the
     * previous one ended with, each with its hyper-parameters and seed. Replaying
     * {@link PbtResult#schedule()} gives exactly the winner's weights (same thread count).
     * @param schedule Segments, each starting from the previous one's weights (the first from fresh weights).
     * @return The model the last segment ends with.
     */
    public NetworkModel replay(List<PbtSegment> schedule) {
        if (schedule.isEmpty()) {
            throw new IllegalArgumentException("the schedule to replay is empty");
        }
        ConfigObjective.Data data = objective.data(Map.of());
        NetworkModel model = null;
        PbtSegment previous = null;
        for (PbtSegment segment : schedule) {
            boolean chained = previous == null ? segment.startMember() == PbtSegment.FRESH
                    : segment.startMember() == previous.member() && segment.startInterval() == previous.interval();
            if (!chained) {
                throw new IllegalArgumentException("segment " + segment.member() + "/" + segment.interval()
                        + " does not start from " + (previous == null ? "fresh weights"
                        : "segment " + previous.member() + "/" + previous.interval()));
            }
            model = train(segment, model, data).model();
            previous = segment;
        }
        return model;
    }

    private record Trained(NetworkModel model, double score) {}

    private Trained train(PbtSegment segment, NetworkModel start, ConfigObjective.Data data) {
        Map<String, Object> overrides = new LinkedHashMap<>(segment.params());
        overrides.put(seedProperty(), segment.seed());
        overrides.put(epochsProperty(), perturbationInterval);
        Trainer<Label> configured = objective.trainer(overrides);
        if (!(configured instanceof NetworkTrainer trainer)) {
            throw new IllegalArgumentException("population based training needs a NetworkTrainer, but component '"
                    + objective.trainerName() + "' is a " + configured.getClass().getName());
        }
        Map<String, Provenance> provenance = new LinkedHashMap<>();
        provenance.put(MEMBER, new IntProvenance(MEMBER, segment.member()));
        provenance.put(INTERVAL, new IntProvenance(INTERVAL, segment.interval()));
        provenance.put(START_MEMBER, new IntProvenance(START_MEMBER, segment.startMember()));
        provenance.put(START_INTERVAL, new IntProvenance(START_INTERVAL, segment.startInterval()));
        NetworkModel model = start == null ? trainer.train(data.train(), provenance)
                : trainer.fineTune(data.train(), start, provenance);
        return new Trained(model, objective.score(model, data.validation()));
    }

    private String seedProperty() {
        return objective.trainerName() + ".seed";
    }

    private String epochsProperty() {
        return objective.trainerName() + ".epochs";
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "PopulationBasedTraining");
    }

    @Override
    public String toString() {
        return "PopulationBasedTraining(populationSize=" + populationSize + ",perturbationInterval=" + perturbationInterval
                + ",intervals=" + intervals + ",quantile=" + quantile + ",resampleProbability=" + resampleProbability
                + ",decreaseFactor=" + decreaseFactor + ",increaseFactor=" + increaseFactor + ",seed=" + seed + ")";
    }
}
