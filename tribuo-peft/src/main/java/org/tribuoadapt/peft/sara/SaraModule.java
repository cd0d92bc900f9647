package org.tribuoadapt.peft.sara;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.delta.ParameterDeltaModule;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SaRA's sparse update of one layer's weight (Hu et al. 2025): {@code W = W0 + dW} with
 * {@code dW = mask ⊙ delta + fixed}. {@code sara_delta.weight} is trainable (starting at zero); {@code sara_mask.weight}
 * (frozen, 0/1) marks the weights being tuned, at first those of smallest magnitude ({@link MagnitudeSelection});
 * {@code sara_fixed.weight} (frozen, starting at zero) holds the learned changes of the weights the progressive step
 * ({@link #reselect()}) stopped tuning. The bias is not tuned.
 * <p>
 * The authors' memory saving keeps only the selected values as the trainable tensor and scatters them into the weight
 * with a custom autograd function whose backward returns the gradient at the selected positions only. DJL offers no
 * custom autograd functions or sparse gradients, so here the difference and its gradient are dense tensors shaped like
 * the weight, and the mask zeroes the gradient outside the selection: the result is the same, the memory is not
 * saved.
 */
public final class SaraModule extends ParameterDeltaModule {

    static final String DELTA = "sara_delta.weight";
    static final String MASK = "sara_mask.weight";
    static final String FIXED = "sara_fixed.weight";

    private final Parameter delta;
    private final Parameter mask;
    private final Parameter fixed;
    private final float bound;
    private final Map<String, Parameter> tensors = new LinkedHashMap<>();

    SaraModule(TargetLayer target, NDManager manager, MagnitudeSelection selection) {
        super(target);
        this.delta = add(addWeight(manager, DELTA, target.weight().shape()));
        this.mask = add(register(new Parameter(MASK, Parameter.Kind.BUFFER,
                manager.create(selection.mask(), target.weight().shape()))));
        this.fixed = add(register(new Parameter(FIXED, Parameter.Kind.BUFFER, manager.zeros(target.weight().shape()))));
        this.bound = selection.bound();
    }

    private Parameter add(Parameter p) {
        tensors.put(p.name(), p);
        return p;
    }

    @Override
    protected NDArray weightDelta() {
        return delta.array().mul(mask.array()).add(fixed.array());
    }

    @Override
    protected NDArray biasDelta() {
        return null;
    }

    /**
     * The sparse update as a matrix {@code [out, fanIn]} (a convolution kernel flattened), recorded for gradients when
     * they are being recorded; the nuclear-norm penalty reads it.
     * @return {@code dW}.
     */
    NDArray updateMatrix() {
        return target().flatten(weightDelta());
    }

    /**
     * SaRA's progressive step: the tuned weights whose adapted magnitude {@code |W0 + dW|} is still below the
     * selection's bound keep training; the others keep their learned change, moved to {@code sara_fixed.weight}, and
     * stop training.
     * @return How many weights stay selected.
     */
    int reselect() {
        try (GradientMode ignored = GradientMode.disabled()) {
            NDArray current = delta.array().mul(mask.array());
            NDArray adapted = target().weight().array().add(current).add(fixed.array());
            NDArray kept = adapted.abs().lt(bound).toType(mask.array().getDataType(), false).mul(mask.array());
            fixed.copyFrom(fixed.array().add(current.mul(kept.neg().add(1f))));
            mask.copyFrom(kept);
            delta.copyFrom(delta.array().mul(kept));
        }
        return rank();
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /**
     * The number of weights this layer tunes: the ones in its mask.
     * @return The count.
     */
    @Override
    public int rank() {
        int kept = 0;
        for (float m : mask.toFloatArray()) {
            kept += m != 0 ? 1 : 0;
        }
        return kept;
    }

    @Override
    public String describe() {
        return "SaRA(" + rank() + " weights)";
    }
}
