package org.tribuoadapt.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A frozen layer that runs an ONNX model with ONNX Runtime: how a network starts from a pre-trained backbone exported
 * from another framework, with trainable DJL layers (a head, adapters) on top.
 * <p>
 * The stage has no parameters and no gradient flows through it: its output is a new tensor computed outside
 * PyTorch's autograd, so training above it never changes it, and asking for a gradient through it (an input that
 * requires one) is an error. It holds the ONNX model's bytes and their SHA-256; its ONNX Runtime session is closed
 * with the network's memory. Inference is thread-safe (ONNX Runtime sessions accept concurrent runs).
 */
public final class OnnxStage extends Layer {

    private final byte[] model;
    private final String sha256;
    private final OnnxSignature signature;
    private final Shape inputShape;
    private final Shape outputShape;
    private final OrtSession session;

    /**
     * Loads an ONNX model as a frozen stage.
     * @param manager The network's memory; the ONNX Runtime session is closed with it.
     * @param model The ONNX model bytes.
     * @param outputName The model output to use; empty for its first output.
     * @param inputShape The shape of one input example, or null to read it from the model.
     * @param outputShape The shape of one output example, or null to read it from the model.
     * @throws IllegalArgumentException if the bytes are not a loadable ONNX model, the model does not have one float
     * input and the requested float output, or the shapes cannot be resolved or contradict the model.
     */
    public OnnxStage(NDManager manager, byte[] model, String outputName, Shape inputShape, Shape outputShape) {
        this.model = model.clone();
        this.sha256 = NetworkProvenance.sha256(this.model);
        OrtSession opened = OrtSessions.open(this.model);
        try {
            this.signature = OnnxSignature.of(opened, outputName);
            this.inputShape = signature.inputShape(inputShape);
            this.outputShape = signature.outputShape(outputShape);
            manager.attachInternal("OnnxStage-" + UUID.randomUUID(), opened);
        } catch (RuntimeException e) {
            try {
                opened.close();
            } catch (OrtException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        this.session = opened;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        if (input.hasGradient()) {
            throw new IllegalStateException("layer '" + path() + "' is a frozen ONNX stage: no gradient flows through it, "
                    + "but its input requires one (input gradients and training below the stage are not possible)");
        }
        long[] dims = input.getShape().getShape();
        try (OnnxTensor tensor = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(),
                     FloatBuffer.wrap(input.toFloatArray()), dims);
             OrtSession.Result result = session.run(Map.of(signature.inputName(), tensor), Set.of(signature.outputName()))) {
            OnnxValue value = result.get(0);
            long[] produced = ((OnnxTensor) value).getInfo().getShape();
            long[] expected = new Shape(dims[0]).addAll(outputShape).getShape();
            if (!Arrays.equals(produced, expected)) {
                throw new IllegalStateException("layer '" + path() + "': the ONNX model's output '" + signature.outputName()
                        + "' has shape " + Arrays.toString(produced) + ", expected " + Arrays.toString(expected));
            }
            FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return context.manager().create(values, new Shape(produced));
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed in layer '" + path() + "' on a batch of shape "
                    + input.getShape() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (!inputShape.equals(this.inputShape)) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") expects input " + this.inputShape
                    + " but gets " + inputShape);
        }
        return outputShape;
    }

    /**
     * The ONNX model.
     * @return A copy of its bytes.
     */
    public byte[] modelBytes() {
        return model.clone();
    }

    /**
     * The SHA-256 of the ONNX model's bytes.
     * @return The hex hash.
     */
    public String sha256() {
        return sha256;
    }

    /**
     * The model's input and the output this stage reads.
     * @return The signature.
     */
    public OnnxSignature signature() {
        return signature;
    }

    /**
     * The shape of one input example.
     * @return The shape.
     */
    public Shape exampleInputShape() {
        return inputShape;
    }

    /**
     * The shape of one output example.
     * @return The shape.
     */
    public Shape exampleOutputShape() {
        return outputShape;
    }

    @Override
    public String describe() {
        return "OnnxStage(" + inputShape + " -> " + outputShape + ", sha256 " + sha256.substring(0, 12) + ")";
    }
}
