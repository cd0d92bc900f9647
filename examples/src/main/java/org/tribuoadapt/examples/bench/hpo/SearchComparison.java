package org.tribuoadapt.examples.bench.hpo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.NopPruner;
import org.tribuoadapt.hpo.search.Objective;
import org.tribuoadapt.hpo.search.Pruner;
import org.tribuoadapt.hpo.search.Sampler;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;
import org.tribuoadapt.hpo.search.objective.ConfigObjective;
import org.tribuoadapt.hpo.search.pruner.SuccessiveHalvingPruner;
import org.tribuoadapt.hpo.search.sampler.GpSampler;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;
import org.tribuoadapt.hpo.search.sampler.TpeSampler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Part (e) of {@code bench hpo}, the search benchmark: random search, TPE, GP and TPE with asynchronous successive
 * halving (ASHA, Optuna's defaults) over the learning rate, weight decay, dropout and batch size of a small CNN, the
 * same number of trials each, every trial trained from a configuration file by {@link ConfigObjective}. Each method
 * prints the best validation accuracy after every trial, its wall time and the epochs it trained (pruning's saving);
 * then the per-trial cost of storage and sampling once a study holds many finished trials.
 */
final class SearchComparison {

    /** The searched properties. */
    static final List<String> SPACE = List.of("adam.learningRate=float:1e-4:1e-1:log",
            "adam.weightDecay=float:1e-6:1e-2:log", "cnn.dropout=float:0:0.5", "trainer.batchSize=categorical:32,64,128");

    /** The methods, in the order they run. */
    static final List<String> METHODS = List.of("random", "tpe", "gp", "tpe-asha");

    private final Path directory;
    private final Path config;
    private final int epochs;
    private final int trials;

    /**
     * Writes the configuration file.
     * @param directory Where to write it and the studies' journals.
     * @param images The training and validation image and label locations: training images, training labels,
     * validation images, validation labels (paths, or {@code classpath:} locations).
     * @param trainPerClass Training images per class.
     * @param validPerClass Validation images per class.
     * @param epochs Epochs per trial.
     * @param trials Trials per method.
     * @throws IOException If the file cannot be written.
     */
    SearchComparison(Path directory, List<String> images, int trainPerClass, int validPerClass, int epochs, int trials)
            throws IOException {
        this.directory = directory;
        this.epochs = epochs;
        this.trials = trials;
        this.config = StudyConfigFile.write(directory.resolve("search-cnn.xml"), images, trainPerClass, validPerClass, """
                <component name="cnn" type="org.tribuoadapt.core.nn.spec.CNNSpec">
                    <propertylist name="channels"><item>8</item><item>16</item></propertylist>
                    <propertylist name="hiddenSizes"><item>32</item></propertylist>
                </component>
                <component name="adam" type="org.tribuoadapt.core.train.AdamOptimiserFactory">
                    <property name="learningRate" value="0.001"/>
                </component>
                <component name="trainer" type="org.tribuoadapt.core.model.NetworkTrainer">
                    <property name="network" value="cnn"/>
                    <property name="optimiser" value="adam"/>
                    <property name="epochs" value="%d"/>
                    <property name="batchSize" value="64"/>
                    <property name="seed" value="1"/>
                </component>
                """.formatted(epochs));
    }

    /**
     * Runs one method's study.
     * @param method One of {@link #METHODS}.
     * @param seed The sampler's seed.
     * @param mapper The JSON mapper.
     * @return The measurement: best accuracy after each trial, wall time, epochs trained, pruned trials.
     */
    ObjectNode run(String method, long seed, ObjectMapper mapper) {
        ConfigObjective objective = new ConfigObjective(config, "trainer", "train", "valid",
                ConfigObjective.Metric.ACCURACY, SPACE);
        Sampler sampler = switch (method) {
            case "random" -> new RandomSampler(seed);
            case "tpe", "tpe-asha" -> new TpeSampler(seed);
            case "gp" -> new GpSampler(seed);
            default -> throw new IllegalArgumentException("unknown search method '" + method + "'; expected " + METHODS);
        };
        Pruner pruner = method.equals("tpe-asha") ? new SuccessiveHalvingPruner() : new NopPruner();
        long start = System.nanoTime();
        Study study = Study.create(method, new JournalFileStorage(directory.resolve(method + "-" + seed + ".log")),
                objective.direction(), sampler, pruner);
        study.optimize(objective, trials);
        double seconds = (System.nanoTime() - start) / 1e9;
        ObjectNode json = mapper.createObjectNode().put("benchmark", "hpo").put("part", "search").put("method", method)
                .put("seed", seed).put("trials", trials).put("epochs_per_trial", epochs).put("seconds", seconds);
        ArrayNode curve = json.putArray("best_accuracy_by_trial");
        double best = Double.NaN;
        long epochsTrained = 0;
        int pruned = 0;
        for (Trial t : study.trials()) {
            if (t.state() == TrialState.COMPLETE && (Double.isNaN(best) || t.value() > best)) {
                best = t.value();
            }
            curve.add(best);
            epochsTrained += t.state() == TrialState.PRUNED ? t.intermediateValues().size() : epochs;
            pruned += t.state() == TrialState.PRUNED ? 1 : 0;
        }
        json.put("best_accuracy", best).put("epochs_trained", epochsTrained).put("pruned_trials", pruned);
        json.put("best_params", study.bestTrial().params().toString());
        return json;
    }

    /**
     * The cost of one trial's storage and sampling in a study that already holds {@code finished} trials, with an
     * objective that costs nothing: the median of {@code measured} trials, for random search and TPE.
     * @param finished Finished trials written first.
     * @param measured Trials timed after them.
     * @param mapper The JSON mapper.
     * @return One measurement per sampler.
     */
    List<ObjectNode> overhead(int finished, int measured, ObjectMapper mapper) {
        SearchSpace space = SearchSpace.parse(SPACE);
        Objective free = Objective.of(space, SearchComparison::synthetic);
        List<ObjectNode> out = new java.util.ArrayList<>();
        for (String method : List.of("random", "tpe")) {
            Path journal = directory.resolve("overhead-" + method + ".log");
            Study study = Study.create("overhead", new JournalFileStorage(journal), Direction.MINIMIZE, new RandomSampler(7));
            study.optimize(free, finished);
            Sampler sampler = method.equals("tpe") ? new TpeSampler(7) : new RandomSampler(7);
            Study timed = Study.load("overhead", new JournalFileStorage(journal), sampler);
            double[] millis = new double[measured];
            for (int i = 0; i < measured; i++) {
                long start = System.nanoTime();
                timed.optimize(free, 1);
                millis[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(millis);
            out.add(mapper.createObjectNode().put("benchmark", "hpo").put("part", "search-overhead")
                    .put("sampler", method).put("finished_trials", finished).put("measured_trials", measured)
                    .put("median_ms_per_trial", millis[measured / 2]).put("max_ms_per_trial", millis[measured - 1])
                    .put("journal_bytes", journal.toFile().length()));
        }
        return out;
    }

    /**
     * A cheap stand-in for the CNN's validation error over the same space, for the overhead measurement and for
     * comparing samplers with Optuna's: {@code (log10 lr + 2.5)^2 + 0.3 (log10 wd + 4)^2 + 4 (dropout - 0.2)^2},
     * plus 0.3 unless the batch size is 64. Its minimum is 0.
     * @param trial The trial.
     * @return The value.
     */
    static double synthetic(org.tribuoadapt.hpo.search.ActiveTrial trial) {
        Map<String, Object> p = trial.params();
        double lr = Math.log10((Double) p.get("adam.learningRate"));
        double wd = Math.log10((Double) p.get("adam.weightDecay"));
        double dropout = (Double) p.get("cnn.dropout");
        return (lr + 2.5) * (lr + 2.5) + 0.3 * (wd + 4) * (wd + 4) + 4 * (dropout - 0.2) * (dropout - 0.2)
                + (p.get("trainer.batchSize").equals("64") ? 0 : 0.3);
    }

    /**
     * Minimises {@link #synthetic} with TPE and random search from each seed, the same number of trials as the CNN
     * studies, for comparison with Optuna's samplers on the same function ({@code bench/optuna-sampler-quality.py}).
     * @param seeds The seeds.
     * @param mapper The JSON mapper.
     * @return One measurement per sampler and seed.
     */
    List<ObjectNode> syntheticQuality(List<Long> seeds, ObjectMapper mapper) {
        Objective objective = Objective.of(SearchSpace.parse(SPACE), SearchComparison::synthetic);
        List<ObjectNode> out = new java.util.ArrayList<>();
        for (String method : List.of("random", "tpe")) {
            for (long seed : seeds) {
                Sampler sampler = method.equals("tpe") ? new TpeSampler(seed) : new RandomSampler(seed);
                Study study = Study.create("synthetic", new JournalFileStorage(directory.resolve("synthetic-" + method + "-"
                        + seed + ".log")), Direction.MINIMIZE, sampler);
                study.optimize(objective, trials);
                out.add(mapper.createObjectNode().put("benchmark", "hpo").put("part", "search-synthetic")
                        .put("implementation", "tribuo-hpo").put("sampler", method).put("seed", seed)
                        .put("trials", trials).put("best_value", study.bestTrial().value()));
            }
        }
        return out;
    }
}
