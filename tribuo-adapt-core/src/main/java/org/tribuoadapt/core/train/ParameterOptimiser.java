package org.tribuoadapt.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Parameter;

import java.util.List;

/**
 * The shared machinery of optimisers that keep per-parameter state: the parameter list, state tensors that outlive
 * the batch that created them, the step counter, and gradient recording switched off during the update.
 */
public abstract class ParameterOptimiser implements NetworkOptimiser {

    /** The parameters this optimiser updates, in a fixed order. */
    protected final List<Parameter> parameters;
    private final NDManager stateManager;
    private int steps;

    /**
     * Creates the optimiser.
     * @param parameters The trainable parameters.
     */
    protected ParameterOptimiser(List<Parameter> parameters) {
        this.parameters = List.copyOf(parameters);
        this.stateManager = parameters.isEmpty() ? DjlRuntime.newManager()
                : parameters.get(0).array().getManager().newSubManager();
    }

    @Override
    public final void step() {
        steps++;
        try (GradientMode ignored = GradientMode.disabled()) {
            update(steps);
        }
    }

    /**
     * Applies update number {@code t} (1-based) to every parameter. Temporary tensors created here belong to the
     * caller's batch scope.
     * @param t The step number, starting at 1.
     */
    protected abstract void update(int t);

    /**
     * The number of steps taken so far.
     * @return The step count.
     */
    public int steps() {
        return steps;
    }

    /**
     * Allocates one zero-filled state tensor per parameter, kept until the optimiser is closed.
     * @return The state tensors, aligned with {@link #parameters}.
     */
    protected final NDArray[] newState() {
        NDArray[] state = new NDArray[parameters.size()];
        for (int i = 0; i < state.length; i++) {
            state[i] = stateManager.zeros(parameters.get(i).shape());
            NDScope.unregister(state[i]);
        }
        return state;
    }

    /**
     * The current gradient of a parameter (zeros if it took no part in the forward pass).
     * @param parameter The parameter.
     * @return Its gradient; the caller's batch scope frees the handle.
     */
    protected static NDArray gradient(Parameter parameter) {
        return parameter.array().getGradient();
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
