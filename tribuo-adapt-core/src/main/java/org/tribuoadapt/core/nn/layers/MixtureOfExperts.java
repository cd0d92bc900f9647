package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.TapeConstants;

import java.util.Arrays;

/**
 * A mixture-of-experts feed-forward layer (Shazeer et al. 2017) in the form WideNet uses (Xue et al. 2022, "Go
 * Wider Instead of Deeper"): a bias-free Linear {@code router} gives each token a softmax distribution over
 * {@code E} experts {@code expert_0 .. expert_(E-1)}, each a feed-forward network {@code fc1 -> GELU -> fc2}; every
 * token goes to its top-k experts within their capacity ({@link ExpertRouting}) and its output is the sum of those
 * experts' outputs, each weighted by its softmax probability (the gate, not renormalised over the k choices, as in
 * V-MoE and WideNet; for k = 1 this is Switch's gate). Dropped assignments contribute zero. There is no routing noise.
 * <p>
 * It maps tokens {@code [N, T, D]} (or {@code [N, D]}); all {@code N * T} tokens of a batch are routed together, in
 * token order, so when capacity drops tokens an example's output depends on the rest of its batch, as in every
 * capacity-limited MoE. A capacity factor of at least {@code E / k} never drops a token.
 */
public final class MixtureOfExperts extends Layer {

    private final int dim;
    private final int hiddenDim;
    private final int experts;
    private final int topK;
    private final double capacityFactor;

    /**
     * Creates the layer.
     * @param manager The network's manager.
     * @param dim The token width.
     * @param hiddenDim The hidden width of each expert.
     * @param experts The number of experts, at least 1.
     * @param topK The experts per token, between 1 and {@code experts}.
     * @param capacityFactor The capacity factor, positive.
     * @throws IllegalArgumentException naming the impossible setting.
     */
    public MixtureOfExperts(NDManager manager, int dim, int hiddenDim, int experts, int topK, double capacityFactor) {
        if (experts < 1) {
            throw new IllegalArgumentException("a mixture of experts needs at least one expert, found " + experts);
        }
        if (topK < 1 || topK > experts) {
            throw new IllegalArgumentException("topK must be between 1 and the number of experts (" + experts
                    + "), found " + topK);
        }
        if (!(capacityFactor > 0) || Double.isInfinite(capacityFactor)) {
            throw new IllegalArgumentException("the capacity factor must be positive and finite, found " + capacityFactor);
        }
        this.dim = dim;
        this.hiddenDim = hiddenDim;
        this.experts = experts;
        this.topK = topK;
        this.capacityFactor = capacityFactor;
        addChild("router", new Linear(manager, dim, experts, false));
        for (int e = 0; e < experts; e++) {
            addChild(expertName(e), new Sequential()
                    .add("fc1", new Linear(manager, dim, hiddenDim, true))
                    .add("act", new ActivationLayer(Activation.GELU))
                    .add("fc2", new Linear(manager, hiddenDim, dim, true)));
        }
    }

    private static String expertName(int expert) {
        return "expert_" + expert;
    }

    /**
     * The router's softmax probabilities.
     * @param tokens Tokens {@code [S, D]}.
     * @param context The forward context.
     * @return {@code [S, E]}, differentiable in the router's weight.
     */
    private NDArray routerProbabilities(NDArray tokens, ForwardContext context) {
        return child("router").apply(tokens, context).softmax(1);
    }

    /**
     * Runs each expert on its kept tokens only (gathered by index), then gives every token the gate-weighted sum of
     * its kept experts' outputs; a dropped assignment reads a row of zeros.
     */
    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        NDManager manager = context.manager();
        NDArray tokens = input.reshape(-1, dim);
        NDArray probabilities = routerProbabilities(tokens, context);
        ExpertRouting routing = ExpertRouting.route(probabilities.toFloatArray(), experts, topK, capacityFactor);
        int count = routing.tokens();
        NDList outputs = new NDList();
        int[] offsets = new int[experts];
        int processed = 0;
        for (int e = 0; e < experts; e++) {
            int[] assigned = routing.tokensOf(e);
            offsets[e] = processed;
            processed += assigned.length;
            long[] rows = new long[assigned.length * dim];
            for (int i = 0; i < assigned.length; i++) {
                Arrays.fill(rows, i * dim, (i + 1) * dim, assigned[i]);
            }
            NDArray expertInput = tokens.gather(manager.create(rows, new Shape(assigned.length, dim)), 0);
            outputs.add(child(expertName(e)).apply(expertInput, context));
        }
        outputs.add(manager.zeros(new Shape(1, dim), tokens.getDataType()));
        long[] choices = new long[count * topK];
        long[] sources = new long[count * topK * dim];
        int[] filled = new int[experts];
        for (int s = 0; s < count; s++) {
            for (int r = 0; r < topK; r++) {
                int e = routing.choice(s, r);
                choices[s * topK + r] = e;
                long row = routing.isKept(s, r) ? offsets[e] + filled[e]++ : processed;
                Arrays.fill(sources, (s * topK + r) * dim, (s * topK + r + 1) * dim, row);
            }
        }
        NDArray gates = probabilities.gather(manager.create(choices, new Shape(count, topK)), 1);
        NDArray chosen = NDArrays.concat(outputs, 0)
                .gather(manager.create(sources, new Shape(count * topK, dim)), 0)
                .reshape(count, topK, dim);
        return chosen.mul(gates.expandDims(2)).sum(new int[] {1}).reshape(input.getShape());
    }

    /**
     * The load-balancing auxiliary loss of Switch Transformer (Fedus et al. 2022; GShard's differentiable
     * approximation): {@code E * sum_e f_e * P_e}, where {@code f_e} is the fraction of the token choices that name
     * expert e (before capacity dropping; see {@link ExpertRouting#choiceFractions()}) and {@code P_e} is the mean
     * router probability of expert e over the tokens. It is 1 when routing is perfectly balanced and at most E; only
     * {@code P_e} is differentiated.
     * @param input This layer's input {@code [N, T, D]} or {@code [N, D]}, as it saw it in the forward pass.
     * @param context The forward context.
     * @return A scalar.
     */
    public NDArray loadBalancingLoss(NDArray input, ForwardContext context) {
        NDArray probabilities = routerProbabilities(input.reshape(-1, dim), context);
        float[] fractions = ExpertRouting.route(probabilities.toFloatArray(), experts, topK, capacityFactor)
                .choiceFractions();
        NDArray dispatchFractions = context.manager().create(fractions);
        return TapeConstants.times(probabilities.mean(new int[] {0}).mul(dispatchFractions).sum(), experts);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() == 0 || inputShape.get(inputShape.dimension() - 1) != dim) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") expects a last dimension of "
                    + dim + " but gets " + inputShape);
        }
        return inputShape;
    }

    /** @return The number of experts. */
    public int experts() {
        return experts;
    }

    /** @return The experts per token. */
    public int topK() {
        return topK;
    }

    /** @return The capacity factor. */
    public double capacityFactor() {
        return capacityFactor;
    }

    @Override
    public String describe() {
        return "MixtureOfExperts(" + dim + " -> " + hiddenDim + " -> " + dim + ", experts " + experts + ", top-" + topK
                + ", capacity factor " + capacityFactor + ")";
    }
}
