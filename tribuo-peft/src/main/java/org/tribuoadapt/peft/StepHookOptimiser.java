package org.tribuoadapt.peft;

import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.train.NetworkOptimiser;

import java.util.List;

/**
 * An optimiser that, after each step of the wrapped one, lets an adapter's modules change their parameters outside
 * gradient descent ({@link AdapterModule#afterOptimiserStep}), as proximal methods need.
 */
final class StepHookOptimiser implements NetworkOptimiser {

    private final NetworkOptimiser optimiser;
    private final List<AdapterModule> modules;

    StepHookOptimiser(NetworkOptimiser optimiser, List<AdapterModule> modules) {
        this.optimiser = optimiser;
        this.modules = modules;
    }

    @Override
    public void step() {
        optimiser.step();
        try (GradientMode ignored = GradientMode.disabled()) {
            for (AdapterModule m : modules) {
                m.afterOptimiserStep();
            }
        }
    }

    @Override
    public double learningRate() {
        return optimiser.learningRate();
    }

    @Override
    public void close() {
        optimiser.close();
    }
}
