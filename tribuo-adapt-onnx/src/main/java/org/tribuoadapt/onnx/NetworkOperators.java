package org.tribuoadapt.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXOperator;
import org.tribuo.util.onnx.ONNXOperators;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The ONNX operators (default domain, opset 13, the opset of Tribuo's {@link ONNXOperators}) that neural network
 * export needs and Tribuo 4.3.2's {@link ONNXOperators} does not define. Element-wise arithmetic, Softmax, Gather and
 * ReduceMean come from Tribuo's enum.
 */
public enum NetworkOperators implements ONNXOperator {
    /** Matrix product with NumPy broadcasting. */
    MATMUL("MatMul", 2, 0),
    /** max(0, x). */
    RELU("Relu", 1, 0),
    /** tanh(x). */
    TANH("Tanh", 1, 0),
    /** The Gauss error function, used to build the exact GELU. */
    ERF("Erf", 1, 0),
    /** Element-wise square root. */
    SQRT("Sqrt", 1, 0),
    /** Reshape to the shape given by an int64 tensor (0 keeps a dimension, -1 is inferred). */
    RESHAPE("Reshape", 2, 0),
    /** Permutes the axes. */
    TRANSPOSE("Transpose", 1, 0, new ONNXAttribute("perm", AttributeType.INTS, false)),
    /** 2-D convolution with optional bias. */
    CONV("Conv", 2, 1,
            new ONNXAttribute("dilations", AttributeType.INTS, false),
            new ONNXAttribute("group", AttributeType.INT, false),
            new ONNXAttribute("kernel_shape", AttributeType.INTS, false),
            new ONNXAttribute("pads", AttributeType.INTS, false),
            new ONNXAttribute("strides", AttributeType.INTS, false)),
    /** Max pooling. */
    MAX_POOL("MaxPool", 1, 0,
            new ONNXAttribute("kernel_shape", AttributeType.INTS, true),
            new ONNXAttribute("pads", AttributeType.INTS, false),
            new ONNXAttribute("strides", AttributeType.INTS, false)),
    /** Batch normalisation in inference form: inputs x, scale, bias, running mean, running variance. */
    BATCH_NORMALIZATION("BatchNormalization", 5, 0,
            new ONNXAttribute("epsilon", AttributeType.FLOAT, false),
            new ONNXAttribute("momentum", AttributeType.FLOAT, false));

    private final String opName;
    private final int numInputs;
    private final int numOptionalInputs;
    private final Map<String, ONNXAttribute> attributes;
    private final Set<String> mandatoryAttributeNames;

    NetworkOperators(String opName, int numInputs, int numOptionalInputs, ONNXAttribute... attributes) {
        this.opName = opName;
        this.numInputs = numInputs;
        this.numOptionalInputs = numOptionalInputs;
        Map<String, ONNXAttribute> byName = new LinkedHashMap<>();
        Set<String> mandatory = new LinkedHashSet<>();
        for (ONNXAttribute a : attributes) {
            byName.put(a.getName(), a);
            if (a.isMandatory()) {
                mandatory.add(a.getName());
            }
        }
        this.attributes = Collections.unmodifiableMap(byName);
        this.mandatoryAttributeNames = Collections.unmodifiableSet(mandatory);
    }

    @Override
    public String getOpName() {
        return opName;
    }

    @Override
    public int getNumInputs() {
        return numInputs;
    }

    @Override
    public int getNumOptionalInputs() {
        return numOptionalInputs;
    }

    @Override
    public int getNumOutputs() {
        return 1;
    }

    @Override
    public Map<String, ONNXAttribute> getAttributes() {
        return attributes;
    }

    @Override
    public Set<String> getMandatoryAttributeNames() {
        return mandatoryAttributeNames;
    }

    @Override
    public int getOpVersion() {
        return ONNXOperators.getOpsetVersion();
    }

    /**
     * The default ONNX domain.
     * @return null, as Tribuo's default-domain operators.
     */
    @Override
    public String getOpDomain() {
        return null;
    }
}
