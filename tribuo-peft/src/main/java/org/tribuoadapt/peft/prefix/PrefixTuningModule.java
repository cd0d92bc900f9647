package org.tribuoadapt.peft.prefix;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.MultiHeadSelfAttention;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.TargetLayer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The key and value prefixes of one adapter at one attention layer of width {@code d}: the attention runs with
 * {@code l} extra key and value positions before the sequence's own ({@link MultiHeadSelfAttention#attend}), which
 * every query attends to. Directly: {@code prefix_keys} and {@code prefix_values}, both {@code [l, d]}. With the
 * reparameterisation (Li and Liang 2021, section 4.3): {@code [K, V] = tanh(E W1^T + b1) W2^T + b2} from
 * {@code prefix_embedding} {@code [l, d]}, {@code prefix_transform.0.weight} {@code [h, d]} and {@code .0.bias},
 * {@code prefix_transform.2.weight} {@code [2d, h]} and {@code .2.bias}; the first {@code d} outputs are the keys.
 * The module runs the attention itself, so observers see its {@code qkv}, {@code weights} and {@code proj} children
 * but not the attention layer as a whole.
 */
public final class PrefixTuningModule extends AdapterModule {

    private final int prefixLength;
    private final int width;
    private final Map<String, Parameter> tensors = new LinkedHashMap<>();

    /**
     * Creates the prefixes of one attention layer.
     * @param target The attention layer.
     * @param manager The network's memory.
     * @param prefixLength The prefix length l.
     * @param initialStd The standard deviation of the initial prefixes or embedding.
     * @param projectionHiddenSize The reparameterisation's hidden width, or 0 for none.
     * @param rng The source of the initial values.
     * @throws IllegalArgumentException if the target is not an attention layer.
     */
    public PrefixTuningModule(TargetLayer target, NDManager manager, int prefixLength, double initialStd,
                              int projectionHiddenSize, SplittableRandom rng) {
        super(target);
        if (!(target.layer() instanceof MultiHeadSelfAttention)) {
            throw new IllegalArgumentException("prefix tuning adapts attention layers, but '" + target.path() + "' is a "
                    + target.layer().describe());
        }
        this.prefixLength = prefixLength;
        this.width = target.inFeatures();
        if (projectionHiddenSize == 0) {
            add(manager, PrefixTuningSpec.KEYS, new Shape(prefixLength, width), Initializers.normal(prefixLength * width,
                    initialStd, rng));
            add(manager, PrefixTuningSpec.VALUES, new Shape(prefixLength, width), Initializers.normal(prefixLength * width,
                    initialStd, rng));
        } else {
            int h = projectionHiddenSize;
            add(manager, PrefixTuningSpec.EMBEDDING, new Shape(prefixLength, width),
                    Initializers.normal(prefixLength * width, initialStd, rng));
            add(manager, PrefixTuningSpec.HIDDEN_WEIGHT, new Shape(h, width), Initializers.kaimingUniform(h * width, width, rng));
            add(manager, PrefixTuningSpec.HIDDEN_BIAS, new Shape(h), Initializers.kaimingUniform(h, width, rng));
            add(manager, PrefixTuningSpec.OUTPUT_WEIGHT, new Shape(2L * width, h),
                    Initializers.kaimingUniform(2 * width * h, h, rng));
            add(manager, PrefixTuningSpec.OUTPUT_BIAS, new Shape(2L * width), Initializers.kaimingUniform(2 * width, h, rng));
        }
    }

    private void add(NDManager manager, String name, Shape shape, float[] values) {
        Parameter p = addWeight(manager, name, shape);
        p.assign(values);
        tensors.put(name, p);
    }

    /** @return The keys and the values, each {@code [l, d]}. */
    private NDArray[] keysAndValues() {
        if (tensors.containsKey(PrefixTuningSpec.KEYS)) {
            return new NDArray[] {tensors.get(PrefixTuningSpec.KEYS).array(), tensors.get(PrefixTuningSpec.VALUES).array()};
        }
        NDArray hidden = TargetLayer.linear(tensors.get(PrefixTuningSpec.EMBEDDING).array(),
                tensors.get(PrefixTuningSpec.HIDDEN_WEIGHT).array(), tensors.get(PrefixTuningSpec.HIDDEN_BIAS).array()).tanh();
        NDArray both = TargetLayer.linear(hidden, tensors.get(PrefixTuningSpec.OUTPUT_WEIGHT).array(),
                tensors.get(PrefixTuningSpec.OUTPUT_BIAS).array());
        return new NDArray[] {both.get(new NDIndex(":, :{}", width)), both.get(new NDIndex(":, {}:", width))};
    }

    @Override
    public boolean runsBase() {
        return true;
    }

    /** Runs the attention with this module's prefixes. */
    @Override
    public NDArray runBase(Layer base, NDArray input, ForwardContext context) {
        NDArray[] kv = keysAndValues();
        return ((MultiHeadSelfAttention) base).attend(input, kv[0], kv[1], context);
    }

    /** The prefixes act inside the attention ({@link #runBase}); the output is left as it is. */
    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        return output;
    }

    /**
     * Always refuses: the prefixes change the attention's softmax.
     * @throws UnsupportedOperationException always.
     */
    @Override
    public void mergeIntoTarget() {
        throw new UnsupportedOperationException("the prefix at '" + target().path() + "' cannot be merged: "
                + PrefixTuningSpec.NOT_MERGEABLE);
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** @return The prefix length l. */
    @Override
    public int rank() {
        return prefixLength;
    }

    @Override
    public String describe() {
        return "PrefixTuning(l=" + prefixLength + (tensors.containsKey(PrefixTuningSpec.EMBEDDING) ? ", reparameterised)" : ")");
    }
}
