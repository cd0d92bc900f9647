package org.tribuoadapt.peft.diffora;

import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.core.train.TrainingPlan;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.ExportedAdapter;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * DiffoRA's training procedure (Jiang et al. 2025) on a network holding a relaxed {@link DifforaSpec} adapter:
 * <ol>
 *     <li>the data is split into a training part and a held-out part ({@code heldOutFraction});</li>
 *     <li>for {@code searchEpochs} rounds, one epoch trains the LoRA weights (and the modules to save) on the training
 *     part with the logits fixed, then one epoch trains the logits on the held-out part with the weights fixed: the
 *     first-order alternating approximation of the bilevel problem, as in DARTS. The logits have their own Adam with
 *     DARTS's architecture settings (betas 0.5 and 0.999, weight decay 1e-3) at {@code maskLearningRate}; both
 *     optimisers keep their state across rounds;</li>
 *     <li>the adapter is discretised ({@link DifforaSpec#export}) and replaced by the resulting plain LoRA adapter under
 *     the same name, keeping the weights the search learned (weight sharing);</li>
 *     <li>the LoRA adapter is fine-tuned on all the data for {@code fineTuneEpochs} with a fresh trainer's optimiser.</li>
 * </ol>
 * We alternate per epoch rather than per batch so that both phases reuse the training loop; this is our choice.
 */
public final class DifforaSearch {

    /** Adam's first-moment decay of the logits' optimiser (DARTS's architecture optimiser). */
    public static final double MASK_BETA1 = 0.5;
    /** Adam's second-moment decay of the logits' optimiser. */
    public static final double MASK_BETA2 = 0.999;
    /** L2 weight decay of the logits' optimiser. */
    public static final double MASK_WEIGHT_DECAY = 1e-3;

    private final int searchEpochs;
    private final int fineTuneEpochs;
    private final int batchSize;
    private final double heldOutFraction;
    private final double maskLearningRate;

    /**
     * Creates the procedure.
     * @param searchEpochs Rounds of alternating search (one epoch of each part per round).
     * @param fineTuneEpochs Epochs of fine-tuning the discretised LoRA adapter.
     * @param batchSize The minibatch size.
     * @param heldOutFraction The share of the data the logits train on, in (0, 1).
     * @param maskLearningRate The logits' learning rate.
     * @throws IllegalArgumentException naming a bad setting.
     */
    public DifforaSearch(int searchEpochs, int fineTuneEpochs, int batchSize, double heldOutFraction,
                         double maskLearningRate) {
        if (searchEpochs < 1 || fineTuneEpochs < 1) {
            throw new IllegalArgumentException("searchEpochs and fineTuneEpochs must be at least 1, found " + searchEpochs
                    + " and " + fineTuneEpochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, found " + batchSize);
        }
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("heldOutFraction must be in (0, 1), found " + heldOutFraction);
        }
        if (!(maskLearningRate > 0) || Double.isInfinite(maskLearningRate)) {
            throw new IllegalArgumentException("maskLearningRate must be finite and positive, found " + maskLearningRate);
        }
        this.searchEpochs = searchEpochs;
        this.fineTuneEpochs = fineTuneEpochs;
        this.batchSize = batchSize;
        this.heldOutFraction = heldOutFraction;
        this.maskLearningRate = maskLearningRate;
    }

    /**
     * What the search chose and how the fine-tuning went.
     * @param importances Each candidate module's learned importance {@code sigmoid(logit)}, by layer path.
     * @param selected The modules that kept their LoRA adapter.
     * @param spec The discretised adapter's configuration, now installed under the adapter's name.
     * @param fineTuning The fine-tuning's history.
     */
    public record Result(Map<String, Double> importances, List<String> selected, LoraSpec spec, TrainingHistory fineTuning) {
        /**
         * Copies the maps.
         */
        public Result {
            importances = Collections.unmodifiableMap(new LinkedHashMap<>(importances));
            selected = List.copyOf(selected);
        }
    }

    /**
     * Runs the search, the discretisation and the fine-tuning; afterwards the adapter {@code name} is the fine-tuned
     * LoRA adapter, active and trainable.
     * @param peft The network, holding a {@link DifforaSpec} adapter {@code name}.
     * @param name The adapter.
     * @param optimiser The optimiser of the LoRA weights (a fresh one for the fine-tuning).
     * @param data The training data.
     * @param objective The training objective.
     * @param rng The run's random stream (the split, the batch order and the LoRA adapter's seed).
     * @param listener Progress callbacks.
     * @return The result.
     * @throws IllegalArgumentException if the adapter is not a DiffoRA adapter or the data is too small to split.
     */
    public Result run(PeftNetwork peft, String name, OptimiserFactory optimiser, TensorDataset data, BatchObjective objective,
                      SplittableRandom rng, TrainingListener listener) {
        if (!(peft.spec(name) instanceof DifforaSpec spec)) {
            throw new IllegalArgumentException("adapter '" + name + "' is " + peft.spec(name).peftType()
                    + ", not a DiffoRA adapter");
        }
        Network network = peft.network();
        List<Parameter> logits = new ArrayList<>();
        for (AdapterModule m : peft.modules(name).values()) {
            logits.add(((DifforaModule) m).logit());
        }
        peft.setActiveAdapters(List.of(name));
        peft.setTrainable(name);
        Set<Parameter> logitSet = Collections.newSetFromMap(new IdentityHashMap<>());
        logitSet.addAll(logits);
        List<Parameter> weights = new ArrayList<>();
        for (Parameter p : network.trainableParameters()) {
            if (!logitSet.contains(p)) {
                weights.add(p);
            }
        }
        TensorDataset[] parts = data.split(heldOutFraction, rng);
        TrainingLoop oneEpoch = new TrainingLoop(1, batchSize, 0.0, 1);
        long all = network.countWeights(false);
        TrainingPlan weightPlan = new TrainingPlan(count(weights), all, parts[0].size(), parts[0].exampleShape().size(),
                batchSize, searchEpochs);
        TrainingPlan logitPlan = new TrainingPlan(logits.size(), all, parts[1].size(), parts[1].exampleShape().size(),
                batchSize, searchEpochs);
        AdamOptimiserFactory logitAdam = new AdamOptimiserFactory(maskLearningRate, MASK_BETA1, MASK_BETA2, 1e-8,
                MASK_WEIGHT_DECAY, false);
        try (NetworkOptimiser weightSteps = optimiser.create(weights, weightPlan);
             NetworkOptimiser logitSteps = logitAdam.create(logits, logitPlan)) {
            for (int round = 0; round < searchEpochs; round++) {
                weights.forEach(p -> p.setTrainable(true));
                logits.forEach(p -> p.setTrainable(false));
                oneEpoch.fit(network, weightSteps, parts[0], null, objective, rng, listener);
                network.freezeAll();
                logits.forEach(p -> p.setTrainable(true));
                oneEpoch.fit(network, logitSteps, parts[1], null, objective, rng, listener);
            }
        }
        Map<String, TensorData> relaxed = peft.adapterTensors(name);
        Map<String, Double> importances = DifforaSpec.importances(relaxed);
        ExportedAdapter discrete = spec.export(relaxed);
        LoraSpec lora = (LoraSpec) discrete.spec();
        List<String> selected = lora.targets().modules();
        int outputs = peft.currentOutputs();
        peft.deleteAdapter(name);
        peft.addAdapter(name, lora, outputs, rng.nextLong());
        if (!peft.targets(name).equals(selected)) {
            throw new IllegalStateException("the selected modules " + selected + " resolve to the layers "
                    + peft.targets(name) + "; give the candidates by their full paths");
        }
        peft.loadAdapterTensors(name, discrete.tensors());
        peft.setActiveAdapters(List.of(name));
        peft.setTrainable(name);
        TrainingHistory fineTuning = peft.train(name, new TrainingLoop(fineTuneEpochs, batchSize, 0.0, 1), optimiser, data,
                null, objective, rng, listener);
        return new Result(importances, selected, lora, fineTuning);
    }

    private static long count(List<Parameter> parameters) {
        long n = 0;
        for (Parameter p : parameters) {
            n += p.size();
        }
        return n;
    }
}
