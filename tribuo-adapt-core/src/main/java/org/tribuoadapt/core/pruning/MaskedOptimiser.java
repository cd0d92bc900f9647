package org.tribuoadapt.core.pruning;

import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.NetworkOptimiser;

import java.util.Map;

/**
 * Retraining with a fixed mask: before each step the pruned entries' gradients are zeroed, so the optimiser sees
 * what PyTorch's {@code torch.nn.utils.prune} reparameterisation ({@code weight = weight_orig * mask}) gives it, and
 * after the step the pruned entries are set back to zero, which undoes any move that weight decay or momentum makes.
 */
final class MaskedOptimiser implements NetworkOptimiser {

    private final NetworkOptimiser delegate;
    private final PruningMask mask;
    private final Network network;
    private final Map<String, Parameter> parameters;

    MaskedOptimiser(NetworkOptimiser delegate, PruningMask mask, Network network) {
        this.delegate = delegate;
        this.mask = mask;
        this.network = network;
        this.parameters = network.parameters();
        mask.check(parameters);
    }

    @Override
    public void step() {
        mask.maskGradients(parameters, network.manager());
        delegate.step();
        mask.apply(network);
    }

    @Override
    public double learningRate() {
        return delegate.learningRate();
    }

    @Override
    public void setLearningRate(double rate) {
        delegate.setLearningRate(rate);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
