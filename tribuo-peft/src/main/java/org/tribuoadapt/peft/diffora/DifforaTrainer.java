package org.tribuoadapt.peft.diffora;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
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
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.peft.AdapterTrainer;
import org.tribuoadapt.peft.BaseNetwork;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.PeftProvenance;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * DiffoRA (Jiang et al. 2025) as a Tribuo trainer over a frozen base network: adds the relaxed {@link DifforaSpec}
 * adapter, runs {@link DifforaSearch} (alternating search of the LoRA weights on a training part and the module logits
 * on a held-out part, discretisation to the top {@code ceil(budgetRatio * n)} modules, fine-tuning of the kept LoRA
 * adapters) and returns a {@link PeftModel} holding the plain LoRA adapter.
 * <p>
 * The model's run provenance records the learned importances ({@value DifforaSpec#IMPORTANCES}), the kept modules
 * ({@value DifforaSpec#SELECTED}), the LoRA adapter and the fine-tuning's history under the usual keys. The base is a
 * serialized {@link NetworkModel} ({@code baseModel}) or is given to {@link #train(Dataset, NetworkModel)}. The seed and
 * the invocation count fix the split, the batch order and the initial values.
 */
public final class DifforaTrainer extends SeededTrainer<PeftModel> implements AdapterTrainer {

    @Config(mandatory = true, description = "The candidate modules, LoRA rank and alpha, budget ratio and modules to save.")
    private DifforaSpec adapter;

    @Config(description = "The adapter's name.")
    private String adapterName = "default";

    @Config(mandatory = true, description = "The optimiser of the LoRA weights; the fine-tuning starts a fresh one.")
    private OptimiserFactory optimiser;

    @Config(description = "Rounds of alternating search, one epoch on each part per round.")
    private int searchEpochs = 2;

    @Config(description = "Epochs of fine-tuning the kept LoRA adapters on all the data.")
    private int fineTuneEpochs = 2;

    @Config(description = "The share of the data the module logits train on, in (0, 1).")
    private double heldOutFraction = 0.5;

    @Config(description = "Learning rate of the module logits' Adam (betas 0.5 and 0.999, weight decay 1e-3, as DARTS).")
    private double maskLearningRate = 0.01;

    @Config(description = "Minibatch size.")
    private int batchSize = 64;

    @Config(description = "A serialized Tribuo NetworkModel file to use as the base.")
    private Path baseModel;

    private transient TrainingListener listener = TrainingListener.NONE;

    /** For OLCUT. */
    private DifforaTrainer() {}

    /**
     * Creates a trainer; give the base to {@link #train(Dataset, NetworkModel)} or configure {@code baseModel}.
     * @param adapter The relaxed adapter.
     * @param optimiser The LoRA weights' optimiser.
     * @param searchEpochs Rounds of alternating search.
     * @param fineTuneEpochs Epochs of fine-tuning.
     * @param heldOutFraction The logits' share of the data.
     * @param maskLearningRate The logits' learning rate.
     * @param batchSize The minibatch size.
     * @param seed The seed.
     */
    public DifforaTrainer(DifforaSpec adapter, OptimiserFactory optimiser, int searchEpochs, int fineTuneEpochs,
                          double heldOutFraction, double maskLearningRate, int batchSize, long seed) {
        this.adapter = adapter;
        this.optimiser = optimiser;
        this.searchEpochs = searchEpochs;
        this.fineTuneEpochs = fineTuneEpochs;
        this.heldOutFraction = heldOutFraction;
        this.maskLearningRate = maskLearningRate;
        this.batchSize = batchSize;
        this.seed = seed;
        postConfig();
    }

    @Override
    public synchronized void postConfig() {
        try {
            search();
        } catch (IllegalArgumentException e) {
            throw new PropertyException(e, "", "searchEpochs", e.getMessage());
        }
        try {
            PeftNetwork.validateName(adapterName);
        } catch (IllegalArgumentException e) {
            throw new PropertyException(e, "", "adapterName", e.getMessage());
        }
        super.postConfig();
    }

    private DifforaSearch search() {
        return new DifforaSearch(searchEpochs, fineTuneEpochs, batchSize, heldOutFraction, maskLearningRate);
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
        long adapterSeed = localRNG.nextLong();
        Map<String, Provenance> instance = base.recordIn(runProvenance);
        try (PeftNetwork peft = PeftNetwork.wrap(base.newNetwork())) {
            byte[] baseBytes = SafetensorsWriter.toBytes(peft.mergedStateDict(), Map.of("format", "pt"));
            int outputs = outputInfo.size();
            base.checkOutputs(peft, adapter.modulesToSave(), outputs);
            peft.addAdapter(adapterName, adapter, outputs, adapterSeed);
            DjlRuntime.seedNativeRandom(localRNG.nextLong());
            DifforaSearch.Result result = search().run(peft, adapterName, optimiser, data, BatchObjective.crossEntropy(),
                    localRNG, listener);
            Map<String, TensorData> tensors = peft.adapterTensors(adapterName);
            String origin = "trained by DifforaTrainer (kept " + result.selected() + " of " + result.importances().keySet()
                    + " after " + searchEpochs + " search rounds, then " + fineTuneEpochs + " fine-tuning epochs)";
            instance.putAll(DifforaSpec.describeSelection(result.importances(), result.selected()));
            instance.putAll(PeftProvenance.describeAdapter(adapterName, result.spec(), peft.ranks(adapterName),
                    SafetensorsWriter.toBytes(tensors, Map.of("format", "pt")), origin));
            instance.putAll(PeftProvenance.describeState(List.of(adapterName), List.of(adapterName), true, false,
                    peft.trainableSummary()));
            instance.putAll(NetworkProvenance.describeTraining(result.fineTuning()));
            ModelProvenance provenance = new ModelProvenance(PeftModel.class.getName(), OffsetDateTime.now(),
                    examples.getProvenance(), invocation.provenance(), instance);
            return PeftModel.ofTrainedAdapter(provenance, featureMap, outputInfo, base.spec(), base.outputs(), baseBytes,
                    adapterName, result.spec(), tensors, origin, result.fineTuning());
        }
    }

    @Override
    public String toString() {
        return "DifforaTrainer(adapter=" + adapter + ",adapterName=" + adapterName + ",optimiser=" + optimiser
                + ",searchEpochs=" + searchEpochs + ",fineTuneEpochs=" + fineTuneEpochs + ",heldOutFraction="
                + heldOutFraction + ",maskLearningRate=" + maskLearningRate + ",batchSize=" + batchSize + ",seed=" + seed
                + (baseModel != null ? ",baseModel=" + baseModel : "") + ")";
    }
}
