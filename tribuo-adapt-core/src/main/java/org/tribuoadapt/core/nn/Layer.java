package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A building block of a {@link Network}, the counterpart of PyTorch's {@code nn.Module}: it owns named
 * {@link Parameter}s and named child layers, and maps an input batch to an output batch.
 * <p>
 * A layer's dotted {@link #path()} (for example {@code blocks.0.attn.qkv}) is assigned by its network and is the
 * name adapters, test-time methods and weight files use to address it. Shapes passed to {@link #outputShape} exclude
 * the batch dimension.
 */
public abstract class Layer {

    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Layer> children = new LinkedHashMap<>();
    private String path = "";

    /**
     * Runs this layer and notifies the context's observers. Composite layers call this on their children.
     * @param input The input batch.
     * @param context The forward context.
     * @return The output batch.
     */
    public final NDArray apply(NDArray input, ForwardContext context) {
        NDArray output = forward(input, context);
        context.notifyObservers(this, input, output);
        return output;
    }

    /**
     * Computes this layer's output.
     * @param input The input batch.
     * @param context The forward context.
     * @return The output batch.
     */
    protected abstract NDArray forward(NDArray input, ForwardContext context);

    /**
     * The shape of one output example for one input example of the given shape.
     * @param inputShape The input shape without the batch dimension.
     * @return The output shape without the batch dimension.
     * @throws IllegalArgumentException if this layer cannot take that input.
     */
    public abstract Shape outputShape(Shape inputShape);

    /**
     * Draws fresh initial values for this layer's own parameters (not its children's), like PyTorch's
     * {@code reset_parameters}. Layers without parameters keep the default no-op.
     * @param rng The random stream for this layer, derived from the network seed and the layer's path.
     */
    protected void resetParameters(SplittableRandom rng) {}

    /**
     * A short human-readable description, e.g. {@code Linear(784 -> 512)}.
     * @return The description.
     */
    public String describe() {
        return getClass().getSimpleName();
    }

    /**
     * The dotted path of this layer in its network; empty for the root.
     * @return The path.
     */
    public String path() {
        return path;
    }

    void assignPath(String newPath) {
        this.path = newPath;
        for (Map.Entry<String, Layer> child : children.entrySet()) {
            child.getValue().assignPath(newPath.isEmpty() ? child.getKey() : newPath + "." + child.getKey());
        }
    }

    /**
     * This layer's own parameters, by local name, in registration order.
     * @return An unmodifiable view.
     */
    public Map<String, Parameter> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /**
     * Looks up one of this layer's own parameters.
     * @param name The local name.
     * @return The parameter.
     * @throws IllegalArgumentException naming the parameters that exist, if there is none by that name.
     */
    public Parameter parameter(String name) {
        Parameter p = parameters.get(name);
        if (p == null) {
            throw new IllegalArgumentException("layer '" + path + "' (" + describe() + ") has no parameter '" + name
                    + "'; its parameters are: " + parameters.keySet());
        }
        return p;
    }

    /**
     * This layer's direct children, by local name, in forward order.
     * @return An unmodifiable view.
     */
    public Map<String, Layer> children() {
        return Collections.unmodifiableMap(children);
    }

    /**
     * Creates and registers a weight.
     * @param manager The network's manager.
     * @param name The local name.
     * @param shape The shape.
     * @return The new parameter, filled with zeros.
     */
    protected final Parameter addWeight(NDManager manager, String name, Shape shape) {
        return register(new Parameter(name, Parameter.Kind.WEIGHT, manager.zeros(shape)));
    }

    /**
     * Registers a parameter created by the subclass.
     * @param parameter The parameter.
     * @return The parameter.
     */
    protected final Parameter register(Parameter parameter) {
        if (parameters.containsKey(parameter.name()) || children.containsKey(parameter.name())) {
            throw new IllegalStateException("name '" + parameter.name() + "' is already used in " + describe());
        }
        parameters.put(parameter.name(), parameter);
        return parameter;
    }

    /**
     * Registers a child layer.
     * @param name The local name (no dots).
     * @param child The child.
     * @param <L> The child's type.
     * @return The child.
     */
    protected final <L extends Layer> L addChild(String name, L child) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("a layer name must be non-empty and contain no dots, found '" + name + "'");
        }
        if (children.containsKey(name) || parameters.containsKey(name)) {
            throw new IllegalStateException("name '" + name + "' is already used in " + describe());
        }
        children.put(name, child);
        child.assignPath(path.isEmpty() ? name : path + "." + name);
        return child;
    }

    /**
     * Replaces a direct child, keeping its position in the forward order. This is how adapters wrap a layer.
     * @param name The child's local name.
     * @param replacement The new layer.
     * @return The layer that was replaced.
     */
    public Layer replaceChild(String name, Layer replacement) {
        Layer old = children.get(name);
        if (old == null) {
            throw new IllegalArgumentException("layer '" + path + "' has no child '" + name + "'; its children are: "
                    + children.keySet());
        }
        children.put(name, replacement);
        replacement.assignPath(old.path());
        return old;
    }

    /**
     * Looks up a direct child at forward time; composite layers read their children through this, so that a
     * replaced child (an adapter wrapping it) takes part in the next forward pass.
     * @param name The child's local name.
     * @return The child.
     */
    protected final Layer child(String name) {
        Layer child = children.get(name);
        if (child == null) {
            throw new IllegalStateException("layer '" + path + "' has no child '" + name + "'");
        }
        return child;
    }

    @Override
    public String toString() {
        return (path.isEmpty() ? "" : path + ": ") + describe();
    }
}
