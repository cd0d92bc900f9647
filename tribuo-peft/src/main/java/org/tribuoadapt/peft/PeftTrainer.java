package org.tribuoadapt.peft;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.SeededTrainer;
import org.tribuoadapt.core.train.TrainerInvocations;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains one adapter on a frozen base network as a Tribuo {@link Trainer} (PEFT's {@code get_peft_model} plus a
 * training loop): only the adapter's parameters and its modules to save receive gradients, through core's
 * {@link TrainingLoop}. The result is a {@link PeftModel} holding the base and the trained adapter.
 * <p>
 * The base comes from the configuration (a safetensors file plus its {@link NetworkSpec}, or a serialized
 * {@link NetworkModel} file; the file's SHA-256 goes into the run provenance) or from the caller
 * ({@link #train(Dataset, NetworkModel)}). Training can start from an adapter directory (PEFT's or ours:
 * {@code initialAdapter}) or continue an adapter of a {@link PeftModel} ({@link #train(Dataset, PeftModel, String)}).
 * <p>
 * The seed and the invocation count fix the adapter's initial values, the validation split, the batch order and
 * dropout, so the same configuration and thread count give bit-identical adapters.
 */
public final class PeftTrainer extends SeededTrainer<PeftModel> implements AdapterTrainer {

    /** Run-provenance key of the provenance of the base model, when the base is a model. */
    public static final String BASE_MODEL = "base-model";

    @Config(description = "The adapter method and its targets. Not needed when initialAdapter is set.")
    private AdapterSpec adapter;

    @Config(description = "The adapter's name (PEFT's adapter_name).")
    private String adapterName = "default";

    @Config(mandatory = true, description = "The optimiser of the adapter's parameters.")
    private OptimiserFactory optimiser;

    @Config(description = "The base network's architecture, used with baseWeights.")
    private NetworkSpec baseNetwork;

    @Config(description = "Safetensors file with the base network's weights (PyTorch names), used with baseNetwork.")
    private Path baseWeights;

    @Config(description = "A serialized Tribuo NetworkModel file to use as the base, instead of baseNetwork and baseWeights.")
    private Path baseModel;

    @Config(description = "A PEFT adapter directory (adapter_config.json, adapter_model.safetensors) to continue training.")
    private Path initialAdapter;

    @Config(description = "Maximum number of passes over the training data.")
    private int epochs = 5;

    @Config(description = "Minibatch size.")
    private int batchSize = 64;

    @Config(description = "Largest global gradient L2 norm; 0 disables clipping.")
    private double gradientClipNorm = 0.0;

    @Config(description = "Share of the training data held out for early stopping; 0 disables validation.")
    private double validationFraction = 0.0;

    @Config(description = "Epochs without a lower validation loss before stopping.")
    private int patience = 3;

    private transient TrainingListener listener = TrainingListener.NONE;

    /** For OLCUT. */
    private PeftTrainer() {}

    /**
     * Creates a trainer without validation or clipping; give the base to {@link #train(Dataset, NetworkModel)} or
     * configure it with {@link #withBaseWeights} or {@link #withBaseModel}.
     * @param adapter The adapter method.
     * @param optimiser The optimiser.
     * @param epochs The number of epochs.
     * @param batchSize The minibatch size.
     * @param seed The seed.
     */
    public PeftTrainer(AdapterSpec adapter, OptimiserFactory optimiser, int epochs, int batchSize, long seed) {
        this(adapter, "default", optimiser, epochs, batchSize, seed, 0.0, 0.0, 3);
    }

    /**
     * Creates a trainer.
     * @param adapter The adapter method.
     * @param adapterName The adapter's name.
     * @param optimiser The optimiser.
     * @param epochs The maximum number of epochs.
     * @param batchSize The minibatch size.
     * @param seed The seed.
     * @param gradientClipNorm The largest global gradient norm, 0 for none.
     * @param validationFraction The held-out share for early stopping, 0 for none.
     * @param patience Epochs without improvement before stopping.
     */
    public PeftTrainer(AdapterSpec adapter, String adapterName, OptimiserFactory optimiser, int epochs, int batchSize,
                       long seed, double gradientClipNorm, double validationFraction, int patience) {
        this.adapter = adapter;
        this.adapterName = adapterName;
        this.optimiser = optimiser;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
        this.gradientClipNorm = gradientClipNorm;
        this.validationFraction = validationFraction;
        this.patience = patience;
        postConfig();
    }

    /**
     * Creates a trainer that continues training the adapter of a PEFT directory (PEFT's or ours), whose
     * configuration defines the adapter; give the base with {@link #withBaseWeights}, {@link #withBaseModel} or
     * {@link #train(Dataset, NetworkModel)}.
     * @param adapterDirectory The directory with {@code adapter_config.json} and {@code adapter_model.safetensors}.
     * @param optimiser The optimiser.
     * @param epochs The number of epochs.
     * @param batchSize The minibatch size.
     * @param seed The seed.
     * @return The trainer.
     */
    public static PeftTrainer resuming(Path adapterDirectory, OptimiserFactory optimiser, int epochs, int batchSize,
                                       long seed) {
        PeftTrainer trainer = new PeftTrainer();
        trainer.initialAdapter = adapterDirectory;
        trainer.optimiser = optimiser;
        trainer.epochs = epochs;
        trainer.batchSize = batchSize;
        trainer.seed = seed;
        trainer.postConfig();
        return trainer;
    }

    /**
     * Configures the base as a safetensors file of a network's weights.
     * @param spec The architecture.
     * @param weights The file (PyTorch names).
     * @return This trainer.
     */
    public PeftTrainer withBaseWeights(NetworkSpec spec, Path weights) {
        this.baseNetwork = spec;
        this.baseWeights = weights;
        this.baseModel = null;
        postConfig();
        return this;
    }

    /**
     * Configures the base as a serialized {@link NetworkModel} file.
     * @param modelFile The file.
     * @return This trainer.
     */
    public PeftTrainer withBaseModel(Path modelFile) {
        this.baseModel = modelFile;
        this.baseNetwork = null;
        this.baseWeights = null;
        postConfig();
        return this;
    }

    /**
     * Starts training from an adapter directory (PEFT's or ours); its configuration replaces the configured adapter.
     * @param directory The directory.
     * @return This trainer.
     */
    public PeftTrainer withInitialAdapter(Path directory) {
        this.initialAdapter = directory;
        postConfig();
        return this;
    }

    @Override
    public synchronized void postConfig() {
        try {
            new TrainingLoop(epochs, batchSize, gradientClipNorm, patience);
        } catch (IllegalArgumentException e) {
            throw new PropertyException(e, "", "epochs", e.getMessage());
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new PropertyException("", "validationFraction", "validationFraction must be in [0, 1), found " + validationFraction);
        }
        if (adapter == null && initialAdapter == null) {
            throw new PropertyException("", "adapter", "configure an adapter, or an initialAdapter directory to continue");
        }
        try {
            PeftNetwork.validateName(adapterName);
        } catch (IllegalArgumentException e) {
            throw new PropertyException(e, "", "adapterName", e.getMessage());
        }
        if ((baseNetwork == null) != (baseWeights == null)) {
            throw new PropertyException("", "baseWeights", "baseNetwork and baseWeights go together; found only "
                    + (baseNetwork == null ? "baseWeights" : "baseNetwork"));
        }
        if (baseModel != null && baseWeights != null) {
            throw new PropertyException("", "baseModel", "configure either baseModel or baseNetwork with baseWeights, not both");
        }
        super.postConfig();
    }

    /**
     * Sets the progress listener for later training runs (it is not part of the configuration).
     * @param listener The listener.
     */
    public void setListener(TrainingListener listener) {
        this.listener = listener == null ? TrainingListener.NONE : listener;
    }

    @Override
    public PeftModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        BaseNetwork base;
        try {
            if (baseModel != null) {
                base = BaseNetwork.fromModelFile(baseModel);
            } else if (baseWeights != null) {
                base = BaseNetwork.fromSafetensors(baseNetwork, baseWeights);
            } else {
                throw new IllegalStateException("no base network configured: set baseModel, or baseNetwork and baseWeights, "
                        + "or call train(dataset, base)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the base network: " + e.getMessage(), e);
        }
        return fit(examples, base, null, examples.getFeatureIDMap(), examples.getOutputIDInfo(), runProvenance,
                invocationCount);
    }

    /**
     * Trains the adapter on a base network given in memory.
     * @param examples The training data.
     * @param base The frozen base; its weights' SHA-256 and its provenance go into the run provenance.
     * @return The adapter model.
     */
    @Override
    public PeftModel train(Dataset<Label> examples, NetworkModel base) {
        return fit(examples, BaseNetwork.of(base), null, examples.getFeatureIDMap(), examples.getOutputIDInfo(),
                Collections.emptyMap(), INCREMENT_INVOCATION_COUNT);
    }

    /**
     * Continues training an adapter of an adapter model (warm start) on new data with the same labels. The result
     * holds the base and the further trained adapter, under this trainer's adapter name.
     * @param examples The training data; its labels must be the model's.
     * @param start The model.
     * @param name The adapter of {@code start} to continue.
     * @return The adapter model.
     */
    public PeftModel train(Dataset<Label> examples, PeftModel start, String name) {
        BaseNetwork base = BaseNetwork.of(start.baseSpec(), start.baseOutputs(), start.baseWeightBytes());
        StoredAdapter from = start.storedAdapter(name);
        return fit(examples, base, from, start.getFeatureIDMap(), start.getOutputIDInfo(), Collections.emptyMap(),
                INCREMENT_INVOCATION_COUNT);
    }

    private PeftModel fit(Dataset<Label> examples, BaseNetwork base, StoredAdapter start, ImmutableFeatureMap featureMap,
                          ImmutableOutputInfo<Label> outputInfo, Map<String, Provenance> runProvenance,
                          int invocationCount) {
        if (examples.size() == 0) {
            throw new IllegalArgumentException("the training dataset is empty");
        }
        Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
        StoredAdapter initial = start;
        if (initial == null && initialAdapter != null) {
            try {
                LoadedAdapter loaded = AdapterFiles.load(initialAdapter);
                initial = new StoredAdapter(adapterName, loaded.spec(), loaded.tensors(), "continued from "
                        + initialAdapter.getFileName() + " (" + loaded.describe() + ")");
                instance.put(PeftProvenance.INITIAL_ADAPTER_SHA256, new StringProvenance(
                        PeftProvenance.INITIAL_ADAPTER_SHA256, loaded.configSha256() + "," + loaded.weightsSha256()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the initial adapter: " + e.getMessage(), e);
            }
        }
        AdapterSpec spec = initial == null ? adapter : initial.spec();
        TensorDataset data = TensorDataset.from(examples, new FeatureTensorizer(featureMap, base.spec().inputShape()),
                outputInfo);
        TrainerInvocations.Invocation<TrainerProvenance> invocation = startRun(invocationCount);
        SplittableRandom localRNG = invocation.rng();
        TrainerProvenance trainerProvenance = invocation.provenance();
        long adapterSeed = localRNG.nextLong();
        long nativeSeed = localRNG.nextLong();
        TensorDataset train = data;
        TensorDataset validation = null;
        if (validationFraction > 0) {
            TensorDataset[] parts = data.split(validationFraction, localRNG.split());
            train = parts[0];
            validation = parts[1];
        }
        instance.put(PeftProvenance.BASE_WEIGHTS_SHA256, new StringProvenance(PeftProvenance.BASE_WEIGHTS_SHA256, base.sha256()));
        base.fileSha256().ifPresent(sha -> instance.put(PeftProvenance.BASE_FILE_SHA256,
                new StringProvenance(PeftProvenance.BASE_FILE_SHA256, sha)));
        base.model().ifPresent(m -> instance.put(BASE_MODEL, m.getProvenance()));
        try (PeftNetwork peft = PeftNetwork.wrap(base.newNetwork())) {
            byte[] baseBytes = SafetensorsWriter.toBytes(peft.mergedStateDict(), Map.of("format", "pt"));
            int outputs = outputInfo.size();
            if (outputs != base.outputs() && !AdapterTargets.matchesList(spec.modulesToSave(), peft.outputLayer())) {
                throw new IllegalArgumentException("the base network has " + base.outputs() + " outputs but the data has "
                        + outputs + " labels; list the output layer '" + peft.outputLayer()
                        + "' in modulesToSave to train a new head");
            }
            peft.addAdapter(adapterName, spec, outputs, adapterSeed);
            if (initial != null) {
                peft.loadAdapterTensors(adapterName, initial.tensors());
            }
            peft.setActiveAdapters(List.of(adapterName));
            peft.setTrainable(adapterName);
            DjlRuntime.seedNativeRandom(nativeSeed);
            TrainingHistory history = peft.train(adapterName, new TrainingLoop(epochs, batchSize, gradientClipNorm, patience),
                    optimiser, train, validation, BatchObjective.crossEntropy(), localRNG, listener);
            Map<String, TensorData> tensors = peft.adapterTensors(adapterName);
            ExportedAdapter exported = spec.export(tensors);
            instance.putAll(spec.describeExport(tensors));
            StoredAdapter trained = new StoredAdapter(adapterName, exported.spec(), exported.tensors(), initial == null
                    ? "trained by PeftTrainer" : initial.origin() + ", then trained by PeftTrainer");
            instance.putAll(PeftProvenance.describeAdapter(adapterName, exported.spec(), peft.ranks(adapterName),
                    trained.tensorBytes(), trained.origin()));
            instance.putAll(PeftProvenance.describeState(List.of(adapterName), List.of(adapterName), true, false,
                    peft.trainableSummary()));
            instance.putAll(NetworkProvenance.describeTraining(history));
            ModelProvenance provenance = new ModelProvenance(PeftModel.class.getName(), OffsetDateTime.now(),
                    examples.getProvenance(), trainerProvenance, instance);
            return new PeftModel("peft-model", provenance, featureMap, outputInfo, base.spec(), base.outputs(), baseBytes,
                    List.of(trained), List.of(adapterName), true, false, history);
        }
    }

    @Override
    public String toString() {
        return "PeftTrainer(adapter=" + adapter + ",adapterName=" + adapterName + ",optimiser=" + optimiser + ",epochs="
                + epochs + ",batchSize=" + batchSize + ",seed=" + seed + ",gradientClipNorm=" + gradientClipNorm
                + ",validationFraction=" + validationFraction + ",patience=" + patience
                + (baseModel != null ? ",baseModel=" + baseModel : "")
                + (baseWeights != null ? ",baseNetwork=" + baseNetwork + ",baseWeights=" + baseWeights : "")
                + (initialAdapter != null ? ",initialAdapter=" + initialAdapter : "") + ")";
    }
}
