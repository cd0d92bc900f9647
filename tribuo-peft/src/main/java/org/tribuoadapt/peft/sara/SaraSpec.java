package org.tribuoadapt.peft.sara;

import ai.djl.ndarray.NDArray;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SaRA (Hu et al., ICLR 2025, "SaRA: High-Efficient Diffusion Model Fine-tuning with Progressive Sparse Low-Rank
 * Adaptation"): only the weights of smallest magnitude of each targeted Linear or Conv2d layer are tuned,
 * {@code W = W0 + dW} with {@code dW} nonzero only there ({@link SaraModule}), which merges exactly.
 * <ul>
 *     <li>Selection: every weight with {@code |w| < threshold} (the authors' rule and default 2e-3), or, with
 *     {@code fraction > 0}, the {@code floor(fraction n)} smallest of each layer's n weights.</li>
 *     <li>Progressive adjustment: after {@code progressiveIter} optimiser steps (the authors' {@code progressive_iter};
 *     0 switches it off) the tuned weights whose magnitude has grown past the selection's bound stop training and
 *     keep their change; the others go on ({@link ProgressiveOptimiser}).</li>
 *     <li>Low-rank constraint: the loss gains {@code lambdaRank sum_l ||dW_l||_*} (the authors' {@code lambda_rank},
 *     default 5e-4), convolution kernels flattened to {@code [out, in k k]}, through the subgradient
 *     {@code U V^T} ({@link NuclearNorm}). The authors penalise one randomly chosen large matrix per step; here
 *     every targeted layer is penalised at every step, which is deterministic.</li>
 * </ul>
 * Biases are not tuned. DJL keeps the difference and its gradient dense (see {@link SaraModule}); the trainable-value
 * count that matters is the number of selected weights ({@link SaraModule#rank()}). The adapter file uses our own
 * {@code peft_type} {@value #PEFT_TYPE} with the fields {@code threshold}, {@code fraction}, {@code progressive_iter}
 * and {@code lambda_rank}.
 */
public final class SaraSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "SARA";

    @Config(description = "Weights with a magnitude below this are tuned (the authors' threshold); unused when fraction > 0.")
    private double threshold = 2e-3;

    @Config(description = "If positive, the share of each layer's weights, the smallest in magnitude, that is tuned.")
    private double fraction = 0.0;

    @Config(description = "Optimiser steps after which the selection is revised (the authors' progressive_iter); 0 never.")
    private int progressiveIter = 0;

    @Config(description = "Weight of the nuclear norm of each layer's sparse update in the loss (the authors' lambda_rank).")
    private double lambdaRank = 5e-4;

    /** For OLCUT. */
    private SaraSpec() {}

    /**
     * Creates a SaRA spec.
     * @param targets The layers to adapt (and modules to save).
     * @param threshold The magnitude below which weights are tuned, positive; unused when fraction is positive.
     * @param fraction The share of each layer's weights to tune, in [0, 1]; 0 uses the threshold.
     * @param progressiveIter The steps after which the selection is revised; 0 never.
     * @param lambdaRank The weight of the nuclear-norm penalty, at least 0.
     */
    public SaraSpec(AdapterTargets targets, double threshold, double fraction, int progressiveIter, double lambdaRank) {
        super(targets);
        this.threshold = threshold;
        this.fraction = fraction;
        this.progressiveIter = progressiveIter;
        this.lambdaRank = lambdaRank;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("threshold", threshold);
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new PropertyException("", "fraction", "fraction must be between 0 and 1, found " + fraction);
        }
        if (progressiveIter < 0) {
            throw new PropertyException("", "progressiveIter", "progressiveIter must be at least 0 (0 never revises the "
                    + "selection), found " + progressiveIter);
        }
        if (!(lambdaRank >= 0) || Double.isInfinite(lambdaRank)) {
            throw new PropertyException("", "lambdaRank", "lambdaRank must be finite and at least 0, found " + lambdaRank);
        }
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    /**
     * Chooses the weights of one layer to tune.
     * @param weights The layer's weights.
     * @return The selection.
     */
    MagnitudeSelection select(float[] weights) {
        return fraction > 0 ? MagnitudeSelection.smallestFraction(weights, fraction)
                : MagnitudeSelection.belowThreshold(weights, threshold);
    }

    /**
     * {@inheritDoc}
     * @throws IllegalArgumentException if the rule selects no weight of the layer.
     */
    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        float[] weights = target.weight().toFloatArray();
        MagnitudeSelection selection = select(weights);
        float[] mask = selection.mask();
        boolean any = false;
        for (float m : mask) {
            any |= m != 0;
        }
        if (!any) {
            float smallest = Float.POSITIVE_INFINITY;
            for (float w : weights) {
                smallest = Math.min(smallest, Math.abs(w));
            }
            throw new IllegalArgumentException("SaRA selects no weight of layer '" + target.path() + "': "
                    + (fraction > 0 ? "fraction " + fraction + " of " + weights.length + " weights is less than one"
                    : "its smallest magnitude is " + smallest + ", not below the threshold " + threshold)
                    + "; raise the threshold or give a fraction");
        }
        return new SaraModule(target, context.manager(), selection);
    }

    /** Revises the selections after {@code progressiveIter} steps, when it is positive. */
    @Override
    public NetworkOptimiser adaptOptimiser(NetworkOptimiser optimiser, List<AdapterModule> modules) {
        return progressiveIter == 0 ? optimiser : new ProgressiveOptimiser(optimiser, saraModules(modules), progressiveIter);
    }

    /** {@code lambdaRank sum_l ||dW_l||_*}, when {@code lambdaRank > 0}. */
    @Override
    public Optional<NDArray> trainingPenalty(List<AdapterModule> modules) {
        if (lambdaRank == 0 || modules.isEmpty()) {
            return Optional.empty();
        }
        NDArray sum = null;
        for (SaraModule m : saraModules(modules)) {
            NDArray norm = NuclearNorm.of(m.updateMatrix());
            sum = sum == null ? norm : sum.add(norm);
        }
        return Optional.of(sum.mul((float) lambdaRank));
    }

    private static List<SaraModule> saraModules(List<AdapterModule> modules) {
        List<SaraModule> out = new ArrayList<>();
        for (AdapterModule m : modules) {
            out.add((SaraModule) m);
        }
        return out;
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("threshold", threshold)
                .put("fraction", fraction)
                .put("progressive_iter", progressiveIter)
                .put("lambda_rank", lambdaRank);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static SaraSpec fromPeftConfig(PeftConfigJson json) {
        return new SaraSpec(readTargets(json), json.number("threshold", 2e-3), json.number("fraction", 0.0),
                json.integer("progressive_iter", 0), json.number("lambda_rank", 5e-4));
    }

    @Override
    public String toString() {
        return "SaraSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",threshold=" + threshold
                + ",fraction=" + fraction + ",progressiveIter=" + progressiveIter + ",lambdaRank=" + lambdaRank + ")";
    }
}
