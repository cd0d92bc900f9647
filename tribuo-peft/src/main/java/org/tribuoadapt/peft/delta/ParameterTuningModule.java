package org.tribuoadapt.peft.delta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.TargetLayer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fine-tunes some of a target's own parameters: the module holds trainable copies of the chosen ones (the weight,
 * the bias or both), which start equal to the base values, so the adapter starts as a no-op and training it is
 * training those base parameters while the base itself stays frozen. The copies are saved under the base parameter's
 * own name ({@code base_model.model.<layer>.bias}), so the adapter file holds the tuned values themselves. BitFit
 * (Ben Zaken et al. 2022) tunes biases; norm-only tuning the scale and shift of normalisation layers.
 */
public final class ParameterTuningModule extends ParameterDeltaModule {

    private final Parameter weight;
    private final Parameter bias;
    private final Map<String, Parameter> tensors = new LinkedHashMap<>();

    /**
     * Creates the module with copies of the chosen parameters.
     * @param target The layer.
     * @param manager The network's memory.
     * @param tuneWeight Tune the weight (a normalisation layer's scale).
     * @param tuneBias Tune the bias.
     * @throws IllegalArgumentException if the bias is to be tuned and the layer has none.
     */
    public ParameterTuningModule(TargetLayer target, NDManager manager, boolean tuneWeight, boolean tuneBias) {
        super(target);
        if (tuneBias && target.bias() == null) {
            throw new IllegalArgumentException("layer '" + target.path() + "' (" + target.layer().describe()
                    + ") has no bias to tune; exclude it from the targets");
        }
        this.weight = tuneWeight ? copy(manager, "weight", target.weight()) : null;
        this.bias = tuneBias ? copy(manager, "bias", target.bias()) : null;
    }

    private Parameter copy(NDManager manager, String name, Parameter source) {
        Parameter p = addWeight(manager, name, source.shape());
        p.copyFrom(source.array());
        tensors.put(name, p);
        return p;
    }

    @Override
    protected NDArray weightDelta() {
        return weight == null ? null : weight.array().sub(target().weight().array());
    }

    @Override
    protected NDArray biasDelta() {
        return bias == null ? null : bias.array().sub(target().bias().array());
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /**
     * The number of values tuned per output feature: one per tuned parameter.
     * @return 1 or 2.
     */
    @Override
    public int rank() {
        return tensors.size();
    }

    @Override
    public String describe() {
        return "ParameterTuning(" + tensors.keySet() + ")";
    }
}
