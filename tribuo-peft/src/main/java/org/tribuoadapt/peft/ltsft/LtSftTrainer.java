package org.tribuoadapt.peft.ltsft;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
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

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Lottery-ticket sparse fine-tuning, LT-SFT (Ansell et al. 2022, "Composable Sparse Fine-Tuning for Cross-Lingual
 * Transfer"), as a Tribuo trainer over a frozen base network. Each of {@code nFtIterations} rounds (the authors'
 * {@code n_ft_iterations}; one by default) does:
 * <ol>
 *     <li>fine-tune every targeted parameter fully ({@code fullEpochs}), from the previous round's result
 *     ({@code theta_0} in the first round);</li>
 *     <li>grow the mask by the {@code K / nFtIterations} entries not yet in it with the largest
 *     {@code |theta - theta_0|} (the change from the pre-trained values);</li>
 *     <li>reset every parameter (and the modules trained fully, such as a new head) to its value at the start of the
 *     round, and fine-tune only the masked entries ({@code sparseEpochs}).</li>
 * </ol>
 * The result is the sparse difference {@code phi = theta - theta_0}. K is a count ({@code k}, the authors'
 * {@code ft_params_num}) or a share of the values the adapter tunes ({@code ftParamsProportion}, the authors'
 * {@code ft_params_proportion}); as in the authors' code each round adds {@code floor(K / nFtIterations)} entries.
 * Both phases may add L1 regularisation towards the pre-trained values, {@code lambda / N sum |theta - theta_0|} over
 * the sparsely tuned parameters with {@code N} the base network's size ({@code fullL1Reg} and {@code sparseL1Reg}, the
 * authors' {@code full_l1_reg} and {@code sparse_l1_reg}; modules trained fully are not regularised, the authors'
 * {@code apply_reg_to_sparse_only}).
 * <p>
 * The model holds the base and an {@link LtSftSpec} adapter with the difference; activating several such adapters, or
 * merging them, composes fine-tunings by adding their differences. Each phase starts a fresh optimiser. The model's
 * run provenance records the K used, the entries kept per layer, the last round's full phase
 * ({@code lt-sft.full-phase}; its sparse phase under the usual training keys), the earlier rounds' phases
 * ({@code lt-sft.round-<i>.full-phase}, {@code lt-sft.round-<i>.sparse-phase}) and the base weights' SHA-256.
 * <p>
 * The base is a serialized {@link NetworkModel} ({@code baseModel}) or is given to {@link #train(Dataset, NetworkModel)}.
 * The seed and the invocation count fix the initial values, the batch order of every phase and dropout.
 */
public final class LtSftTrainer extends SeededTrainer<PeftModel> implements AdapterTrainer {

    /** Run-provenance key of K, the number of entries the rounds select together. */
    public static final String K = "lt-sft.k";
    /** Run-provenance key of the number of epochs of full fine-tuning. */
    public static final String FULL_EPOCHS = "lt-sft.full-epochs";
    /** Run-provenance key of the number of epochs of sparse fine-tuning. */
    public static final String SPARSE_EPOCHS = "lt-sft.sparse-epochs";
    /** Run-provenance key of the training summary of the (last round's) full fine-tuning phase. */
    public static final String FULL_PHASE = "lt-sft.full-phase";
    /** Run-provenance key prefix of the earlier rounds' training summaries, {@code lt-sft.round-<i>.}. */
    public static final String ROUND = "lt-sft.round-";

    @Config(mandatory = true, description = "The layers whose parameters are sparsely fine-tuned, and the modules to save.")
    private LtSftSpec adapter;

    @Config(description = "The adapter's name.")
    private String adapterName = "default";

    @Config(mandatory = true, description = "The optimiser; each phase starts a fresh one.")
    private OptimiserFactory optimiser;

    @Config(description = "K as a count: the number of parameter entries the sparse fine-tuning keeps (authors' "
            + "ft_params_num); 0 to give K with ftParamsProportion.")
    private int k = 0;

    @Config(description = "K as a share of the values the adapter tunes (authors' ft_params_proportion); 0 to give K with k.")
    private double ftParamsProportion = 0.0;

    @Config(description = "Rounds of full fine-tuning, mask growth by K / nFtIterations entries and sparse fine-tuning "
            + "(authors' n_ft_iterations).")
    private int nFtIterations = 1;

    @Config(description = "Coefficient of the L1 distance from the pre-trained values during full fine-tuning "
            + "(authors' full_l1_reg).")
    private double fullL1Reg = 0.0;

    @Config(description = "Coefficient of the L1 distance from the pre-trained values during sparse fine-tuning "
            + "(authors' sparse_l1_reg).")
    private double sparseL1Reg = 0.0;

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
     * Creates a one-round trainer without regularisation; give the base to {@link #train(Dataset, NetworkModel)} or
     * configure {@code baseModel}.
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
        this(adapter, optimiser, k, 0.0, 1, 0.0, 0.0, fullEpochs, sparseEpochs, batchSize, seed);
    }

    /**
     * Creates a trainer; give the base to {@link #train(Dataset, NetworkModel)} or configure {@code baseModel}.
     * @param adapter The targets and modules to save.
     * @param optimiser The optimiser of every phase.
     * @param k K as a count, or 0.
     * @param ftParamsProportion K as a share of the values the adapter tunes, or 0 (exactly one of the two is set).
     * @param nFtIterations The number of rounds.
     * @param fullL1Reg The L1 coefficient of the full phases.
     * @param sparseL1Reg The L1 coefficient of the sparse phases.
     * @param fullEpochs Epochs of full fine-tuning per round.
     * @param sparseEpochs Epochs of sparse fine-tuning per round.
     * @param batchSize The minibatch size.
     * @param seed The seed.
     */
    public LtSftTrainer(LtSftSpec adapter, OptimiserFactory optimiser, int k, double ftParamsProportion, int nFtIterations,
                        double fullL1Reg, double sparseL1Reg, int fullEpochs, int sparseEpochs, int batchSize, long seed) {
        this.adapter = adapter;
        this.optimiser = optimiser;
        this.k = k;
        this.ftParamsProportion = ftParamsProportion;
        this.nFtIterations = nFtIterations;
        this.fullL1Reg = fullL1Reg;
        this.sparseL1Reg = sparseL1Reg;
        this.fullEpochs = fullEpochs;
        this.sparseEpochs = sparseEpochs;
        this.batchSize = batchSize;
        this.seed = seed;
        postConfig();
    }

    @Override
    public synchronized void postConfig() {
        if (nFtIterations < 1) {
            throw new PropertyException("", "nFtIterations", "nFtIterations must be at least 1, found " + nFtIterations);
        }
        if (k < 0) {
            throw new PropertyException("", "k", "k must be a positive number of entries, found " + k);
        }
        if (!(ftParamsProportion >= 0 && ftParamsProportion <= 1)) {
            throw new PropertyException("", "ftParamsProportion", "ftParamsProportion must be in [0, 1], found "
                    + ftParamsProportion);
        }
        if ((k > 0) == (ftParamsProportion > 0)) {
            throw new PropertyException("", "k", "give K either as a count (k) or as a share (ftParamsProportion), found k = "
                    + k + " and ftParamsProportion = " + ftParamsProportion);
        }
        if (k > 0 && k < nFtIterations) {
            throw new PropertyException("", "k", "k = " + k + " is less than nFtIterations = " + nFtIterations
                    + ", so a round would add no entry");
        }
        for (Map.Entry<String, Double> e : Map.of("fullL1Reg", fullL1Reg, "sparseL1Reg", sparseL1Reg).entrySet()) {
            if (!(e.getValue() >= 0) || Double.isInfinite(e.getValue())) {
                throw new PropertyException("", e.getKey(), e.getKey() + " must be finite and at least 0, found " + e.getValue());
            }
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
            long baseValues = peft.network().countWeights(false);
            peft.addAdapter(adapterName, adapter, outputs, adapterSeed);
            int total = entriesToKeep(peft.adapterTensors(adapterName));
            int perRound = total / nFtIterations;
            peft.setActiveAdapters(List.of(adapterName));
            peft.setTrainable(adapterName);
            DjlRuntime.seedNativeRandom(localRNG.nextLong());
            Collection<AdapterModule> modules = peft.modules(adapterName).values();
            BatchObjective fullObjective = L1TowardsPretrained.of(BatchObjective.crossEntropy(), fullL1Reg, baseValues, modules);
            BatchObjective sparseObjective = L1TowardsPretrained.of(BatchObjective.crossEntropy(), sparseL1Reg, baseValues,
                    modules);
            Map<String, TensorData> masks = Map.of();
            TrainingHistory full = null;
            TrainingHistory sparse = null;
            for (int round = 1; round <= nFtIterations; round++) {
                if (round > 1) {
                    instance.put(ROUND + (round - 1) + ".full-phase", new MapProvenance<>(NetworkProvenance.describeTraining(full)));
                    instance.put(ROUND + (round - 1) + ".sparse-phase", new MapProvenance<>(NetworkProvenance.describeTraining(sparse)));
                }
                // every entry tunable, from the previous round's sparse difference
                Map<String, TensorData> start = unmasked(peft.adapterTensors(adapterName));
                peft.loadAdapterTensors(adapterName, start);
                full = phase(peft, data, fullEpochs, fullObjective, localRNG);
                masks = TopKMask.grow(peft.adapterTensors(adapterName), perRound, masks);
                Map<String, TensorData> reset = new LinkedHashMap<>(start);
                reset.putAll(masks);
                peft.loadAdapterTensors(adapterName, reset);
                sparse = phase(peft, data, sparseEpochs, sparseObjective, localRNG);
            }
            ExportedAdapter exported = adapter.export(peft.adapterTensors(adapterName));
            String origin = "trained by LtSftTrainer (k=" + perRound * nFtIterations + ", " + nFtIterations + " round"
                    + (nFtIterations == 1 ? "" : "s") + " of " + fullEpochs + " full and " + sparseEpochs + " sparse epochs)";
            instance.put(K, new IntProvenance(K, perRound * nFtIterations));
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

    /**
     * K: {@code k}, or {@code floor(ftParamsProportion * n)} of the n values the adapter tunes.
     * @throws IllegalArgumentException if that leaves a round without entries.
     */
    private int entriesToKeep(Map<String, TensorData> tensors) {
        if (k > 0) {
            return k;
        }
        long tuned = 0;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            if (e.getKey().contains("." + TopKMask.DELTA)) {
                tuned += e.getValue().numElements();
            }
        }
        int total = (int) Math.floor(ftParamsProportion * tuned);
        if (total < nFtIterations) {
            throw new IllegalArgumentException("ftParamsProportion = " + ftParamsProportion + " of the " + tuned
                    + " values the adapter tunes is " + total + " entries, fewer than the " + nFtIterations + " rounds");
        }
        return total;
    }

    /**
     * The tensors with every difference replaced by its masked value and every mask by ones: the same parameters,
     * all of them tunable.
     */
    private static Map<String, TensorData> unmasked(Map<String, TensorData> tensors) {
        Map<String, TensorData> out = new LinkedHashMap<>(tensors);
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            if (e.getKey().contains("." + TopKMask.DELTA)) {
                String maskKey = e.getKey().replace("." + TopKMask.DELTA, "." + TopKMask.MASK);
                float[] delta = e.getValue().toFloatArray();
                float[] mask = tensors.get(maskKey).toFloatArray();
                for (int i = 0; i < delta.length; i++) {
                    delta[i] *= mask[i];
                }
                Arrays.fill(mask, 1f);
                out.put(e.getKey(), TensorData.ofFloats(e.getValue().shape(), delta));
                out.put(maskKey, TensorData.ofFloats(e.getValue().shape(), mask));
            }
        }
        return out;
    }

    /** Trains the adapter's trainable parameters for some epochs with a fresh optimiser. */
    private TrainingHistory phase(PeftNetwork peft, TensorDataset data, int epochs, BatchObjective objective,
                                  SplittableRandom localRNG) {
        return peft.train(adapterName, new TrainingLoop(epochs, batchSize, gradientClipNorm, 1), optimiser, data, null,
                objective, localRNG, listener);
    }

    @Override
    public String toString() {
        return "LtSftTrainer(adapter=" + adapter + ",adapterName=" + adapterName + ",optimiser=" + optimiser + ",k=" + k
                + ",ftParamsProportion=" + ftParamsProportion + ",nFtIterations=" + nFtIterations + ",fullL1Reg=" + fullL1Reg
                + ",sparseL1Reg=" + sparseL1Reg
                + ",fullEpochs=" + fullEpochs + ",sparseEpochs=" + sparseEpochs + ",batchSize=" + batchSize + ",seed=" + seed
                + ",gradientClipNorm=" + gradientClipNorm + (baseModel != null ? ",baseModel=" + baseModel : "") + ")";
    }
}
