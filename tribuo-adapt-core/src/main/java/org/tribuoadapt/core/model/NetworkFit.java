package org.tribuoadapt.core.model;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.core.train.TrainingPlan;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * The one routine every trainer fits a network with: it sizes the {@link TrainingPlan} from the network's trainable
 * weights and the data, creates the optimiser over the trainable parameters, runs the {@link TrainingLoop} with the
 * trainer's objective, and describes the result. Trainers differ only in what network they build, what they leave
 * trainable, which optimiser and which objective they pass; a trainer whose optimiser carries state of its own
 * across runs (a federated client's) passes the optimiser itself.
 */
public final class NetworkFit {

    /**
     * What a run produced.
     * @param weights The network's weights afterwards, as safetensors bytes.
     * @param history The training history.
     * @param provenance The run provenance of the weights and the training ({@link NetworkProvenance}).
     */
    public record Result(byte[] weights, TrainingHistory history, Map<String, Provenance> provenance) {}

    private final TrainingLoop loop;

    /**
     * Creates the routine.
     * @param loop The loop (epochs, batch size, clipping, patience).
     */
    public NetworkFit(TrainingLoop loop) {
        this.loop = loop;
    }

    /**
     * Trains the network's trainable parameters in place with an optimiser the caller made and keeps.
     * @param network The network.
     * @param optimiser The optimiser over the network's trainable parameters.
     * @param train The training data.
     * @param validation Validation data for early stopping, or null.
     * @param objective The batch objective.
     * @param rng The run's random stream (batch order).
     * @param listener Progress callbacks.
     * @return The history.
     */
    public TrainingHistory train(Network network, NetworkOptimiser optimiser, TensorDataset train,
                                 TensorDataset validation, BatchObjective objective, SplittableRandom rng,
                                 TrainingListener listener) {
        return loop.fit(network, optimiser, train, validation, objective, rng, listener);
    }

    /**
     * Trains the network's trainable parameters in place with a fresh optimiser sized for this run.
     * @param network The network.
     * @param optimiser The optimiser factory.
     * @param train The training data.
     * @param validation Validation data for early stopping, or null.
     * @param objective The batch objective.
     * @param rng The run's random stream (batch order).
     * @param listener Progress callbacks.
     * @param decorate Wraps the created optimiser (for example with an adapter's after-step hooks); identity for none.
     * @return The history.
     */
    public TrainingHistory train(Network network, OptimiserFactory optimiser, TensorDataset train,
                                 TensorDataset validation, BatchObjective objective, SplittableRandom rng,
                                 TrainingListener listener, UnaryOperator<NetworkOptimiser> decorate) {
        TrainingPlan plan = new TrainingPlan(network.countWeights(true), network.countWeights(false), train.size(),
                train.exampleShape().size(), loop.batchSize(), loop.epochs());
        try (NetworkOptimiser opt = decorate.apply(optimiser.create(network.trainableParameters(), plan))) {
            return train(network, opt, train, validation, objective, rng, listener);
        }
    }

    /**
     * Trains the network with a fresh optimiser and describes the weights it ends with.
     * @param network The network.
     * @param optimiser The optimiser factory.
     * @param train The training data.
     * @param validation Validation data for early stopping, or null.
     * @param objective The batch objective.
     * @param rng The run's random stream (batch order).
     * @param listener Progress callbacks.
     * @return The weights, history and their run provenance.
     */
    public Result fit(Network network, OptimiserFactory optimiser, TensorDataset train, TensorDataset validation,
                      BatchObjective objective, SplittableRandom rng, TrainingListener listener) {
        TrainingHistory history = train(network, optimiser, train, validation, objective, rng, listener,
                UnaryOperator.identity());
        byte[] weights = NetworkModel.weightsOf(network);
        Map<String, Provenance> provenance = new LinkedHashMap<>(NetworkProvenance.describeWeights(weights));
        provenance.putAll(NetworkProvenance.describeTraining(history));
        return new Result(weights, history, provenance);
    }
}
