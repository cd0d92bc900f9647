package org.tribuoadapt.core.train;

import org.tribuoadapt.core.nn.LayerObserver;
import org.tribuoadapt.core.nn.Network;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A training listener that records the mean attention entropy of every head of every attention layer over each
 * epoch's training passes (Zhai et al. 2023 track it to show attention entropy collapse), and passes every other
 * callback on to another listener.
 */
public final class AttentionEntropyMonitor implements TrainingListener {

    private final TrainingListener next;
    private final AttentionEntropy entropy = new AttentionEntropy();
    private final List<Map<String, double[]>> epochs = new ArrayList<>();

    /**
     * Creates a monitor.
     * @param next The listener that gets every callback as well (for example a progress bar).
     */
    public AttentionEntropyMonitor(TrainingListener next) {
        this.next = next;
    }

    /**
     * The per-head mean entropy of each epoch, in nats.
     * @return One map (attention layer path to one value per head) per finished epoch.
     */
    public List<Map<String, double[]>> perEpoch() {
        return Collections.unmodifiableList(epochs);
    }

    /**
     * The lowest per-head mean entropy of each epoch: how far the most collapsed head had gone.
     * @return One value per finished epoch.
     */
    public double[] minimumPerEpoch() {
        return epochs.stream().mapToDouble(AttentionEntropy::minimumOf).toArray();
    }

    @Override
    public Optional<LayerObserver> trainingObserver() {
        return Optional.of(entropy);
    }

    @Override
    public void onStart(long totalSteps) {
        epochs.clear();
        entropy.reset();
        next.onStart(totalSteps);
    }

    @Override
    public void onStep(long step, double loss, double learningRate) {
        next.onStep(step, loss, learningRate);
    }

    @Override
    public void onEpoch(EpochSummary summary, Network network) {
        epochs.add(entropy.perHead());
        entropy.reset();
        next.onEpoch(summary, network);
    }

    @Override
    public void onFinish() {
        next.onFinish();
    }
}
