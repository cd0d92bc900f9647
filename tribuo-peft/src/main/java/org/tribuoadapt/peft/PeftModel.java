package org.tribuoadapt.peft;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.model.ModelProtos;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.model.TrainingHistoryProtos;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.provenance.ConfiguredObjects;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.peft.protos.AdapterProto;
import org.tribuoadapt.peft.protos.PeftModelProto;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.tribuoadapt.core.model.AbstractNetworkModel;
import org.tribuoadapt.core.model.LogitNetwork;

/**
 * A classifier made of a frozen base network and named adapters (PEFT's {@code PeftModel}), as an immutable Tribuo
 * {@link Model}. It predicts with the active adapters; the operations PEFT performs in place return a new model
 * here: activating, disabling, adding, loading and deleting adapters, merging them into the base weights and
 * unmerging, and combining them ({@link #addWeightedAdapter}). {@link #merge()} returns a
 * plain {@link NetworkModel} with the same outputs (PEFT's {@code merge_and_unload}), and {@link #saveAdapter} writes
 * PEFT's {@code adapter_config.json} and {@code adapter_model.safetensors}.
 * <p>
 * The model stores the base network's spec and weights and every adapter's spec and tensors; the network is built in
 * native memory on first use and freed when the model is garbage collected. Every derived model's run provenance
 * records the base weights' hash and each adapter's configuration, ranks, tensor hash and origin.
 */
public final class PeftModel extends AbstractNetworkModel {
    private static final long serialVersionUID = 1L;

    /** The protobuf serialization version. */
    public static final int CURRENT_VERSION = 0;

    private final NetworkSpec baseSpec;
    private final int baseOutputs;
    private final byte[] baseWeights;
    private final List<StoredAdapter> adapters;
    private final List<String> activeAdapters;
    private final boolean adaptersEnabled;
    private final boolean merged;
    private final TrainingHistory history;

    PeftModel(String name, ModelProvenance provenance, ImmutableFeatureMap featureIDMap,
              ImmutableOutputInfo<Label> outputIDInfo, NetworkSpec baseSpec, int baseOutputs, byte[] baseWeights,
              List<StoredAdapter> adapters, List<String> activeAdapters, boolean adaptersEnabled, boolean merged,
              TrainingHistory history) {
        super(name, provenance, featureIDMap, outputIDInfo);
        this.baseSpec = baseSpec;
        this.baseOutputs = baseOutputs;
        this.baseWeights = baseWeights.clone();
        this.adapters = List.copyOf(adapters);
        this.activeAdapters = List.copyOf(activeAdapters);
        this.adaptersEnabled = adaptersEnabled;
        this.merged = merged;
        this.history = history;
        tensorizer();
        checkBuilds();
    }

    /**
     * Starts an adapter model from a trained network, with no adapters yet; add them with {@link #loadAdapter} or
     * {@link #withAdapter}, or train one with {@link PeftTrainer#train(org.tribuo.Dataset, NetworkModel)}.
     * @param base The base network.
     * @return The model, which predicts exactly as the base.
     */
    public static PeftModel of(NetworkModel base) {
        byte[] weights = base.weightBytes();
        Map<String, Provenance> instance = new LinkedHashMap<>();
        instance.put(PeftProvenance.BASE_WEIGHTS_SHA256, new StringProvenance(
                PeftProvenance.BASE_WEIGHTS_SHA256, NetworkProvenance.sha256(weights)));
        ModelProvenance provenance = new ModelProvenance(PeftModel.class.getName(), OffsetDateTime.now(),
                base.getProvenance().getDatasetProvenance(), base.getProvenance().getTrainerProvenance(), instance);
        ImmutableOutputInfo<Label> outputs = base.getOutputIDInfo();
        return new PeftModel(base.getName() + "-peft", provenance, base.getFeatureIDMap(), outputs, base.spec(),
                outputs.size(), weights, List.of(), List.of(), true, false, base.history().orElse(null));
    }

    /**
     * An adapter model holding one trained, active adapter, for trainers of procedures built on the adapter framework
     * outside this package (LT-SFT's two phases, Ansell et al. 2022), which describe the whole procedure in the
     * provenance they give.
     * @param provenance The provenance of the training run; its run provenance describes the base and the adapter
     * (see {@link PeftProvenance}).
     * @param featureIDMap The feature domain.
     * @param outputIDInfo The label domain.
     * @param baseSpec The base network's architecture.
     * @param baseOutputs The width of the base network's output layer.
     * @param baseWeights The base network's weights as safetensors bytes.
     * @param adapterName The adapter's name.
     * @param spec The adapter's configuration.
     * @param tensors The adapter's tensors under PEFT's names.
     * @param origin How the adapter came to be.
     * @param history The training history, or null.
     * @return The model.
     * @throws IllegalArgumentException if the adapter does not fit the base.
     */
    public static PeftModel ofTrainedAdapter(ModelProvenance provenance, ImmutableFeatureMap featureIDMap,
                                             ImmutableOutputInfo<Label> outputIDInfo, NetworkSpec baseSpec, int baseOutputs,
                                             byte[] baseWeights, String adapterName, AdapterSpec spec,
                                             Map<String, TensorData> tensors, String origin, TrainingHistory history) {
        return new PeftModel("peft-model", provenance, featureIDMap, outputIDInfo, baseSpec, baseOutputs, baseWeights,
                List.of(new StoredAdapter(adapterName, spec, tensors, origin)), List.of(adapterName), true, false, history);
    }

    /**
     * Builds a new, independent network holding this model's base, adapters and state; the caller closes it.
     * @return The network.
     */
    public PeftNetwork newPeftNetwork() {
        return build();
    }

    @Override
    public Shape inputShape() {
        return baseSpec.inputShape();
    }

    /**
     * The network with this model's adapters attached as they are (unmerged unless the model is merged), so that an
     * attack or a test-time method sees exactly the network that predicts.
     * @return The computation; the caller closes it.
     */
    @Override
    public LogitNetwork newLogitNetwork() {
        return LogitNetwork.of(build().network());
    }

    /**
     * The parameters of the active adapters and of their modules to save, by state-dict name.
     * @return The names; empty without active adapters or once merged.
     */
    @Override
    public Set<String> adapterParameters() {
        Set<String> names = new TreeSet<>();
        if (merged) {
            return names;
        }
        try (PeftNetwork peft = build()) {
            for (String adapter : activeAdapters) {
                peft.setTrainable(adapter);
                peft.network().parameters().forEach((name, parameter) -> {
                    if (parameter.isTrainable()) {
                        names.add(name);
                    }
                });
            }
        }
        return names;
    }

    private PeftNetwork build() {
        PeftNetwork peft = PeftNetwork.wrap(BaseNetwork.of(baseSpec, baseOutputs, baseWeights).newNetwork());
        try {
            for (StoredAdapter a : adapters) {
                peft.addAdapter(a.name(), a.spec(), outputIDInfo.size(), 0L);
                peft.loadAdapterTensors(a.name(), a.tensors());
            }
            peft.setActiveAdapters(activeAdapters);
            peft.setAdaptersEnabled(adaptersEnabled);
            if (merged) {
                peft.merge();
            }
            if (peft.currentOutputs() != outputIDInfo.size()) {
                throw new IllegalArgumentException("with active adapters " + activeAdapters + " the network has "
                        + peft.currentOutputs() + " outputs but the model predicts " + outputIDInfo.size()
                        + " labels; activate the adapter that carries the output layer");
            }
            return peft;
        } catch (RuntimeException e) {
            peft.close();
            throw e;
        }
    }

    /** @return The base network's architecture. */
    public NetworkSpec baseSpec() {
        return baseSpec;
    }

    /** @return The base network's weights as safetensors bytes (PyTorch names). */
    public byte[] baseWeightBytes() {
        return baseWeights.clone();
    }

    /** @return The width of the base network's output layer. */
    public int baseOutputs() {
        return baseOutputs;
    }

    /** @return The adapters' names, in the order they were added. */
    public List<String> adapterNames() {
        List<String> out = new ArrayList<>();
        for (StoredAdapter a : adapters) {
            out.add(a.name());
        }
        return out;
    }

    /** @return The active adapters, in order. */
    public List<String> activeAdapters() {
        return activeAdapters;
    }

    /** @return False when every adapter is switched off. */
    public boolean adaptersEnabled() {
        return adaptersEnabled;
    }

    /** @return True when the active adapters are folded into the base weights. */
    public boolean isMerged() {
        return merged;
    }

    /** @return The history of the training run that produced the last trained adapter, if any. */
    public Optional<TrainingHistory> history() {
        return Optional.ofNullable(history);
    }

    private StoredAdapter stored(String name) {
        for (StoredAdapter a : adapters) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("no adapter named '" + name + "'; adapters are " + adapterNames());
    }

    /**
     * An adapter's configuration.
     * @param name The adapter.
     * @return Its spec.
     */
    public AdapterSpec adapterSpec(String name) {
        return stored(name).spec();
    }

    /**
     * An adapter's tensors under PEFT's names.
     * @param name The adapter.
     * @return Tensors by key.
     */
    public Map<String, TensorData> adapterTensors(String name) {
        return stored(name).tensors();
    }

    /**
     * An adapter's rank at each module.
     * @param name The adapter.
     * @return Ranks by module path.
     */
    public Map<String, Integer> ranks(String name) {
        stored(name);
        try (PeftNetwork peft = build()) {
            return peft.ranks(name);
        }
    }

    /**
     * The trainable-parameter summary PEFT prints, for training the first active adapter (nothing is trainable when
     * no adapter is active).
     * @return The summary; {@link TrainableSummary#toString()} gives PEFT's wording.
     */
    public TrainableSummary trainableSummary() {
        try (PeftNetwork fresh = build()) {
            fresh.setTrainable(activeAdapters.isEmpty() ? null : activeAdapters.get(0));
            return fresh.trainableSummary();
        }
    }

    /**
     * Activates adapters (PEFT's {@code set_adapter}); with several, they all run, in order.
     * @param names The adapters; empty runs the base network.
     * @return The new model.
     */
    public PeftModel withActiveAdapters(List<String> names) {
        requireUnmerged("change the active adapters");
        return derive(adapters, names, adaptersEnabled, false);
    }

    /**
     * Switches every adapter off, so that the base network runs (PEFT's {@code disable_adapter}), or on again.
     * @param enabled False to disable.
     * @return The new model.
     */
    public PeftModel withAdaptersEnabled(boolean enabled) {
        requireUnmerged("enable or disable adapters");
        return derive(adapters, activeAdapters, enabled, false);
    }

    /**
     * Adds an adapter from its configuration and tensors (inactive; activate it with {@link #withActiveAdapters}).
     * @param name The new adapter's name.
     * @param spec Its configuration.
     * @param tensors Its tensors under PEFT's names.
     * @return The new model.
     * @throws IllegalArgumentException if the name exists or the tensors do not fit this base.
     */
    public PeftModel withAdapter(String name, AdapterSpec spec, Map<String, TensorData> tensors) {
        return withAdapter(name, spec, tensors, "supplied as tensors");
    }

    /**
     * Adds an adapter from its configuration and tensors (inactive), recording how it was made.
     * @param name The new adapter's name.
     * @param spec Its configuration.
     * @param tensors Its tensors under PEFT's names.
     * @param origin How it came to be, for provenance (for example the combination that produced it).
     * @return The new model.
     * @throws IllegalArgumentException if the name exists or the tensors do not fit this base.
     */
    public PeftModel withAdapter(String name, AdapterSpec spec, Map<String, TensorData> tensors, String origin) {
        return withAdapter(new StoredAdapter(name, spec, tensors, origin));
    }

    PeftModel withAdapter(StoredAdapter adapter) {
        requireUnmerged("add an adapter");
        List<StoredAdapter> all = new ArrayList<>(adapters);
        all.add(adapter);
        return derive(all, activeAdapters, adaptersEnabled, false);
    }

    /**
     * Combines adapters into a new, inactive LoRA adapter (PEFT's {@code add_weighted_adapter}).
     * @param adapters The source adapters.
     * @param weights One weight per source.
     * @param newName The new adapter's name.
     * @param combination How to combine them, e.g. an {@code org.tribuoadapt.peft.combine.AdapterCombination}.
     * @return The new model.
     */
    public PeftModel addWeightedAdapter(List<String> adapters, List<Double> weights, String newName,
                                        AdapterCombiner combination) {
        StoredAdapter combined;
        try (PeftNetwork fresh = build()) {
            combined = combination.combine(fresh, adapters, weights, newName);
        }
        return withAdapter(combined);
    }

    /**
     * Adds an adapter of another adapter model trained on the same base network and labels (inactive).
     * @param other The other model.
     * @param otherName The adapter's name there.
     * @param newName Its name here.
     * @return The new model.
     * @throws IllegalArgumentException if the other model has another base network or other labels.
     */
    public PeftModel withAdapterFrom(PeftModel other, String otherName, String newName) {
        if (!java.util.Arrays.equals(baseWeights, other.baseWeights) || !baseSpec.toString().equals(other.baseSpec.toString())) {
            throw new IllegalArgumentException("adapter '" + otherName + "' was trained on another base network (weights sha256 "
                    + NetworkProvenance.sha256(other.baseWeights) + ", this model's base is " + NetworkProvenance.sha256(baseWeights) + ")");
        }
        for (Label label : outputIDInfo.getDomain()) {
            if (other.outputIDInfo.getID(label) != outputIDInfo.getID(label)) {
                throw new IllegalArgumentException("adapter '" + otherName + "' predicts the labels " + other.outputIDInfo.getDomain()
                        + " in another order or set than this model's " + outputIDInfo.getDomain());
            }
        }
        if (other.outputIDInfo.size() != outputIDInfo.size()) {
            throw new IllegalArgumentException("adapter '" + otherName + "' predicts " + other.outputIDInfo.getDomain()
                    + ", this model " + outputIDInfo.getDomain());
        }
        return withAdapter(other.stored(otherName).renamed(newName));
    }

    /**
     * Loads a PEFT adapter directory ({@code adapter_config.json} and {@code adapter_model.safetensors}, written by
     * PEFT or by {@link #saveAdapter}) as a new, inactive adapter.
     * @param name The new adapter's name.
     * @param directory The directory.
     * @return The new model.
     * @throws IOException if the files are missing or corrupt.
     * @throws IllegalArgumentException if the adapter does not fit this base, naming the module and both shapes.
     */
    public PeftModel loadAdapter(String name, Path directory) throws IOException {
        LoadedAdapter loadedAdapter = AdapterFiles.load(directory);
        return withAdapter(new StoredAdapter(name, loadedAdapter.spec(), loadedAdapter.tensors(),
                "loaded from " + directory.getFileName() + " (" + loadedAdapter.describe() + ")"));
    }

    /**
     * Deletes an adapter (PEFT's {@code delete_adapter}).
     * @param name The adapter.
     * @return The new model.
     */
    public PeftModel withoutAdapter(String name) {
        requireUnmerged("delete an adapter");
        stored(name);
        List<StoredAdapter> rest = new ArrayList<>(adapters);
        rest.removeIf(a -> a.name().equals(name));
        List<String> active = new ArrayList<>(activeAdapters);
        active.remove(name);
        return derive(rest, active, adaptersEnabled, false);
    }

    /**
     * Folds the active adapters into the base weights (PEFT's {@code merge_adapter}): predictions stay the same and
     * run at the base network's speed.
     * @return The merged model.
     */
    public PeftModel mergeAdapters() {
        return merged ? this : derive(adapters, activeAdapters, adaptersEnabled, true);
    }

    /**
     * Undoes {@link #mergeAdapters()} (PEFT's {@code unmerge_adapter}).
     * @return The unmerged model.
     */
    public PeftModel unmergeAdapters() {
        return merged ? derive(adapters, activeAdapters, adaptersEnabled, false) : this;
    }

    private void requireUnmerged(String action) {
        if (merged) {
            throw new IllegalStateException("cannot " + action + " while adapters are merged; call unmergeAdapters() first");
        }
    }

    /**
     * A plain network model computing what this model computes with its active adapters (PEFT's
     * {@code merge_and_unload}).
     * @return The merged network model, whose provenance records this model's adapters.
     */
    public NetworkModel merge() {
        Map<String, TensorData> state;
        try (PeftNetwork fresh = build()) {
            state = fresh.mergedStateDict();
        }
        byte[] weights = SafetensorsWriter.toBytes(state, Map.of("format", "pt"));
        Map<String, Provenance> instance = new LinkedHashMap<>(provenance.getInstanceProvenance().getMap());
        instance.putAll(NetworkProvenance.describeWeights(weights));
        ModelProvenance mergedProvenance = new ModelProvenance(NetworkModel.class.getName(), OffsetDateTime.now(),
                provenance.getDatasetProvenance(), provenance.getTrainerProvenance(), instance);
        return new NetworkModel(name + "-merged", mergedProvenance, featureIDMap, outputIDInfo, baseSpec, weights, history);
    }

    /**
     * Saves an adapter in PEFT's format.
     * @param name The adapter.
     * @param directory The directory to write {@code adapter_config.json} and {@code adapter_model.safetensors} to.
     * @throws IOException if the files cannot be written; nothing half-written is left.
     */
    public void saveAdapter(String name, Path directory) throws IOException {
        StoredAdapter a = stored(name);
        AdapterFiles.save(directory, a.spec(), a.tensors());
    }

    /**
     * A model with other adapters or state, sharing this model's base, domains and training provenance; its run
     * provenance describes the new adapter state.
     */
    PeftModel derive(List<StoredAdapter> newAdapters, List<String> active, boolean enabled, boolean newMerged) {
        List<String> names = new ArrayList<>();
        for (StoredAdapter a : newAdapters) {
            if (names.contains(a.name())) {
                throw new IllegalArgumentException("an adapter named '" + a.name() + "' already exists; adapters are " + names);
            }
            names.add(a.name());
        }
        Map<String, Provenance> instance = new LinkedHashMap<>(provenance.getInstanceProvenance().getMap());
        instance.keySet().removeIf(k -> k.startsWith(PeftProvenance.ADAPTER_PREFIX));
        PeftModel draft = new PeftModel(name, provenance, featureIDMap, outputIDInfo, baseSpec, baseOutputs, baseWeights,
                newAdapters, active, enabled, newMerged, history);
        for (StoredAdapter a : newAdapters) {
            instance.putAll(PeftProvenance.describeAdapter(a.name(), a.spec(), draft.ranks(a.name()), a.tensorBytes(),
                    a.origin()));
        }
        instance.putAll(PeftProvenance.describeState(names, active, enabled, newMerged, draft.trainableSummary()));
        ModelProvenance newProvenance = new ModelProvenance(PeftModel.class.getName(), OffsetDateTime.now(),
                provenance.getDatasetProvenance(), provenance.getTrainerProvenance(), instance);
        return draft.copy(name, newProvenance);
    }

    /**
     * The adapter records, for the combination of adapters.
     * @param name The adapter.
     * @return The record.
     */
    StoredAdapter storedAdapter(String name) {
        return stored(name);
    }

    @Override
    protected PeftModel copy(String newName, ModelProvenance newProvenance) {
        return new PeftModel(newName, newProvenance, featureIDMap, outputIDInfo, baseSpec, baseOutputs, baseWeights,
                adapters, activeAdapters, adaptersEnabled, merged, history);
    }

    @Override
    public ModelProto serialize() {
        ModelDataCarrier<Label> carrier = createDataCarrier();
        PeftModelProto.Builder data = PeftModelProto.newBuilder()
                .setMetadata(Any.pack(carrier.serialize()))
                .setBaseSpec(ConfiguredObjects.pack(baseSpec.getProvenance()))
                .setBaseOutputs(baseOutputs)
                .setBaseWeights(ByteString.copyFrom(baseWeights))
                .addAllActiveAdapters(activeAdapters)
                .setAdaptersDisabled(!adaptersEnabled)
                .setMerged(merged);
        for (StoredAdapter a : adapters) {
            data.addAdapters(AdapterProto.newBuilder()
                    .setName(a.name())
                    .setSpec(ConfiguredObjects.pack(a.spec().getProvenance()))
                    .setTensors(ByteString.copyFrom(a.tensorBytes()))
                    .setOrigin(a.origin()));
        }
        if (history != null) {
            data.setHistory(TrainingHistoryProtos.toProto(history));
        }
        return ModelProtos.wrap(PeftModel.class, CURRENT_VERSION, data.build());
    }

    /**
     * Deserialization factory, called by Tribuo's {@code Model.deserialize}.
     * @param version The serialized version.
     * @param className The class name.
     * @param message The serialized data.
     * @return The model.
     * @throws InvalidProtocolBufferException if the message is not an adapter model.
     */
    public static PeftModel deserializeFromProto(int version, String className, Any message)
            throws InvalidProtocolBufferException {
        ModelProtos.checkVersion(version, CURRENT_VERSION);
        PeftModelProto proto = message.unpack(PeftModelProto.class);
        ModelDataCarrier<?> carrier = ModelProtos.metadata(proto.getMetadata());
        ImmutableOutputInfo<Label> outputInfo = ModelProtos.labelInfo(carrier, "PeftModel");
        NetworkSpec spec = ConfiguredObjects.unpackObject(proto.getBaseSpec(), NetworkSpec.class);
        List<StoredAdapter> adapters = new ArrayList<>();
        for (AdapterProto a : proto.getAdaptersList()) {
            adapters.add(new StoredAdapter(a.getName(), ConfiguredObjects.unpackObject(a.getSpec(), AdapterSpec.class),
                    a.getTensors().toByteArray(), a.getOrigin()));
        }
        TrainingHistory history = proto.hasHistory() ? TrainingHistoryProtos.fromProto(proto.getHistory()) : null;
        return new PeftModel(carrier.name(), carrier.provenance(), carrier.featureDomain(), outputInfo, spec,
                proto.getBaseOutputs(), proto.getBaseWeights().toByteArray(), adapters, proto.getActiveAdaptersList(),
                !proto.getAdaptersDisabled(), proto.getMerged(), history);
    }

    @Override
    public String toString() {
        return "PeftModel(name=" + name + ",base=" + baseSpec + ",adapters=" + adapterNames() + ",active=" + activeAdapters
                + (adaptersEnabled ? "" : ",disabled") + (merged ? ",merged" : "") + ")";
    }
}
