package org.tribuoadapt.examples.bench.hpo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.core.train.TrainingPlan;

import java.util.SplittableRandom;

/**
 * Part (a) of {@code bench hpo}: trains one network with one optimiser from one initial learning rate through
 * core's {@link TrainingLoop}, measuring held-out accuracy every few steps, and reports the final accuracy, the
 * first measured step at which the accuracy reached a target, and the learning-rate trajectory. A run whose loss
 * becomes NaN is reported as diverged, with the accuracy of the weights it stopped at.
 */
final class LearningRateRobustness {

    private final NetworkSpec spec;
    private final int classes;
    private final TensorDataset train;
    private final TensorDataset heldOut;
    private final int epochs;
    private final int batchSize;
    private final int evaluateEvery;
    private final double target;
    private final long seed;

    /**
     * Creates the experiment.
     * @param spec The network.
     * @param classes The number of classes.
     * @param train The training data.
     * @param heldOut The data accuracy is measured on.
     * @param epochs Training epochs.
     * @param batchSize Minibatch size.
     * @param evaluateEvery Measure the held-out accuracy every this many steps.
     * @param target The accuracy whose first crossing is reported.
     * @param seed The seed of the initial weights and the batch order (the same for every run).
     */
    LearningRateRobustness(NetworkSpec spec, int classes, TensorDataset train, TensorDataset heldOut, int epochs,
                           int batchSize, int evaluateEvery, double target, long seed) {
        this.spec = spec;
        this.classes = classes;
        this.train = train;
        this.heldOut = heldOut;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.evaluateEvery = evaluateEvery;
        this.target = target;
        this.seed = seed;
    }

    /**
     * Trains once and describes the run.
     * @param name The optimiser's name in the output.
     * @param factory The optimiser.
     * @param initialRate The initial learning rate it was configured with.
     * @param mapper The JSON mapper.
     * @return One JSON object.
     */
    ObjectNode run(String name, OptimiserFactory factory, double initialRate, ObjectMapper mapper) {
        long start = System.nanoTime();
        ObjectNode json = mapper.createObjectNode();
        json.put("benchmark", "hpo").put("part", "robustness").put("optimiser", name).put("initial_lr", initialRate)
                .put("config", factory.toString()).put("examples", train.size()).put("held_out", heldOut.size())
                .put("epochs", epochs).put("batch", batchSize).put("target", target);
        ArrayNode curve = json.putArray("curve");
        try (Network network = spec.build(classes, seed)) {
            long weights = network.countWeights(true);
            TrainingPlan plan = new TrainingPlan(weights, weights, train.size(), train.exampleShape().size(), batchSize, epochs);
            Integer[] reached = {null};
            TrainingListener probe = new TrainingListener() {
                @Override
                public void onStep(long step, double loss, double learningRate) {
                    if (step % evaluateEvery == 0) {
                        double accuracy = Evaluation.lossAndAccuracy(network, heldOut)[1];
                        curve.addArray().add(step).add(accuracy).add(learningRate);
                        if (reached[0] == null && accuracy >= target) {
                            reached[0] = (int) step;
                        }
                    }
                }
            };
            boolean diverged = false;
            String error = null;
            TrainingHistory history = null;
            try (NetworkOptimiser optimiser = factory.create(network.trainableParameters(), plan)) {
                history = new TrainingLoop(epochs, batchSize, 0.0, 1).fit(network, optimiser, train, null,
                        BatchObjective.crossEntropy(), new SplittableRandom(seed), probe);
            } catch (IllegalStateException e) {
                diverged = true;
                error = e.getMessage();
            }
            double finalAccuracy = Evaluation.lossAndAccuracy(network, heldOut)[1];
            json.put("final_accuracy", finalAccuracy).put("diverged", diverged);
            if (reached[0] == null) {
                json.putNull("steps_to_target");
            } else {
                json.put("steps_to_target", reached[0]);
            }
            if (error != null) {
                json.put("error", error);
            }
            if (history != null) {
                double[] rates = history.stepLearningRates();
                double min = Double.POSITIVE_INFINITY;
                double max = 0;
                for (double r : rates) {
                    min = Math.min(min, r);
                    max = Math.max(max, r);
                }
                json.put("steps", history.steps()).put("lr_last", rates[rates.length - 1]).put("lr_min", min).put("lr_max", max);
            }
        }
        json.put("seconds", (System.nanoTime() - start) / 1e9);
        return json;
    }
}
