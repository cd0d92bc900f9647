package org.tribuoadapt.peft.spt;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.SeededTrainer;
import org.tribuoadapt.core.train.TrainerInvocations;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTrainer;
import org.tribuoadapt.peft.BaseNetwork;
import org.tribuoadapt.peft.ExportedAdapter;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.PeftProvenance;
import org.tribuoadapt.peft.ltsft.LtSftSpec;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * SPT, sensitivity-aware parameter-efficient fine-tuning (He et al. 2023, "Sensitivity-Aware Visual Parameter-Efficient
 * Fine-Tuning", ICCV), as a Tribuo trainer over a frozen base network. Two stages:
 * <ol>
 *     <li>once, before tuning, the sensitivity {@code g^2} of every weight of the targeted layers, summed over
 *     {@code sensitivityBatches} batches of the task data ({@link SptSensitivity}), and the allocation of the
 *     {@code budget} of trainable parameters to the most sensitive weights, with a rank-{@code loraRank} LoRA module on
 *     each matrix whose count of selected weights reaches {@code sigma_opt = r (d_in + d_out) / alpha}
 *     ({@link SptSelection});</li>
 *     <li>fine-tuning of an {@link SptSpec} adapter with those LoRA layers and, elsewhere, differences masked to the
 *     selected weights, for {@code epochs}.</li>
 * </ol>
 * Biases are not tuned (the authors' structured tuning of vectors is left out); a new head listed in the adapter's
 * modulesToSave is trained fully and is not counted in the budget, as the authors leave the head out of their ranking.
 * The adapter merges into the base ({@code W + mask ⊙ delta} and {@code W + s B A}). The model's run provenance records
 * the budget, the trainable parameters the selection spends, tau, the selected weights per layer and the LoRA layers.
 * <p>
 * The base is a serialized {@link NetworkModel} ({@code baseModel}) or is given to {@link #train(Dataset, NetworkModel)}.
 * The seed and the invocation count fix the sensitivity batches, the initial values, the batch order and dropout.
 */
public final class SptTrainer extends SeededTrainer<PeftModel> implements AdapterTrainer {

    /** Run-provenance key of the budget. */
    public static final String BUDGET = "spt.budget";
    /** Run-provenance key of the trainable parameters the selection spends. */
    public static final String SPENT = "spt.trainable";
    /** Run-provenance key of tau, the number of most sensitive weights selected. */
    public static final String TAU = "spt.tau";
    /** Run-provenance key of the selected weights per targeted layer. */
    public static final String COUNTS = "spt.selected-per-layer";
    /** Run-provenance key of the layers tuned by LoRA. */
    public static final String LORA_LAYERS = "spt.lora-layers";

    private static final String PROBE = "spt-sensitivity";

    @Config(mandatory = true, description = "The layers SPT may tune, the modules to save, and the LoRA rank and alpha; "
            + "its loraLayers must be empty, the trainer chooses them.")
    private SptSpec adapter;

    @Config(description = "The adapter's name.")
    private String adapterName = "default";

    @Config(mandatory = true, description = "The optimiser.")
    private OptimiserFactory optimiser;

    @Config(mandatory = true, description = "The number of trainable parameters in the targeted layers: selected weights "
            + "plus LoRA parameters.")
    private long budget;

    @Config(description = "The authors' alpha: a matrix gets LoRA when its selected weights reach r (d_in + d_out) / alpha.")
    private double structuredAlpha = 5.0;

    @Config(description = "The number of batches the sensitivity is summed over (the authors' sensitivity_batch_num).")
    private int sensitivityBatches = 8;

    @Config(description = "Epochs of tuning.")
    private int epochs = 5;

    @Config(description = "Minibatch size, of the sensitivity batches too.")
    private int batchSize = 64;

    @Config(description = "Largest global gradient L2 norm; 0 disables clipping.")
    private double gradientClipNorm = 0.0;

    @Config(description = "A serialized Tribuo NetworkModel file to use as the base.")
    private Path baseModel;

    private transient TrainingListener listener = TrainingListener.NONE;

    /** For OLCUT. */
    private SptTrainer() {}

    /**
     * Creates a trainer with the authors' alpha (5) and 8 sensitivity batches; give the base to
     * {@link #train(Dataset, NetworkModel)} or configure {@code baseModel}.
     * @param adapter The targets, modules to save and LoRA rank.
     * @param optimiser The optimiser.
     * @param budget The number of trainable parameters in the targeted layers.
     * @param epochs Epochs of tuning.
     * @param batchSize The minibatch size.
     * @param seed The seed.
     */
    public SptTrainer(SptSpec adapter, OptimiserFactory optimiser, long budget, int epochs, int batchSize, long seed) {
        this(adapter, optimiser, budget, 5.0, 8, epochs, batchSize, seed);
    }

    /**
     * Creates a trainer; give the base to {@link #train(Dataset, NetworkModel)} or configure {@code baseModel}.
     * @param adapter The targets, modules to save and LoRA rank.
     * @param optimiser The optimiser.
     * @param budget The number of trainable parameters in the targeted layers.
     * @param structuredAlpha The authors' alpha.
     * @param sensitivityBatches The number of sensitivity batches.
     * @param epochs Epochs of tuning.
     * @param batchSize The minibatch size.
     * @param seed The seed.
     */
    public SptTrainer(SptSpec adapter, OptimiserFactory optimiser, long budget, double structuredAlpha,
                      int sensitivityBatches, int epochs, int batchSize, long seed) {
        this.adapter = adapter;
        this.optimiser = optimiser;
        this.budget = budget;
        this.structuredAlpha = structuredAlpha;
        this.sensitivityBatches = sensitivityBatches;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
        postConfig();
    }

    @Override
    public synchronized void postConfig() {
        if (budget <= 0) {
            throw new PropertyException("", "budget", "budget must be a positive number of parameters, found " + budget);
        }
        if (!(structuredAlpha > 0) || Double.isInfinite(structuredAlpha)) {
            throw new PropertyException("", "structuredAlpha", "structuredAlpha must be positive and finite, found "
                    + structuredAlpha);
        }
        if (sensitivityBatches < 1) {
            throw new PropertyException("", "sensitivityBatches", "sensitivityBatches must be at least 1, found "
                    + sensitivityBatches);
        }
        if (!adapter.loraLayers().isEmpty()) {
            throw new PropertyException("", "adapter", "the adapter's loraLayers are chosen by SPT's sensitivity, found "
                    + adapter.loraLayers());
        }
        try {
            new TrainingLoop(epochs, batchSize, gradientClipNorm, 1);
        } catch (IllegalArgumentException e) {
            throw new PropertyException(e, "", "epochs", e.getMessage());
        }
        try {
            PeftNetwork.validateName(adapterName);
        } catch (IllegalArgumentException e) {
            throw new PropertyException(e, "", "adapterName", e.getMessage());
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
        return fit(examples, BaseNetwork.fromConfiguredModelFile(baseModel), runProvenance, invocationCount);
    }

    @Override
    public PeftModel train(Dataset<Label> examples, NetworkModel base) {
        return fit(examples, BaseNetwork.of(base), Collections.emptyMap(), INCREMENT_INVOCATION_COUNT);
    }

    private PeftModel fit(Dataset<Label> examples, BaseNetwork base, Map<String, Provenance> runProvenance,
                          int invocationCount) {
        TensorDataset data = base.tensorize(examples);
        ImmutableFeatureMap featureMap = examples.getFeatureIDMap();
        ImmutableOutputInfo<Label> outputInfo = examples.getOutputIDInfo();
        TrainerInvocations.Invocation<TrainerProvenance> invocation = startRun(invocationCount);
        SplittableRandom localRNG = invocation.rng();
        TrainerProvenance trainerProvenance = invocation.provenance();
        long adapterSeed = localRNG.nextLong();
        Map<String, Provenance> instance = base.recordIn(runProvenance);
        try (PeftNetwork peft = PeftNetwork.wrap(base.newNetwork())) {
            byte[] baseBytes = SafetensorsWriter.toBytes(peft.mergedStateDict(), Map.of("format", "pt"));
            int outputs = outputInfo.size();
            base.checkOutputs(peft, adapter.modulesToSave(), outputs);
            DjlRuntime.seedNativeRandom(localRNG.nextLong());
            List<int[]> batches = sensitivityBatches(data.size(), localRNG);
            SptSelection selection = addSelectedAdapter(peft, adapterName, adapter, outputs, adapterSeed, data, batches,
                    budget, structuredAlpha);
            SptSpec spec = (SptSpec) peft.spec(adapterName);
            peft.setActiveAdapters(List.of(adapterName));
            peft.setTrainable(adapterName);
            TrainingHistory history = peft.train(adapterName, new TrainingLoop(epochs, batchSize, gradientClipNorm, 1),
                    optimiser, data, null, BatchObjective.crossEntropy(), localRNG, listener);
            ExportedAdapter exported = spec.export(peft.adapterTensors(adapterName));
            String origin = "trained by SptTrainer (budget=" + budget + ", " + selection.trainable() + " parameters in "
                    + selection.loraLayers().size() + " LoRA layers and " + selection.masks().size()
                    + " masked layers, " + epochs + " epochs)";
            instance.put(BUDGET, new LongProvenance(BUDGET, budget));
            instance.put(SPENT, new LongProvenance(SPENT, selection.trainable()));
            instance.put(TAU, new IntProvenance(TAU, selection.selected()));
            Map<String, Provenance> counts = new LinkedHashMap<>();
            selection.counts().forEach((layer, n) -> counts.put(layer, new IntProvenance(layer, n)));
            instance.put(COUNTS, new MapProvenance<>(counts));
            List<StringProvenance> lora = new ArrayList<>();
            selection.loraLayers().forEach(layer -> lora.add(new StringProvenance(LORA_LAYERS, layer)));
            instance.put(LORA_LAYERS, new ListProvenance<>(lora));
            instance.putAll(PeftProvenance.describeAdapter(adapterName, exported.spec(), peft.ranks(adapterName),
                    SafetensorsWriter.toBytes(exported.tensors(), Map.of("format", "pt")), origin));
            instance.putAll(PeftProvenance.describeState(List.of(adapterName), List.of(adapterName), true, false,
                    peft.trainableSummary()));
            instance.putAll(NetworkProvenance.describeTraining(history));
            ModelProvenance provenance = new ModelProvenance(PeftModel.class.getName(), OffsetDateTime.now(),
                    examples.getProvenance(), trainerProvenance, instance);
            return PeftModel.ofTrainedAdapter(provenance, featureMap, outputInfo, base.spec(), base.outputs(), baseBytes,
                    adapterName, exported.spec(), exported.tensors(), origin, history);
        }
    }

    /**
     * SPT's first stage on a network: the sensitivity of the targeted weights over the given batches, taken through a
     * probe adapter of zero differences (with a new head, if the adapter saves one, initialised as the adapter's will
     * be), the allocation of the budget, and the adapter itself, added with the chosen LoRA layers and with the other
     * layers' weight masks set to the selection (their bias masks to zero). {@link #fit} runs it before tuning; a
     * benchmark can run it and then tune the adapter in its own loop.
     * @param peft The network, without adapters of the given names.
     * @param name The adapter's name.
     * @param adapter The targets, modules to save and LoRA rank; its loraLayers are replaced.
     * @param outputs The output width (of a new head, if the adapter saves one).
     * @param seed The adapter's seed.
     * @param data The task data.
     * @param batches The examples of each sensitivity batch.
     * @param budget The trainable parameters to spend in the targeted layers.
     * @param structuredAlpha The authors' alpha.
     * @return The selection.
     * @throws IllegalArgumentException if there are no batches, or the budget is not positive or exceeds the targeted
     * weights.
     */
    public static SptSelection addSelectedAdapter(PeftNetwork peft, String name, SptSpec adapter, int outputs, long seed,
                                                  TensorDataset data, List<int[]> batches, long budget,
                                                  double structuredAlpha) {
        SptSelection selection;
        peft.addAdapter(PROBE, new LtSftSpec(adapter.targets()), outputs, seed);
        try {
            peft.setActiveAdapters(List.of(PROBE));
            peft.setTrainable(PROBE);
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (Map.Entry<String, AdapterModule> e : peft.modules(PROBE).entrySet()) {
                shapes.put(e.getKey(), e.getValue().peftTensors().get(SptSensitivity.WEIGHT_DELTA).shape().getShape());
            }
            Map<String, float[]> sensitivity = SptSensitivity.of(peft, PROBE, data, batches);
            selection = SptSelection.select(sensitivity, shapes, budget, adapter.loraRank(), structuredAlpha);
        } finally {
            peft.deleteAdapter(PROBE);
        }
        peft.addAdapter(name, adapter.withLoraLayers(selection.loraLayers()), outputs, seed);
        Map<String, TensorData> tensors = new LinkedHashMap<>(peft.adapterTensors(name));
        for (Map.Entry<String, float[]> e : selection.masks().entrySet()) {
            String prefix = PeftNetwork.MODEL_PREFIX + e.getKey() + ".sft_mask.";
            TensorData weight = tensors.get(prefix + "weight");
            tensors.put(prefix + "weight", TensorData.ofFloats(weight.shape(), e.getValue()));
            TensorData bias = tensors.get(prefix + "bias");
            if (bias != null) {
                tensors.put(prefix + "bias", TensorData.ofFloats(bias.shape(), new float[Math.toIntExact(bias.numElements())]));
            }
        }
        peft.loadAdapterTensors(name, tensors);
        return selection;
    }

    /** The first {@code sensitivityBatches} batches of a seeded shuffle of the data. */
    private List<int[]> sensitivityBatches(int size, SplittableRandom localRNG) {
        int[] order = TensorDataset.permutation(size, localRNG);
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < size && batches.size() < sensitivityBatches; start += batchSize) {
            batches.add(Arrays.copyOfRange(order, start, Math.min(start + batchSize, size)));
        }
        return batches;
    }

    @Override
    public String toString() {
        return "SptTrainer(adapter=" + adapter + ",adapterName=" + adapterName + ",optimiser=" + optimiser + ",budget="
                + budget + ",structuredAlpha=" + structuredAlpha + ",sensitivityBatches=" + sensitivityBatches
                + ",epochs=" + epochs + ",batchSize=" + batchSize + ",seed=" + seed + ",gradientClipNorm="
                + gradientClipNorm + (baseModel != null ? ",baseModel=" + baseModel : "") + ")";
    }
}
