package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

import java.util.ArrayList;
import java.util.List;

/**
 * A native-memory scope for one attack step: everything the step allocates (the forward pass's activations, the
 * gradient) is freed when it closes, except the arrays it {@link #keep}s, which move to the enclosing scope.
 */
public final class StepScope implements AutoCloseable {

    private final NDScope scope = new NDScope();
    private final List<NDArray> kept = new ArrayList<>();

    /**
     * Keeps an array beyond this step.
     * @param array The array.
     * @return The same array.
     */
    public NDArray keep(NDArray array) {
        NDScope.unregister(array);
        kept.add(array);
        return array;
    }

    @Override
    public void close() {
        scope.close();
        for (NDArray array : kept) {
            NDScope.register(array);
        }
    }
}
