package org.tribuoadapt.peft.ltsft;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
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
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.AdapterTrainer;
import org.tribuoadapt.peft.BaseNetwork;
import org.tribuoadapt.peft.ExportedAdapter;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.PeftProvenance;
import org.tribuoadapt.peft.PeftTrainer;

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
 * Lottery-ticket sparse fine-tuning, LT-SFT (Ansell et al. 2022, "Composable Sparse Fine-Tuning for Cross-Lingual
 * Transfer"), as a Tribuo trainer over a frozen base network:
 * <ol>
 *     <li>fine-tune every targeted parameter fully ({@code fullEpochs}), {@code theta_0 -> theta_1};</li>
 *     <li>keep the K entries with the largest {@code |theta_1 - theta_0|} as the mask;</li>
 *     <li>reset every parameter (and the modules trained fully, such as a new head) to its value before phase 1, and
 *     fine-tune only the masked entries ({@code sparseEpochs}), giving the sparse difference
 *     {@code phi = theta_2 - theta_0}.</li>
 * </ol>
 * The result is a {@link PeftModel} holding the base and an {@link LtSftSpec} adapter with the difference; activating
 * several such adapters, or merging them, composes fine-tunings by adding their differences. Each phase starts a fresh
 * optimiser. The model's run provenance records K, the entries kept per layer, both phases' training summaries
 * ({@code lt-sft.full-phase}, and the sparse phase under the usual training keys) and the base weights' SHA-256.
 * <p>
 * The base is a serialized {@link NetworkModel} ({@code baseModel}) or is given to {@link #train(Dataset, NetworkModel)}.
 * The seed and the invocation count fix the initial values, the batch order of both phases and dropout.
 */
public final class LtSftTrainer extends SeededTrainer<PeftModel> implements AdapterTrainer {

    /** Run-provenance key of K. */
    public static final String K = "lt-sft.k";
    /** Run-provenance key of the number of epochs of full fine-tuning. */
    public static final String FULL_EPOCHS = "lt-sft.full-epochs";
    /** Run-provenance key of the number of epochs of sparse fine-tuning. */
    public static final String SPARSE_EPOCHS = "lt-sft.sparse-epochs";
    /** Run-provenance key of the training summary of the full fine-tuning phase. */
    public static final String FULL_PHASE = "lt-sft.full-phase";

    @Config(mandatory = true, description = "The layers whose parameters are sparsely fine-tuned, and the modules to save.")
    private LtSftSpec adapter;

    @Config(description = "The adapter's name.")
    private String adapterName = "default";

    @Config(mandatory = true, description = "The optimiser; each phase starts a fresh one.")
    private OptimiserFactory optimiser;

    @Config(mandatory = true, description = "K, the number of parameter entries the sparse fine-tuning keeps.")
    private int k;

    @Config(description = "Epochs of full fine-tuning (phase 1).")
    private int fullEpochs = 5;

    @Config(description = "Epochs of sparse fine-tuning of the K kept entries (phase 2).")
    private int sparseEpochs = 5;

    @Config(description = "Minibatch size.")
    private int batchSize = 64;

    @Config(description = "Largest global gradient L2 norm; 0 disables clipping.")
    private double gradientClipNorm = 0.0;

    @Config(description = "A serialized Tribuo NetworkModel file to use as the base.")
    private Path baseModel;

    private transient TrainingListener listener = TrainingListener.NONE;

    /** For OLCUT. */
    private LtSftTrainer() {}

    /**
     * Creates a trainer; give the base to {@link #train(Dataset, NetworkModel)} or configure {@code baseModel}.
     * @param adapter The targets and modules to save.
     * @param optimiser The optimiser of both phases.
     * @param k The number of entries kept.
     * @param fullEpochs Epochs of full fine-tuning.
     * @param sparseEpochs Epochs of sparse fine-tuning.
     * @param batchSize The minibatch size.
     * @param seed The seed.
     */
    public LtSftTrainer(LtSftSpec adapter, OptimiserFactory optimiser, int k, int fullEpochs, int sparseEpochs, int batchSize,
                        long seed) {
        this.adapter = adapter;
        this.optimiser = optimiser;
        this.k = k;
        this.fullEpochs = fullEpochs;
        this.sparseEpochs = sparseEpochs;
        this.batchSize = batchSize;
        this.seed = seed;
        postConfig();
    }

    @Override
    public synchronized void postConfig() {
        if (k < 1) {
            throw new PropertyException("", "k", "k must be a positive number of entries, found " + k);
        }
        try {
            new TrainingLoop(fullEpochs, batchSize, gradientClipNorm, 1);
            new TrainingLoop(sparseEpochs, batchSize, gradientClipNorm, 1);
        } catch (IllegalArgumentException e) {
            throw new PropertyException(e, "", "fullEpochs", e.getMessage());
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
        if (baseModel == null) {
            throw new IllegalStateException("no base network configured: set baseModel, or call train(dataset, base)");
        }
        try {
            return fit(examples, BaseNetwork.fromModelFile(baseModel), runProvenance, invocationCount);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the base model " + baseModel + ": " + e.getMessage(), e);
        }
    }

    @Override
    public PeftModel train(Dataset<Label> examples, NetworkModel base) {
        return fit(examples, BaseNetwork.of(base), Collections.emptyMap(), INCREMENT_INVOCATION_COUNT);
    }

    private PeftModel fit(Dataset<Label> examples, BaseNetwork base, Map<String, Provenance> runProvenance,
                          int invocationCount) {
        if (examples.size() == 0) {
            throw new IllegalArgumentException("the training dataset is empty");
        }
        ImmutableFeatureMap featureMap = examples.getFeatureIDMap();
        ImmutableOutputInfo<Label> outputInfo = examples.getOutputIDInfo();
        TensorDataset data = TensorDataset.from(examples, new FeatureTensorizer(featureMap, base.spec().inputShape()),
                outputInfo);
        TrainerInvocations.Invocation<TrainerProvenance> invocation = startRun(invocationCount);
        SplittableRandom localRNG = invocation.rng();
        TrainerProvenance trainerProvenance = invocation.provenance();
        long adapterSeed = localRNG.nextLong();
        Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
        instance.put(PeftProvenance.BASE_WEIGHTS_SHA256, new StringProvenance(PeftProvenance.BASE_WEIGHTS_SHA256, base.sha256()));
        base.model().ifPresent(m -> instance.put(PeftTrainer.BASE_MODEL, m.getProvenance()));
        try (PeftNetwork peft = PeftNetwork.wrap(base.newNetwork())) {
            byte[] baseBytes = SafetensorsWriter.toBytes(peft.mergedStateDict(), Map.of("format", "pt"));
            int outputs = outputInfo.size();
            if (outputs != base.outputs() && !AdapterTargets.matchesList(adapter.modulesToSave(), peft.outputLayer())) {
                throw new IllegalArgumentException("the base network has " + base.outputs() + " outputs but the data has "
                        + outputs + " labels; list the output layer '" + peft.outputLayer() + "' in the adapter's modulesToSave");
            }
            peft.addAdapter(adapterName, adapter, outputs, adapterSeed);
            Map<String, TensorData> start = peft.adapterTensors(adapterName);
            peft.setActiveAdapters(List.of(adapterName));
            peft.setTrainable(adapterName);
            DjlRuntime.seedNativeRandom(localRNG.nextLong());
            TrainingHistory full = phase(peft, data, fullEpochs, localRNG);
            Map<String, TensorData> reset = new LinkedHashMap<>(start);
            reset.putAll(TopKMask.select(peft.adapterTensors(adapterName), k));
            peft.loadAdapterTensors(adapterName, reset);
            TrainingHistory sparse = phase(peft, data, sparseEpochs, localRNG);
            ExportedAdapter exported = adapter.export(peft.adapterTensors(adapterName));
            String origin = "trained by LtSftTrainer (k=" + k + ", " + fullEpochs + " full and " + sparseEpochs
                    + " sparse epochs)";
            instance.put(K, new IntProvenance(K, k));
            instance.put(FULL_EPOCHS, new IntProvenance(FULL_EPOCHS, fullEpochs));
            instance.put(SPARSE_EPOCHS, new IntProvenance(SPARSE_EPOCHS, sparseEpochs));
            instance.put(FULL_PHASE, new MapProvenance<>(NetworkProvenance.describeTraining(full)));
            instance.putAll(PeftProvenance.describeAdapter(adapterName, exported.spec(), peft.ranks(adapterName),
                    SafetensorsWriter.toBytes(exported.tensors(), Map.of("format", "pt")), origin));
            instance.putAll(PeftProvenance.describeState(List.of(adapterName), List.of(adapterName), true, false,
                    peft.trainableSummary()));
            instance.putAll(NetworkProvenance.describeTraining(sparse));
            ModelProvenance provenance = new ModelProvenance(PeftModel.class.getName(), OffsetDateTime.now(),
                    examples.getProvenance(), trainerProvenance, instance);
            return PeftModel.ofTrainedAdapter(provenance, featureMap, outputInfo, base.spec(), base.outputs(), baseBytes,
                    adapterName, exported.spec(), exported.tensors(), origin, sparse);
        }
    }

    /** Trains the adapter's trainable parameters for some epochs with a fresh optimiser. */
    private TrainingHistory phase(PeftNetwork peft, TensorDataset data, int epochs, SplittableRandom localRNG) {
        return peft.train(adapterName, new TrainingLoop(epochs, batchSize, gradientClipNorm, 1), optimiser, data, null,
                BatchObjective.crossEntropy(), localRNG, listener);
    }

    @Override
    public String toString() {
        return "LtSftTrainer(adapter=" + adapter + ",adapterName=" + adapterName + ",optimiser=" + optimiser + ",k=" + k
                + ",fullEpochs=" + fullEpochs + ",sparseEpochs=" + sparseEpochs + ",batchSize=" + batchSize + ",seed=" + seed
                + ",gradientClipNorm=" + gradientClipNorm + (baseModel != null ? ",baseModel=" + baseModel : "") + ")";
    }
}
