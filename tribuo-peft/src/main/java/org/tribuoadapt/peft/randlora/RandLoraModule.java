package org.tribuoadapt.peft.randlora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.Dropout;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.TargetLayer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One RandLoRA adapter at one Linear layer (Albert et al. 2025, eq. 4, with PEFT's layout): with {@code m} and
 * {@code M} the smaller and larger of the layer's widths and {@code n = ceil(m / r)}, the trained diagonals
 * {@code randlora_lambda} {@code [r, n]} and {@code randlora_gamma} {@code [n, m]} scale slices of the shared bases,
 * {@code Q[(i, j), c] = lambda[i, j] A[i, 0, c] gamma[j, c]} ({@code [r n, m]}) and
 * {@code P[o, (j, q)] = B[o, j, q]} ({@code [M, n r]}), and the update is {@code dW = s P Q} when the output is the
 * larger width and {@code (P Q)^T} otherwise: a sum of n rank-r random bases with learned scalings, of full rank m.
 * {@code s = alpha / r}. With {@code init_weights} lambda starts at zero (a no-op) and gamma at {@code 1 / max(n, m)},
 * as PEFT's {@code reset_randlora_parameters}. When the projections are saved, the module also names the shared bases
 * as {@code randlora_A} and {@code randlora_B}, because PEFT's files hold them under every layer as well.
 */
public final class RandLoraModule extends AdapterModule {

    private final int rank;
    private final int bases;
    private final double scaling;
    private final boolean outputIsLarger;
    private final Parameter sharedA;
    private final Parameter sharedB;
    private final boolean namesBases;
    private final Parameter lambda;
    private final Parameter gamma;
    private final Dropout dropout;

    RandLoraModule(TargetLayer target, NDManager manager, int rank, double scaling, double dropoutRate, boolean initWeights,
                   Parameter sharedA, Parameter sharedB, boolean namesBases, SplittableRandom rng) {
        super(target);
        this.rank = rank;
        this.scaling = scaling;
        this.sharedA = sharedA;
        this.sharedB = sharedB;
        this.namesBases = namesBases;
        int small = Math.min(target.inFeatures(), target.outFeatures());
        int large = Math.max(target.inFeatures(), target.outFeatures());
        this.bases = Math.floorDiv(small + rank - 1, rank);
        this.outputIsLarger = target.inFeatures() <= target.outFeatures();
        this.lambda = addWeight(manager, "randlora_lambda", new Shape(rank, bases));
        this.gamma = addWeight(manager, "randlora_gamma", new Shape(bases, small));
        this.dropout = dropoutRate > 0 ? addChild("randlora_dropout", new Dropout(dropoutRate)) : null;
        if (initWeights) {
            gamma.assign(Initializers.constant(bases * small, (float) (1.0 / Math.max(bases, small))));
        } else {
            lambda.assign(Initializers.normal(rank * bases, 1.0, rng));
            gamma.assign(Initializers.constant(bases * small, (float) (1.0 / large)));
        }
    }

    /** {@code Q}, {@code [r n, m]}: the scaled slice of {@code A}. */
    private NDArray scaledA() {
        int small = Math.toIntExact(gamma.shape().get(1));
        NDArray a = sharedA.array().get(":, :, :" + small);
        return lambda.array().reshape(rank, bases, 1).mul(a).mul(gamma.array().reshape(1, bases, small))
                .reshape((long) rank * bases, small);
    }

    /** {@code P}, {@code [M, n r]}: the slice of {@code B}. */
    private NDArray slicedB() {
        int large = Math.max(target().inFeatures(), target().outFeatures());
        return sharedB.array().get(":" + large + ", :" + bases + ", :").reshape(large, (long) bases * rank);
    }

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        NDArray x = dropout != null && context.isTraining() ? dropout.apply(input, context) : input;
        NDArray q = scaledA();
        NDArray p = slicedB();
        // dW x = P (Q x) when the output is the larger width, Q^T (P^T x) otherwise
        NDArray change = outputIsLarger ? TargetLayer.linear(TargetLayer.linear(x, q, null), p, null)
                : TargetLayer.linear(TargetLayer.linear(x, p.transpose(), null), q.transpose(), null);
        return output.add(TapeConstants.timesInPlace(change, scaling));
    }

    @Override
    public void mergeIntoTarget() {
        NDArray update = slicedB().matMul(scaledA());
        NDArray delta = TapeConstants.timesInPlace(outputIsLarger ? update : update.transpose(), scaling);
        target().weight().copyFrom(target().weight().array().add(delta));
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put("randlora_lambda", lambda);
        out.put("randlora_gamma", gamma);
        if (namesBases) {
            out.put("randlora_A", sharedA);
            out.put("randlora_B", sharedB);
        }
        return out;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public String describe() {
        return "RandLoRA(r=" + rank + ", bases=" + bases + ", scaling=" + scaling + ")";
    }
}
