package org.tribuoadapt.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A targeted layer with its adapters (PEFT's tuner layer): the frozen base layer as child {@value #BASE}, and one
 * {@link AdapterModule} per adapter, as a child named after the adapter. The forward pass runs the base layer on the
 * input (as changed by the active modules' {@link AdapterModule#transformInput}; through the one active module that
 * {@link AdapterModule#runsBase runs it}, if any) and lets each active module change the result in turn; when the
 * adapters are disabled or merged, only the base layer runs.
 * <p>
 * Merging folds the active modules into the base weight and bias in place, as the forward pass computes: first every
 * module's input transform (the last active module's first, since the base layer sees the input as all of them
 * changed it in order), then each module in order against the {@link MergeBase} (the base layer the forward pass
 * runs), so that the merged layer equals the unmerged stack for any adapters in any order. The previous values are
 * kept so that unmerging restores them exactly (PEFT subtracts the delta again, which is inexact for IA3 and DoRA).
 */
public final class AdaptedLayer extends LayerWrapper {

    /** The child name of the frozen base layer, as in PEFT. */
    public static final String BASE = "base_layer";

    private final TargetLayer target;
    private final Map<String, AdapterModule> modules = new LinkedHashMap<>();
    private List<AdapterModule> active = Collections.emptyList();
    private boolean enabled = true;
    private NDManager savedWeights;
    private NDArray savedWeight;
    private NDArray savedBias;

    private AdaptedLayer(TargetLayer target) {
        this.target = target;
    }

    /**
     * Wraps a target of a network in place: the wrapper takes the target's path and the layer at that path becomes its
     * child {@value #BASE} (the target itself, or the {@link FrozenStatistics} wrapper of a BatchNorm target, which
     * keeps running it with its running statistics).
     * @param network The network.
     * @param target The base layer's view.
     * @return The wrapper, without adapters yet.
     */
    static AdaptedLayer install(Network network, TargetLayer target) {
        return install(network, target.path(), new AdaptedLayer(target), BASE);
    }

    /**
     * A wrapper of the same target holding every adapter but one, to put in this one's place.
     * @param adapterName The adapter to leave out.
     * @return The new wrapper.
     */
    AdaptedLayer without(String adapterName) {
        AdaptedLayer rebuilt = new AdaptedLayer(target);
        rebuilt.attach(BASE, base());
        for (Map.Entry<String, AdapterModule> m : modules.entrySet()) {
            if (!m.getKey().equals(adapterName)) {
                rebuilt.addModule(m.getKey(), m.getValue());
            }
        }
        return rebuilt;
    }

    /** @return The base layer's view. */
    public TargetLayer target() {
        return target;
    }

    /** @return The child that runs the base layer: the target, or its {@link FrozenStatistics} wrapper. */
    Layer base() {
        return child(BASE);
    }

    /**
     * Adds the module of a new adapter.
     * @param adapterName The adapter's name; it becomes the child's name.
     * @param module The module.
     */
    public void addModule(String adapterName, AdapterModule module) {
        attach(adapterName, module);
        modules.put(adapterName, module);
    }

    /**
     * The adapters' modules at this layer.
     * @return An unmodifiable map from adapter name to module.
     */
    public Map<String, AdapterModule> modules() {
        return Collections.unmodifiableMap(modules);
    }

    /**
     * Sets which adapters run, in order; names without a module here are ignored.
     * @param adapterNames The active adapters.
     */
    public void setActive(List<String> adapterNames) {
        List<AdapterModule> selected = new ArrayList<>();
        for (String name : adapterNames) {
            AdapterModule m = modules.get(name);
            if (m != null) {
                selected.add(m);
            }
        }
        this.active = selected;
    }

    /**
     * Enables or disables every adapter at this layer (the base layer alone runs when disabled).
     * @param enabled True to run the active adapters.
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** @return True if the active adapters are folded into the base weight. */
    public boolean isMerged() {
        return savedWeights != null;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        Layer base = child(BASE);
        if (isMerged() || !enabled || active.isEmpty()) {
            return base.apply(input, context);
        }
        NDArray x = input;
        for (AdapterModule m : active) {
            x = m.transformInput(x, context);
        }
        NDArray baseOutput = baseRunner().runBase(base, x, context);
        NDArray output = baseOutput;
        for (AdapterModule m : active) {
            output = m.adapt(input, baseOutput, output, context);
        }
        return output;
    }

    /**
     * The active module that runs the base layer, or the first active module (which runs it as it is).
     * @throws IllegalStateException if two active modules change how the base layer runs.
     */
    private AdapterModule baseRunner() {
        AdapterModule runner = null;
        for (Map.Entry<String, AdapterModule> m : modules.entrySet()) {
            if (active.contains(m.getValue()) && m.getValue().runsBase()) {
                if (runner != null) {
                    throw new IllegalStateException("two active adapters at layer '" + path() + "' change how its base "
                            + "layer runs (prefix tuning); activate one of them at a time, found " + runner.describe()
                            + " and " + m.getValue().describe());
                }
                runner = m.getValue();
            }
        }
        return runner != null ? runner : active.get(0);
    }

    /**
     * Folds the active adapters into the base weight and bias, keeping the previous values. Does nothing when already
     * merged, disabled or without active adapters.
     */
    public void merge() {
        if (isMerged() || !enabled || active.isEmpty()) {
            return;
        }
        try (GradientMode ignored = GradientMode.disabled()) {
            savedWeights = target.weight().array().getManager().newSubManager();
            savedWeight = keep(target.weight().array());
            savedBias = target.bias() == null ? null : keep(target.bias().array());
            try (NDScope scope = new NDScope()) {
                // the base layer sees T_n(...T_1(x)): fold the last input transform first, so W' = W M_n ... M_1
                for (int i = active.size() - 1; i >= 0; i--) {
                    active.get(i).mergeInputTransform();
                }
                MergeBase base = new MergeBase(savedWeight, target.weight().array().duplicate(), savedBias,
                        target.bias() == null ? null : target.bias().array().duplicate());
                for (AdapterModule m : active) {
                    m.mergeIntoTarget(base);
                }
            }
        }
    }

    private NDArray keep(NDArray array) {
        NDArray copy = array.duplicate();
        copy.attach(savedWeights);
        NDScope.unregister(copy);
        return copy;
    }

    /**
     * Restores the base weight and bias saved by {@link #merge()}. Does nothing when not merged.
     */
    public void unmerge() {
        if (!isMerged()) {
            return;
        }
        target.weight().copyFrom(savedWeight);
        if (savedBias != null) {
            target.bias().copyFrom(savedBias);
        }
        savedWeights.close();
        savedWeights = null;
        savedWeight = null;
        savedBias = null;
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        return target.layer().outputShape(inputShape);
    }

    @Override
    public String describe() {
        return "Adapted(" + target.layer().describe() + ", adapters " + modules.keySet() + ")";
    }
}
