package org.tribuoadapt.onnx;

import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.util.Arrays;
import java.util.Map;

/**
 * The input and output an {@link OnnxStage} uses from an ONNX model: its single float input and one float output,
 * each with a dynamic batch dimension first. Dimensions the model leaves symbolic must be configured; configured
 * dimensions must agree with the ones the model fixes.
 */
public final class OnnxSignature {

    private final String inputName;
    private final long[] inputDims;
    private final String outputName;
    private final long[] outputDims;

    private OnnxSignature(String inputName, long[] inputDims, String outputName, long[] outputDims) {
        this.inputName = inputName;
        this.inputDims = inputDims;
        this.outputName = outputName;
        this.outputDims = outputDims;
    }

    /**
     * Reads the signature of an ONNX model.
     * @param model The model bytes.
     * @param outputName The output to use; empty for the model's first output.
     * @return The signature.
     * @throws IllegalArgumentException if the bytes are not a loadable ONNX model, or the model does not have one
     * float input and the requested float output, each batched.
     */
    public static OnnxSignature read(byte[] model, String outputName) {
        try (OrtSession session = OrtSessions.open(model)) {
            return of(session, outputName);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close an ONNX Runtime session: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the signature of an open session.
     * @param session The session.
     * @param outputName The output to use; empty for the first output.
     * @return The signature.
     * @throws IllegalArgumentException as {@link #read}.
     */
    static OnnxSignature of(OrtSession session, String outputName) {
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (inputs.size() != 1) {
                throw new IllegalArgumentException("the ONNX model has " + inputs.size() + " inputs " + inputs.keySet()
                        + "; a frozen ONNX stage feeds exactly one");
            }
            NodeInfo input = inputs.values().iterator().next();
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            NodeInfo output = outputName.isEmpty() ? outputs.values().iterator().next() : outputs.get(outputName);
            if (output == null) {
                throw new IllegalArgumentException("the ONNX model has no output '" + outputName + "'; its outputs are "
                        + outputs.keySet());
            }
            return new OnnxSignature(input.getName(), batchedFloatDims(input, "input"), output.getName(),
                    batchedFloatDims(output, "output"));
        } catch (OrtException e) {
            throw new IllegalArgumentException("cannot read the ONNX model's inputs and outputs: " + e.getMessage(), e);
        }
    }

    private static long[] batchedFloatDims(NodeInfo node, String role) {
        if (!(node.getInfo() instanceof TensorInfo) || ((TensorInfo) node.getInfo()).type != OnnxJavaType.FLOAT) {
            throw new IllegalArgumentException("the ONNX model's " + role + " '" + node.getName() + "' is " + node.getInfo()
                    + ", expected a float tensor");
        }
        long[] dims = ((TensorInfo) node.getInfo()).getShape();
        if (dims.length < 2 || dims[0] >= 0) {
            throw new IllegalArgumentException("the ONNX model's " + role + " '" + node.getName() + "' has shape "
                    + format(dims) + ", expected a dynamic batch dimension followed by the example's dimensions");
        }
        return dims;
    }

    /**
     * The model's input name.
     * @return The name.
     */
    public String inputName() {
        return inputName;
    }

    /**
     * The name of the output the stage reads.
     * @return The name.
     */
    public String outputName() {
        return outputName;
    }

    /**
     * The shape of one input example.
     * @param configured The configured shape, or null to take the model's.
     * @return The resolved shape.
     * @throws IllegalArgumentException if the model leaves a dimension unknown and none is configured, or the
     * configured shape contradicts the model.
     */
    public Shape inputShape(Shape configured) {
        return resolve("input '" + inputName + "'", inputDims, configured);
    }

    /**
     * The shape of one output example.
     * @param configured The configured shape, or null to take the model's.
     * @return The resolved shape.
     * @throws IllegalArgumentException as {@link #inputShape}.
     */
    public Shape outputShape(Shape configured) {
        return resolve("output '" + outputName + "'", outputDims, configured);
    }

    private static Shape resolve(String what, long[] dims, Shape configured) {
        long[] example = Arrays.copyOfRange(dims, 1, dims.length);
        if (configured == null) {
            if (Arrays.stream(example).anyMatch(d -> d < 0)) {
                throw new IllegalArgumentException("the ONNX model's " + what + " has shape " + format(dims)
                        + " with unknown example dimensions; configure the shape of one example");
            }
            return new Shape(example);
        }
        boolean agrees = configured.dimension() == example.length;
        for (int i = 0; agrees && i < example.length; i++) {
            agrees = configured.get(i) > 0 && (example[i] < 0 || example[i] == configured.get(i));
        }
        if (!agrees) {
            throw new IllegalArgumentException("the configured example shape " + configured + " does not match the ONNX "
                    + "model's " + what + " of shape " + format(dims));
        }
        return configured;
    }

    private static String format(long[] dims) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            b.append(i == 0 ? "" : ", ").append(dims[i] < 0 ? "?" : Long.toString(dims[i]));
        }
        return b.append(']').toString();
    }

    @Override
    public String toString() {
        return "OnnxSignature(" + inputName + format(inputDims) + " -> " + outputName + format(outputDims) + ")";
    }
}
