package org.tribuoadapt.examples.bench.hpo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;
import org.tribuoadapt.hpo.search.objective.ConfigObjective;
import org.tribuoadapt.hpo.search.pbt.PbtResult;
import org.tribuoadapt.hpo.search.pbt.PbtSegment;
import org.tribuoadapt.hpo.search.pbt.PopulationBasedTraining;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Part (d) of {@code bench hpo}: population based training (Jaderberg et al. 2017) against random search (Bergstra and
 * Bengio 2012) at the same number of training epochs, over the learning rate and batch size of an MLP on a
 * class-balanced Fashion-MNIST subset. PBT trains {@code population} members for {@code intervals} intervals of
 * {@code interval} epochs; random search trains {@code population} trials of {@code intervals × interval} epochs each.
 * Both select on the same validation images, so each figure is the best validation accuracy a method found.
 */
final class PbtComparison {

    /** The searched properties: Adam's learning rate and the batch size (ordered, so neighbours are alike). */
    static final List<String> SPACE = List.of("adam.learningRate=float:1e-5:1e-1:log",
            "trainer.batchSize=categorical:16,32,64,128");

    private final Path config;
    private final int population;
    private final int interval;
    private final int intervals;

    /**
     * Writes the configuration file.
     * @param directory Where to write it (and the random search's journal).
     * @param data The Fashion-MNIST directory.
     * @param trainPerClass Training images per class.
     * @param validPerClass Validation images per class (the first test images of each class).
     * @param hidden The MLP's hidden width.
     * @param population Members and random-search trials.
     * @param interval PBT's epochs per interval.
     * @param intervals PBT's intervals.
     * @throws IOException If the file cannot be written.
     */
    PbtComparison(Path directory, String data, int trainPerClass, int validPerClass, int hidden, int population,
                  int interval, int intervals) throws IOException {
        this.population = population;
        this.interval = interval;
        this.intervals = intervals;
        this.config = StudyConfigFile.write(directory.resolve("pbt-mlp.xml"), StudyConfigFile.fashionMnist(data),
                trainPerClass, validPerClass, """
                <component name="mlp" type="org.tribuoadapt.core.nn.spec.MLPSpec">
                    <property name="inputSize" value="784"/>
                    <propertylist name="hiddenSizes"><item>%d</item></propertylist>
                </component>
                <component name="adam" type="org.tribuoadapt.core.train.AdamOptimiserFactory">
                    <property name="learningRate" value="0.001"/>
                </component>
                <component name="trainer" type="org.tribuoadapt.core.model.NetworkTrainer">
                    <property name="network" value="mlp"/>
                    <property name="optimiser" value="adam"/>
                    <property name="epochs" value="%d"/>
                    <property name="batchSize" value="32"/>
                </component>
                """.formatted(hidden, interval * intervals));
    }

    private ConfigObjective objective() {
        return new ConfigObjective(config, "trainer", "train", "valid", ConfigObjective.Metric.ACCURACY, SPACE);
    }

    /**
     * Runs PBT with one seed.
     * @param seed The seed.
     * @param mapper The JSON mapper.
     * @return The measurement.
     */
    ObjectNode pbt(long seed, ObjectMapper mapper) {
        long start = System.nanoTime();
        PbtResult result = new PopulationBasedTraining(objective(), population, interval, intervals, 0.25, 0.25, seed).run();
        ObjectNode json = measurement(mapper, "pbt", seed, result.score(), start);
        json.put("exploits", result.segments().stream().filter(PbtSegment::exploited).count());
        ArrayNode schedule = json.putArray("winner_schedule");
        for (PbtSegment s : result.schedule()) {
            schedule.addObject().put("member", s.member()).put("interval", s.interval()).put("score", s.score())
                    .put("learning_rate", s.params().get("adam.learningRate").toString())
                    .put("batch_size", s.params().get("trainer.batchSize").toString());
        }
        return json;
    }

    /**
     * Runs random search with one seed, as many trials as PBT has members, each as long as a member.
     * @param seed The sampler's seed.
     * @param directory Where the study's journal goes.
     * @param mapper The JSON mapper.
     * @return The measurement.
     */
    ObjectNode random(long seed, Path directory, ObjectMapper mapper) {
        long start = System.nanoTime();
        ConfigObjective objective = objective();
        Study study = Study.create("random-" + seed, new JournalFileStorage(directory.resolve("random-" + seed + ".log")),
                objective.direction(), new RandomSampler(seed));
        study.optimize(objective, population);
        ObjectNode json = measurement(mapper, "random", seed, study.bestTrial().value(), start);
        json.put("best_params", study.bestTrial().params().toString());
        return json;
    }

    private ObjectNode measurement(ObjectMapper mapper, String method, long seed, double accuracy, long start) {
        return mapper.createObjectNode().put("benchmark", "hpo").put("part", "pbt").put("method", method)
                .put("seed", seed).put("population", population).put("epochs", (long) population * interval * intervals)
                .put("best_validation_accuracy", accuracy).put("seconds", (System.nanoTime() - start) / 1e9);
    }
}
