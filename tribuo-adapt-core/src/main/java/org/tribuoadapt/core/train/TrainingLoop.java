package org.tribuoadapt.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.NetworkSnapshot;
import org.tribuoadapt.core.nn.Parameter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Minibatch training of a network's trainable parameters: shuffling, the forward and backward pass, gradient
 * clipping, the optimiser step, validation after each epoch and early stopping on the validation loss (the best
 * epoch's weights are restored at the end), and an optional {@link LearningRateSchedule} that sets the learning rate
 * after each epoch. Every trainer in Tribuo Adapt runs its networks through this loop.
 * <p>
 * Each batch runs in its own native-memory scope, so memory does not grow with the number of batches. A batch of a
 * single example at the end of an epoch is skipped, because BatchNorm cannot normalise it.
 */
public final class TrainingLoop {

    /**
     * A step loss this many times the first step's (and at least this large) means training diverged: no sane
     * classification run multiplies its loss by a thousand.
     */
    public static final double DIVERGENCE_FACTOR = 1000.0;

    private final int epochs;
    private final int batchSize;
    private final double gradientClipNorm;
    private final int patience;
    private final LearningRateSchedule schedule;

    /**
     * Creates a loop.
     * @param epochs The maximum number of passes over the data.
     * @param batchSize The minibatch size.
     * @param gradientClipNorm The largest global gradient norm; 0 disables clipping.
     * @param patience Stop after this many epochs without a lower validation loss (only with validation data).
     */
    public TrainingLoop(int epochs, int batchSize, double gradientClipNorm, int patience) {
        this(epochs, batchSize, gradientClipNorm, patience, null);
    }

    /**
     * Creates a loop whose learning rate follows a schedule after each epoch.
     * @param epochs The maximum number of passes over the data.
     * @param batchSize The minibatch size.
     * @param gradientClipNorm The largest global gradient norm; 0 disables clipping.
     * @param patience Stop after this many epochs without a lower validation loss (only with validation data).
     * @param schedule The schedule consulted after every epoch but the last, or null to keep the optimiser's rate.
     */
    public TrainingLoop(int epochs, int batchSize, double gradientClipNorm, int patience, LearningRateSchedule schedule) {
        if (epochs < 1 || batchSize < 1 || !(gradientClipNorm >= 0) || patience < 1) {
            throw new IllegalArgumentException("need epochs >= 1, batchSize >= 1, gradientClipNorm >= 0 and patience >= 1, found "
                    + epochs + ", " + batchSize + ", " + gradientClipNorm + ", " + patience);
        }
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.gradientClipNorm = gradientClipNorm;
        this.patience = patience;
        this.schedule = schedule;
    }

    /**
     * The maximum number of passes over the data.
     * @return The epochs.
     */
    public int epochs() {
        return epochs;
    }

    /**
     * The minibatch size.
     * @return The batch size.
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Trains the network in place.
     * @param network The network; its trainable parameters are updated.
     * @param optimiser The optimiser over {@code network.trainableParameters()}.
     * @param train The training data.
     * @param validation Validation data for early stopping, or null.
     * @param objective The loss.
     * @param rng The stream the batch order is drawn from.
     * @param listener Progress callbacks.
     * @return The history of the run.
     * @throws UnsupportedOperationException if the loop has a schedule and the optimiser sets its own rate.
     * @throws IllegalStateException if the loss becomes NaN or infinite, or grows more than {@value #DIVERGENCE_FACTOR}
     *     times over the first step's (and over 1), naming the epoch, step and learning rate.
     */
    public TrainingHistory fit(Network network, NetworkOptimiser optimiser, TensorDataset train, TensorDataset validation,
                               BatchObjective objective, SplittableRandom rng, TrainingListener listener) {
        List<Parameter> trainable = network.trainableParameters();
        if (trainable.isEmpty()) {
            throw new IllegalStateException("the network has no trainable parameters");
        }
        if (schedule != null) {
            optimiser.setLearningRate(optimiser.learningRate()); // fails now, not after an epoch, if it cannot follow
        }
        List<EpochSummary> summaries = new ArrayList<>();
        double[] losses = new double[16];
        double[] rates = new double[16];
        int step = 0;
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        boolean stoppedEarly = false;
        listener.onStart(stepsPerEpoch(train.size()) * (long) epochs);
        NetworkSnapshot best = null;
        try {
            for (int epoch = 1; epoch <= epochs; epoch++) {
                long start = System.nanoTime();
                int[] order = TensorDataset.permutation(train.size(), rng);
                double lossSum = 0;
                int batches = 0;
                for (int from = 0; from < order.length; from += batchSize) {
                    int[] indices = Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize));
                    if (indices.length == 1 && from > 0) {
                        continue;
                    }
                    double learningRate = optimiser.learningRate();
                    double loss = trainBatch(network, trainable, optimiser, train, indices, objective, listener);
                    step++;
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException("the training loss became " + loss + " at epoch " + epoch + ", step "
                                + step + " (learning rate " + learningRate + "); lower the learning rate or enable gradient clipping");
                    }
                    if (step > 1 && loss > DIVERGENCE_FACTOR * Math.max(losses[0], 1.0)) {
                        throw new IllegalStateException("training diverged: the loss grew from " + losses[0] + " at step 1 to "
                                + loss + " at epoch " + epoch + ", step " + step + " (learning rate " + learningRate
                                + "); lower the learning rate or enable gradient clipping");
                    }
                    if (step > losses.length) {
                        losses = Arrays.copyOf(losses, losses.length * 2);
                        rates = Arrays.copyOf(rates, rates.length * 2);
                    }
                    losses[step - 1] = loss;
                    rates[step - 1] = learningRate;
                    lossSum += loss;
                    batches++;
                    listener.onStep(step, loss, learningRate);
                }
                double[] validationFigures = validation == null ? new double[] {Double.NaN, Double.NaN}
                        : Evaluation.lossAndAccuracy(network, validation);
                EpochSummary summary = new EpochSummary(epoch, lossSum / batches, validationFigures[0], validationFigures[1],
                        optimiser.learningRate(), (System.nanoTime() - start) / 1e9);
                summaries.add(summary);
                listener.onEpoch(summary, network);
                if (validation == null) {
                    bestEpoch = epoch;
                } else if (validationFigures[0] < bestLoss) {
                    bestLoss = validationFigures[0];
                    bestEpoch = epoch;
                    if (best != null) {
                        best.close();
                    }
                    best = new NetworkSnapshot(network);
                } else if (epoch - bestEpoch >= patience) {
                    stoppedEarly = true;
                    break;
                }
                if (schedule != null && epoch < epochs) {
                    optimiser.setLearningRate(schedule.nextRate(List.copyOf(summaries), summary.learningRate()));
                }
            }
            if (best != null) {
                best.restore();
            }
        } finally {
            if (best != null) {
                best.close();
            }
            listener.onFinish();
        }
        return new TrainingHistory(summaries, Arrays.copyOf(losses, step), Arrays.copyOf(rates, step), bestEpoch, stoppedEarly);
    }

    private double trainBatch(Network network, List<Parameter> trainable, NetworkOptimiser optimiser, TensorDataset data,
                              int[] indices, BatchObjective objective, TrainingListener listener) {
        try (NDManager batch = network.manager().newSubManager(); NDScope ignored = new NDScope()) {
            NDArray features = data.features(batch, indices);
            NDArray labels = data.labels(batch, indices);
            ForwardContext plain = ForwardContext.training(batch);
            ForwardContext context = listener.trainingObserver().map(plain::withObserver).orElse(plain);
            NDArray inputs = objective.prepareInputs(network, features, labels, context);
            NDArray loss;
            try (GradientMode recording = GradientMode.enabled()) {
                loss = objective.loss(network, inputs, labels, context);
                GradientMode.backward(loss);
            }
            double value = loss.getFloat();
            if (Double.isFinite(value)) {
                if (gradientClipNorm > 0) {
                    GradientClipper.clip(trainable, gradientClipNorm);
                }
                optimiser.step();
            }
            for (Parameter p : trainable) {
                GradientMode.zeroGradient(p.array());
            }
            return value;
        }
    }

    private int stepsPerEpoch(int examples) {
        int full = examples / batchSize;
        int rest = examples % batchSize;
        return full + (rest > 1 || (rest == 1 && full == 0) ? 1 : 0);
    }
}
