package org.tribuoadapt.peft;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.BatchNorm;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.core.train.TrainingPlan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A network with named adapters: the machinery PEFT's {@code BaseTuner} and {@code PeftModel} write once for every
 * method. It resolves an adapter's targets, wraps each target in an {@link AdaptedLayer} holding the adapter's
 * {@link AdapterModule}, makes trainable copies of the modules to save, freezes everything that is not being
 * trained, switches adapters on and off, merges them into the base weights and back, and counts parameters. Reading
 * and writing an adapter's tensors under PEFT's names ({@code base_model.model.<layer>.<tensor>}) is
 * {@link AdapterStateDict}'s job.
 * <p>
 * Wrapping keeps every layer's path, so targets, file keys and the base network's parameter names stay those of the
 * plain network. Base BatchNorm layers run with their running statistics during training
 * ({@link FrozenStatistics}), so the base network is exactly unchanged by adapter training.
 * <p>
 * Not thread-safe for changes; inference from several threads is safe once configured.
 */
public final class PeftNetwork implements AutoCloseable {

    /** PEFT's key prefix for tensors of the wrapped model's modules. */
    public static final String MODEL_PREFIX = "base_model.model.";
    /** PEFT's key prefix for tensors the tuner itself holds (VeRA's shared projections). */
    public static final String TUNER_PREFIX = "base_model.";

    private final Network network;
    private final Map<String, Layer> baseLayers;
    private final Map<String, Parameter> baseParameters;
    private final String outputLayer;
    private final Map<String, Entry> adapters = new LinkedHashMap<>();
    private List<String> active = Collections.emptyList();
    private boolean enabled = true;
    private boolean merged;
    private String trainableAdapter;

    private PeftNetwork(Network network) {
        this.network = network;
        this.baseLayers = network.layers();
        this.baseParameters = network.parameters();
        this.outputLayer = AdapterTargets.lastLinear(baseLayers);
        for (Map.Entry<String, Layer> e : baseLayers.entrySet()) {
            if (e.getValue() instanceof BatchNorm) {
                FrozenStatistics.install(network, e.getKey());
            }
        }
        applyTrainability();
    }

    /**
     * Takes over a plain network (for example {@code NetworkModel.newNetwork()}): every weight is frozen until an
     * adapter is made trainable. The network is closed with this object.
     * @param network A network without adapters.
     * @return The adapted network.
     */
    public static PeftNetwork wrap(Network network) {
        for (Layer layer : network.layers().values()) {
            if (layer instanceof AdaptedLayer || layer instanceof ModulesToSaveLayer || layer instanceof FrozenStatistics) {
                throw new IllegalArgumentException("the network already has adapters (layer '" + layer.path() + "')");
            }
        }
        return new PeftNetwork(network);
    }

    /** @return The underlying network, for forward passes and training. */
    public Network network() {
        return network;
    }

    /**
     * The base network's layers by path, in forward order, as they were before any wrapping.
     * @return An unmodifiable map.
     */
    public Map<String, Layer> baseLayers() {
        return Collections.unmodifiableMap(baseLayers);
    }

    /** @return The output layer's path (the last Linear layer), or null. */
    public String outputLayer() {
        return outputLayer;
    }

    /** @return The base network's output width. */
    public int baseOutputs() {
        return Math.toIntExact(network.outputShape().get(network.outputShape().dimension() - 1));
    }

    /**
     * Adds a named adapter: resolves its targets, builds its modules and the copies of its modules to save. The
     * adapter is not activated and its parameters stay frozen until {@link #setTrainable} names it.
     * @param name The adapter's name (no dots).
     * @param spec The method's configuration.
     * @param numOutputs The width of the output layer's copy, when the adapter saves the output layer; if it differs
     * from the base network's, the copy is a fresh layer of that width (a new head for other classes).
     * @param seed The seed of the adapter's initial values.
     * @throws IllegalArgumentException for a bad name, an unknown target or module to save (listing the layers), a
     * layer kind the method cannot wrap, or a conflict with another adapter.
     * @throws IllegalStateException if the adapters are merged.
     */
    public void addAdapter(String name, AdapterSpec spec, int numOutputs, long seed) {
        checkNewName(name);
        requireUnmerged("add an adapter");
        List<String> targets = spec.targets().resolve(baseLayers);
        List<String> saved = resolveModulesToSave(spec.modulesToSave());
        List<TargetLayer> views = new ArrayList<>();
        for (String path : targets) {
            TargetLayer view = TargetLayer.of(path, baseLayers);
            if (!spec.supports(view.kind())) {
                throw new IllegalArgumentException("layer '" + path + "' (" + view.layer().describe() + ") matches the targets "
                        + spec.targets().describe() + " but " + spec.peftType() + " cannot adapt a " + view.kind() + " layer");
            }
            Layer current = network.layer(path);
            if (current instanceof ModulesToSaveLayer) {
                throw new IllegalArgumentException("layer '" + path + "' is trained fully by another adapter and cannot be "
                        + "targeted");
            }
            views.add(view);
        }
        requireNotNested(targets, saved);
        for (String path : saved) {
            if (network.layer(path) instanceof AdaptedLayer) {
                throw new IllegalArgumentException("module to save '" + path + "' is targeted by another adapter");
            }
        }
        Map<String, Parameter> shared = new LinkedHashMap<>();
        Map<TargetLayer, AdapterModule> modules = new LinkedHashMap<>();
        Map<String, Layer> copies = new LinkedHashMap<>();
        // build everything first, so that a failure (a rank PiSSA cannot take, say) leaves the network as it was
        try (GradientMode ignored = GradientMode.disabled()) {
            shared.putAll(spec.createSharedTensors(views, network.manager(), seed));
            AdapterContext context = new AdapterContext(name, network.manager(), seed, shared);
            for (TargetLayer view : views) {
                modules.put(view, spec.createModule(view, context));
            }
            for (String path : saved) {
                Layer base = baseLayers.get(path);
                copies.put(path, path.equals(outputLayer) && numOutputs != baseOutputs()
                        ? LayerCopies.resizedOutput((Linear) base, network.manager(), numOutputs, Network.streamFor(seed, path))
                        : LayerCopies.copy(path, base, network.manager()));
            }
        } catch (RuntimeException e) {
            for (AdapterModule module : modules.values()) {
                module.restoreTarget();
                closeParameters(module);
            }
            copies.values().forEach(PeftNetwork::closeParameters);
            shared.values().forEach(p -> p.array().close());
            throw e;
        }
        for (Map.Entry<TargetLayer, AdapterModule> m : modules.entrySet()) {
            Layer current = network.layer(m.getKey().path());
            AdaptedLayer adapted = current instanceof AdaptedLayer ? (AdaptedLayer) current : AdaptedLayer.install(network, m.getKey());
            adapted.addModule(name, m.getValue());
        }
        for (Map.Entry<String, Layer> c : copies.entrySet()) {
            Layer current = network.layer(c.getKey());
            ModulesToSaveLayer holder = current instanceof ModulesToSaveLayer ? (ModulesToSaveLayer) current
                    : ModulesToSaveLayer.install(network, c.getKey());
            holder.addCopy(name, c.getValue());
        }
        adapters.put(name, new Entry(spec, targets, saved, shared));
        refreshSelection();
        applyTrainability();
    }

    /**
     * Checks an adapter name: it becomes a layer name, so it must be non-empty, without dots, and not one of the
     * wrappers' own child names.
     * @param name The name.
     * @throws IllegalArgumentException if it cannot be used.
     */
    public static void validateName(String name) {
        if (name == null || name.isEmpty() || name.contains(".") || name.equals(AdaptedLayer.BASE)
                || name.equals(ModulesToSaveLayer.ORIGINAL)) {
            throw new IllegalArgumentException("an adapter name must be non-empty, contain no dots and not be '"
                    + AdaptedLayer.BASE + "' or '" + ModulesToSaveLayer.ORIGINAL + "', found '" + name + "'");
        }
    }

    private void checkNewName(String name) {
        validateName(name);
        if (adapters.containsKey(name)) {
            throw new IllegalArgumentException("an adapter named '" + name + "' already exists; adapters are "
                    + adapters.keySet());
        }
    }

    private List<String> resolveModulesToSave(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String name : names) {
            List<String> found = new ArrayList<>();
            for (String path : baseLayers.keySet()) {
                if (AdapterTargets.matchesList(List.of(name), path)) {
                    found.add(path);
                }
            }
            if (found.isEmpty()) {
                throw new IllegalArgumentException("module to save '" + name + "' not found; layers are: "
                        + String.join(", ", baseLayers.keySet()));
            }
            for (String path : found) {
                if (!out.contains(path)) {
                    out.add(path);
                }
            }
        }
        return out;
    }

    /**
     * Refuses a new adapter's target or module to save inside or around a layer that it or another adapter wraps (a
     * residual branch holds Linear layers): the outer wrapper would move the inner layer's path.
     */
    private void requireNotNested(List<String> targets, List<String> saved) {
        Map<String, String> wrappedBy = new LinkedHashMap<>();
        for (Map.Entry<String, Entry> e : adapters.entrySet()) {
            e.getValue().targets.forEach(p -> wrappedBy.put(p, "adapter '" + e.getKey() + "'"));
            e.getValue().saved.forEach(p -> wrappedBy.put(p, "adapter '" + e.getKey() + "'"));
        }
        List<String> paths = new ArrayList<>(targets);
        paths.addAll(saved);
        for (String path : paths) {
            for (Map.Entry<String, String> other : wrappedBy.entrySet()) {
                if (path.startsWith(other.getKey() + ".") || other.getKey().startsWith(path + ".")) {
                    throw new IllegalArgumentException("layer '" + path + "' is inside or around layer '" + other.getKey()
                            + "', which " + other.getValue() + " wraps; adapters cannot be nested");
                }
            }
            wrappedBy.putIfAbsent(path, "the new adapter");
        }
    }

    private void requireUnmerged(String action) {
        if (merged) {
            throw new IllegalStateException("cannot " + action + " while adapters are merged; unmerge first");
        }
    }

    private Entry entry(String name) {
        Entry e = adapters.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no adapter named '" + name + "'; adapters are " + adapters.keySet());
        }
        return e;
    }

    /**
     * Deletes an adapter: its modules, copies and shared tensors are freed, and a target left without modules is
     * unwrapped back to its base layer. A method that changed the base weight (PiSSA) restores it.
     * @param name The adapter.
     */
    public void deleteAdapter(String name) {
        Entry e = entry(name);
        requireUnmerged("delete an adapter");
        for (String path : e.targets) {
            AdaptedLayer adapted = (AdaptedLayer) network.layer(path);
            AdapterModule module = adapted.modules().get(name);
            module.restoreTarget();
            closeParameters(module);
            network.replaceLayer(path, adapted.modules().size() > 1 ? adapted.without(name) : adapted.base());
        }
        for (String path : e.saved) {
            ModulesToSaveLayer holder = (ModulesToSaveLayer) network.layer(path);
            closeParameters(holder.copies().get(name));
            network.replaceLayer(path, holder.copies().size() > 1 ? holder.without(name) : holder.original());
        }
        for (Parameter p : e.shared.values()) {
            p.array().close();
        }
        adapters.remove(name);
        List<String> stillActive = new ArrayList<>(active);
        stillActive.remove(name);
        active = List.copyOf(stillActive);
        if (name.equals(trainableAdapter)) {
            trainableAdapter = null;
        }
        refreshSelection();
        applyTrainability();
    }

    private static void closeParameters(Layer layer) {
        for (Parameter p : layer.parameters().values()) {
            p.array().close();
        }
        for (Layer child : layer.children().values()) {
            closeParameters(child);
        }
    }

    /** @return The adapters' names, in the order they were added. */
    public List<String> adapterNames() {
        return List.copyOf(adapters.keySet());
    }

    /**
     * An adapter's configuration.
     * @param name The adapter.
     * @return Its spec.
     */
    public AdapterSpec spec(String name) {
        return entry(name).spec;
    }

    /**
     * The layers an adapter wraps.
     * @param name The adapter.
     * @return Their paths, in forward order.
     */
    public List<String> targets(String name) {
        return entry(name).targets;
    }

    /**
     * The layers an adapter trains fully.
     * @param name The adapter.
     * @return Their paths.
     */
    public List<String> modulesToSave(String name) {
        return entry(name).saved;
    }

    /**
     * An adapter's modules.
     * @param name The adapter.
     * @return Modules by target path, in forward order.
     */
    public Map<String, AdapterModule> modules(String name) {
        Map<String, AdapterModule> out = new LinkedHashMap<>();
        for (String path : entry(name).targets) {
            out.put(path, ((AdaptedLayer) network.layer(path)).modules().get(name));
        }
        return out;
    }

    /**
     * The rank of an adapter's module at each target, as recorded in provenance.
     * @param name The adapter.
     * @return Ranks by target path.
     */
    public Map<String, Integer> ranks(String name) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Map.Entry<String, AdapterModule> e : modules(name).entrySet()) {
            out.put(e.getKey(), e.getValue().rank());
        }
        return out;
    }

    /**
     * Sets the adapters that run, in order. Two active adapters may not both train the same module to save.
     * @param names The adapters to activate; empty runs the base network.
     * @throws IllegalArgumentException for an unknown adapter or a module-to-save conflict.
     */
    public void setActiveAdapters(List<String> names) {
        requireUnmerged("change the active adapters");
        Map<String, String> savedBy = new LinkedHashMap<>();
        for (String name : names) {
            for (String path : entry(name).saved) {
                String other = savedBy.putIfAbsent(path, name);
                if (other != null) {
                    throw new IllegalArgumentException("adapters '" + other + "' and '" + name + "' both train module '"
                            + path + "'; activate only one of them");
                }
            }
        }
        active = List.copyOf(names);
        refreshSelection();
    }

    /** @return The active adapters, in order. */
    public List<String> activeAdapters() {
        return active;
    }

    /**
     * Switches every adapter off (the base network runs) or on again.
     * @param enabled False to disable the adapters.
     */
    public void setAdaptersEnabled(boolean enabled) {
        requireUnmerged("enable or disable adapters");
        this.enabled = enabled;
        refreshSelection();
    }

    /** @return False when the adapters are disabled. */
    public boolean adaptersEnabled() {
        return enabled;
    }

    private void refreshSelection() {
        for (Layer layer : network.layers().values()) {
            if (layer instanceof AdaptedLayer) {
                AdaptedLayer adapted = (AdaptedLayer) layer;
                adapted.setActive(active);
                adapted.setEnabled(enabled);
            } else if (layer instanceof ModulesToSaveLayer) {
                ((ModulesToSaveLayer) layer).select(active, enabled);
            }
        }
    }

    /**
     * Makes one adapter's parameters and its modules to save trainable and freezes every other weight.
     * @param name The adapter to train, or null to freeze everything.
     */
    public void setTrainable(String name) {
        if (name != null) {
            entry(name);
        }
        trainableAdapter = name;
        applyTrainability();
    }

    private void applyTrainability() {
        network.freezeAll();
        if (trainableAdapter == null) {
            return;
        }
        Entry e = adapters.get(trainableAdapter);
        for (AdapterModule module : modules(trainableAdapter).values()) {
            unfreeze(module);
        }
        for (String path : e.saved) {
            unfreeze(((ModulesToSaveLayer) network.layer(path)).copies().get(trainableAdapter));
        }
    }

    private static void unfreeze(Layer layer) {
        for (Parameter p : layer.parameters().values()) {
            if (p.kind() == Parameter.Kind.WEIGHT) {
                p.setTrainable(true);
            }
        }
        for (Layer child : layer.children().values()) {
            unfreeze(child);
        }
    }

    /**
     * Creates the optimiser of an adapter being trained: the trainer's optimiser over the network's trainable
     * parameters, except those the adapter's method optimises itself ({@link AdapterSpec#separatelyOptimised},
     * SoRA's gates), which get the method's own optimiser, and as the method adapts it
     * ({@link AdapterSpec#adaptOptimiser}, ALLoRA's per-row rates). Closing the result closes both.
     * @param name The adapter being trained (made trainable with {@link #setTrainable}).
     * @param factory The trainer's optimiser.
     * @param plan The training run.
     * @return The optimiser.
     */
    public NetworkOptimiser createOptimiser(String name, OptimiserFactory factory, TrainingPlan plan) {
        AdapterSpec spec = spec(name);
        List<AdapterModule> adapterModules = List.copyOf(modules(name).values());
        List<Parameter> own = spec.separatelyOptimised(adapterModules);
        if (own.isEmpty()) {
            return spec.adaptOptimiser(factory.create(network.trainableParameters(), plan), adapterModules);
        }
        Set<Parameter> separate = Collections.newSetFromMap(new IdentityHashMap<>());
        separate.addAll(own);
        List<Parameter> rest = new ArrayList<>();
        for (Parameter p : network.trainableParameters()) {
            if (!separate.contains(p)) {
                rest.add(p);
            }
        }
        NetworkOptimiser trainer = factory.create(rest, plan);
        return spec.adaptOptimiser(new SplitOptimiser(trainer, spec.separateOptimiser(own, plan, trainer.learningRate())),
                adapterModules);
    }

    /**
     * Adds the training penalty of an adapter's method ({@link AdapterSpec#trainingPenalty}, SoRA's L1 term on its
     * gates) to an objective.
     * @param name The adapter being trained.
     * @param objective The objective.
     * @return The objective plus the penalty, if the method has one.
     */
    public BatchObjective withPenalty(String name, BatchObjective objective) {
        AdapterSpec spec = spec(name);
        List<AdapterModule> adapterModules = List.copyOf(modules(name).values());
        return new BatchObjective() {
            @Override
            public NDArray loss(Network net, NDArray features, NDArray labels, ForwardContext context) {
                NDArray loss = objective.loss(net, features, labels, context);
                return spec.trainingPenalty(adapterModules).map(loss::add).orElse(loss);
            }

            @Override
            public NDArray prepareInputs(Network net, NDArray features, NDArray labels, ForwardContext context) {
                return objective.prepareInputs(net, features, labels, context);
            }
        };
    }

    /**
     * Trains an adapter's trainable parameters in place with {@link #createOptimiser} and {@link #withPenalty}.
     * @param name The adapter being trained (made trainable with {@link #setTrainable}).
     * @param loop The training loop.
     * @param factory The trainer's optimiser.
     * @param train The training data.
     * @param validation Validation data for early stopping, or null.
     * @param objective The objective before the method's penalty.
     * @param rng The run's random stream.
     * @param listener Progress callbacks.
     * @return The history.
     */
    public TrainingHistory train(String name, TrainingLoop loop, OptimiserFactory factory, TensorDataset train,
                                 TensorDataset validation, BatchObjective objective, SplittableRandom rng,
                                 TrainingListener listener) {
        TrainingPlan plan = new TrainingPlan(network.countWeights(true), network.countWeights(false), train.size(),
                train.exampleShape().size(), loop.batchSize(), loop.epochs());
        try (NetworkOptimiser optimiser = createOptimiser(name, factory, plan)) {
            return loop.fit(network, optimiser, train, validation, withPenalty(name, objective), rng, listener);
        }
    }

    /**
     * Counts trainable and all weights as PEFT does.
     * @return The summary.
     */
    public TrainableSummary trainableSummary() {
        return new TrainableSummary(network.countWeights(true), network.countWeights(false));
    }

    /**
     * Folds the active adapters into the base weights (PEFT's {@code merge_adapter}); the forward pass then runs only
     * base layers (and the active copies of modules to save). Does nothing if already merged.
     * @throws IllegalStateException naming the adapter if an active adapter cannot be merged (a bottleneck adapter,
     * which is non-linear); nothing is merged then.
     */
    public void merge() {
        if (merged) {
            return;
        }
        if (enabled) {
            for (String name : active) {
                Optional<String> reason = adapters.get(name).spec.unmergeableReason();
                if (reason.isPresent()) {
                    throw new IllegalStateException("adapter '" + name + "' cannot be merged into the base weights: "
                            + reason.get() + "; keep it unmerged, or deactivate it before merging");
                }
            }
        }
        for (Layer layer : network.layers().values()) {
            if (layer instanceof AdaptedLayer) {
                ((AdaptedLayer) layer).merge();
            }
        }
        merged = true;
    }

    /**
     * Restores the base weights saved by {@link #merge()} exactly (PEFT's {@code unmerge_adapter}).
     */
    public void unmerge() {
        for (Layer layer : network.layers().values()) {
            if (layer instanceof AdaptedLayer) {
                ((AdaptedLayer) layer).unmerge();
            }
        }
        merged = false;
    }

    /** @return True while merged. */
    public boolean isMerged() {
        return merged;
    }

    /**
     * The weights of the plain network that computes what this one computes now: active adapters merged, the active
     * copies of modules to save in place of the originals, under the base network's parameter names. This is
     * PEFT's {@code merge_and_unload}; the adapters themselves are left as they were.
     * @return The state dict, in the base network's order.
     */
    public Map<String, TensorData> mergedStateDict() {
        boolean mergedHere = !merged;
        merge();
        try {
            Map<String, TensorData> out = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : baseParameters.entrySet()) {
                out.put(e.getKey(), Network.toTensorData(currentParameter(e.getKey(), e.getValue()).array()));
            }
            return out;
        } finally {
            if (mergedHere) {
                unmerge();
            }
        }
    }

    private Parameter currentParameter(String name, Parameter base) {
        int dot = name.lastIndexOf('.');
        String path = dot < 0 ? "" : name.substring(0, dot);
        Layer layer = baseLayers.containsKey(path) ? network.layer(path) : null;
        if (layer instanceof ModulesToSaveLayer) {
            return ((ModulesToSaveLayer) layer).current().parameter(name.substring(dot + 1));
        }
        return base;
    }

    /**
     * The width of the output the network currently produces (a copy of the output layer may be wider or narrower
     * than the base's).
     * @return The number of outputs.
     */
    public int currentOutputs() {
        if (outputLayer != null && network.layer(outputLayer) instanceof ModulesToSaveLayer) {
            Layer current = ((ModulesToSaveLayer) network.layer(outputLayer)).current();
            return ((Linear) current).outFeatures();
        }
        return baseOutputs();
    }

    /**
     * An adapter's tensors under PEFT's names: {@code base_model.model.<layer>.<tensor>} for module tensors and
     * modules to save, {@code base_model.<tensor>} for shared tensors (unless the spec does not save them). These are
     * the contents of {@code adapter_model.safetensors}.
     * @param name The adapter.
     * @return Tensors by key, in forward order.
     */
    public Map<String, TensorData> adapterTensors(String name) {
        return new AdapterStateDict(this, name).tensors();
    }

    /**
     * Loads an adapter's tensors (from a PEFT file, or saved by {@link #adapterTensors}) after checking every name
     * and shape. Shared tensors may be absent (they are then those the spec generated from its seed).
     * @param name The adapter.
     * @param tensors Tensors by PEFT key.
     * @throws IllegalArgumentException naming the module and both shapes on a shape mismatch, or listing missing and
     * unexpected tensors; nothing is changed when the check fails.
     */
    public void loadAdapterTensors(String name, Map<String, TensorData> tensors) {
        new AdapterStateDict(this, name).load(tensors);
    }

    /**
     * The tensors an adapter shares between its modules (VeRA's projections).
     * @param name The adapter.
     * @return Shared tensors by PEFT name, without the {@link #TUNER_PREFIX}.
     */
    Map<String, Parameter> sharedTensors(String name) {
        return Collections.unmodifiableMap(entry(name).shared);
    }

    @Override
    public void close() {
        network.close();
    }

    @Override
    public String toString() {
        return "PeftNetwork(adapters=" + adapters.keySet() + ", active=" + active + (enabled ? "" : ", disabled")
                + (merged ? ", merged" : "") + ")\n" + network;
    }

    /** What the network knows about one adapter. */
    private static final class Entry {
        final AdapterSpec spec;
        final List<String> targets;
        final List<String> saved;
        final Map<String, Parameter> shared;

        Entry(AdapterSpec spec, List<String> targets, List<String> saved, Map<String, Parameter> shared) {
            this.spec = spec;
            this.targets = List.copyOf(targets);
            this.saved = List.copyOf(saved);
            this.shared = new LinkedHashMap<>(shared);
        }
    }
}
