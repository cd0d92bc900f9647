package org.tribuoadapt.peft.vera;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.Dropout;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.TargetLayer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One VeRA adapter at one Linear layer (PEFT's {@code vera_lambda_b} and {@code vera_lambda_d}): the output gains
 * {@code b ⊙ (B_s (d ⊙ (A_s dropout(x))))}, where {@code A_s = A[:, :in]} and {@code B_s = B[:out, :]} are slices of
 * the adapter's shared frozen projections.
 */
public final class VeraModule extends AdapterModule {

    private final int rank;
    private final Parameter sharedA;
    private final Parameter sharedB;
    private final Parameter lambdaB;
    private final Parameter lambdaD;
    private final Dropout dropout;

    VeraModule(TargetLayer target, NDManager manager, int rank, Parameter sharedA, Parameter sharedB, double dropoutRate,
               double dInitial, boolean initWeights, SplittableRandom rng) {
        super(target);
        this.rank = rank;
        this.sharedA = sharedA;
        this.sharedB = sharedB;
        int out = target.outFeatures();
        this.lambdaB = addWeight(manager, "vera_lambda_b", new Shape(out));
        this.lambdaD = addWeight(manager, "vera_lambda_d", new Shape(rank));
        this.dropout = dropoutRate > 0 ? addChild("vera_dropout", new Dropout(dropoutRate)) : null;
        lambdaB.assign(Initializers.constant(out, initWeights ? 0f : 1f));
        lambdaD.assign(initWeights ? Initializers.constant(rank, (float) dInitial) : Initializers.normal(rank, 1.0, rng));
    }

    private NDArray projectionA() {
        return sharedA.array().get(":, :" + target().inFeatures());
    }

    private NDArray projectionB() {
        return sharedB.array().get(":" + target().outFeatures() + ", :");
    }

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        NDArray x = dropout != null && context.isTraining() ? dropout.apply(input, context) : input;
        NDArray hidden = TargetLayer.linear(x, projectionA(), null).mul(lambdaD.array());
        return output.add(TargetLayer.linear(hidden, projectionB(), null).mul(lambdaB.array()));
    }

    @Override
    public void mergeIntoTarget() {
        NDArray left = projectionB().mul(lambdaB.array().reshape(target().outFeatures(), 1));
        NDArray right = projectionA().mul(lambdaD.array().reshape(rank, 1));
        target().weight().copyFrom(target().weight().array().add(left.matMul(right)));
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put("vera_lambda_b", lambdaB);
        out.put("vera_lambda_d", lambdaD);
        return out;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public String describe() {
        return "VeRA(r=" + rank + ")";
    }
}
