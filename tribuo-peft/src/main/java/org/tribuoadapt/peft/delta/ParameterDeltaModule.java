package org.tribuoadapt.peft.delta;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.TargetLayer;

/**
 * An adapter that changes its target's own parameters, {@code W = W0 + dW} and {@code b = b0 + db}: the methods that
 * fine-tune (a part of) the base parameters themselves, such as BitFit (Ben Zaken et al. 2022), norm-only tuning,
 * LT-SFT (Ansell et al. 2022) and aTLAS (Zhang et al. 2024). The target's operation is linear in its weight and bias,
 * so the adapted output is the base output plus the target's operation applied with {@code (dW, db)}
 * ({@link TargetLayer#apply}); merging adds the deltas to the weight and bias, which is exact.
 */
public abstract class ParameterDeltaModule extends AdapterModule {

    /**
     * Creates the module.
     * @param target The layer whose parameters change.
     */
    protected ParameterDeltaModule(TargetLayer target) {
        super(target);
    }

    /**
     * The change of the target's weight.
     * @return {@code dW}, shaped like the weight, or null when the weight does not change.
     */
    protected abstract NDArray weightDelta();

    /**
     * The change of the target's bias.
     * @return {@code db}, shaped like the bias, or null when the bias does not change.
     */
    protected abstract NDArray biasDelta();

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        NDArray weight = weightDelta();
        NDArray bias = biasDelta();
        if (weight != null) {
            return output.add(target().apply(input, weight, bias));
        }
        if (bias != null) {
            return output.add(bias.reshape(target().featureBroadcast(bias.size(), output.getShape().dimension())));
        }
        return output;
    }

    @Override
    public void mergeIntoTarget() {
        NDArray weight = weightDelta();
        NDArray bias = biasDelta();
        if (weight != null) {
            target().weight().copyFrom(target().weight().array().add(weight));
        }
        if (bias != null) {
            target().bias().copyFrom(target().bias().array().add(bias));
        }
    }
}
