package org.tribuoadapt.peft;

import ai.djl.ndarray.NDManager;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * What an {@link AdapterSpec} needs to build the module of one adapter at one target: the adapter's name, the
 * network's memory, the adapter's seed, the tensors it shares between targets (VeRA's projections) and values computed
 * once for all its targets (aTLAS's fine-tuned weight files). One context serves one addition of an adapter.
 */
public final class AdapterContext {

    private final String adapterName;
    private final NDManager manager;
    private final long seed;
    private final Map<String, Parameter> sharedTensors;
    private final Map<String, Object> computed = new HashMap<>();

    /**
     * Creates a context.
     * @param adapterName The adapter's name.
     * @param manager The network's manager; module parameters live there.
     * @param seed The adapter's initialisation seed.
     * @param sharedTensors The adapter's shared tensors by PEFT name (empty for most methods).
     */
    public AdapterContext(String adapterName, NDManager manager, long seed, Map<String, Parameter> sharedTensors) {
        this.adapterName = adapterName;
        this.manager = manager;
        this.seed = seed;
        this.sharedTensors = Map.copyOf(sharedTensors);
    }

    /** @return The adapter's name. */
    public String adapterName() {
        return adapterName;
    }

    /** @return The memory module parameters are allocated in. */
    public NDManager manager() {
        return manager;
    }

    /**
     * The random stream for the module at a target: it depends only on the adapter's seed and the target's path, so
     * a module's initial values do not depend on which other layers are targeted.
     * @param target The target.
     * @return A fresh stream.
     */
    public SplittableRandom streamFor(TargetLayer target) {
        return Network.streamFor(seed, target.path());
    }

    /**
     * A tensor shared between the adapter's targets.
     * @param name Its PEFT name, e.g. {@code vera_A}.
     * @return The tensor.
     * @throws IllegalStateException if the adapter has no such shared tensor.
     */
    public Parameter sharedTensor(String name) {
        Parameter p = sharedTensors.get(name);
        if (p == null) {
            throw new IllegalStateException("adapter '" + adapterName + "' has no shared tensor '" + name + "'; it has "
                    + sharedTensors.keySet());
        }
        return p;
    }

    /**
     * A value computed at the first request and returned again to the modules of the other targets, for inputs that
     * are expensive to read, such as files the spec names. It lives as long as this context, while the adapter is
     * built.
     * @param key What the value is; one key per kind of value.
     * @param compute Computes the value; not called again once it has returned.
     * @param <T> The value's type.
     * @return The value.
     */
    @SuppressWarnings("unchecked")
    public <T> T computeOnce(String key, Supplier<T> compute) {
        if (!computed.containsKey(key)) {
            computed.put(key, compute.get());
        }
        return (T) computed.get(key);
    }
}
