package org.tribuoadapt.onnx;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.layers.Sequential;
import org.tribuoadapt.core.nn.spec.NetworkSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;

/**
 * A network that starts with a frozen, pre-trained ONNX model (an {@link OnnxStage} named {@code backbone}, run by
 * ONNX Runtime) followed by a trainable head built by another spec, for example an {@link
 * org.tribuoadapt.core.nn.spec.MLPSpec} over the ONNX outputs. {@link org.tribuoadapt.core.model.NetworkTrainer}
 * trains the head alone, since the stage has no parameters. The head's layers keep their own names ({@code fc1},
 * {@code head}, ...) next to {@code backbone} when the head spec builds a {@link Sequential}, and sit under
 * {@code classifier} otherwise.
 * <p>
 * When configured from a file, the spec reads the model, checks it against {@code onnxModelSha256} if that is set, and
 * fills in the hash, the output name and both example shapes from the model, so that its provenance describes the
 * model completely. The bytes are one of its {@link #resources()}: a {@code NetworkModel} stores them, and a spec
 * rebuilt from a stored model's provenance gets them back through {@link #withResources}, verified against the
 * recorded hash, so the model works after the file is gone.
 */
public final class OnnxBackboneSpec implements NetworkSpec {
    private static final long serialVersionUID = 1L;

    /** The name of the resource holding the ONNX model's bytes. */
    public static final String MODEL_RESOURCE = "onnxModel";

    /** The name of the frozen stage in the network. */
    public static final String BACKBONE = "backbone";

    /** The name of the head when its spec does not build a Sequential. */
    public static final String CLASSIFIER = "classifier";

    @Config(mandatory = true, description = "Path of the frozen ONNX model file.")
    private String onnxModel;

    @Config(description = "SHA-256 of the ONNX model; when empty it is filled in from the file, otherwise the file must match it.")
    private String onnxModelSha256 = "";

    @Config(description = "The ONNX output the head reads; when empty the model's first output, filled in from the model.")
    private String onnxOutputName = "";

    @Config(description = "Shape of one example of the ONNX input (the network's input shape); when empty it is read from the model.")
    private int[] onnxInputShape = new int[0];

    @Config(description = "Shape of one example of the ONNX output (the head's input shape); when empty it is read from the model.")
    private int[] onnxOutputShape = new int[0];

    @Config(mandatory = true, description = "The trainable head over the ONNX outputs; its input shape must equal the ONNX output shape.")
    private NetworkSpec head;

    private byte[] modelBytes;

    /** For OLCUT. */
    private OnnxBackboneSpec() {}

    /**
     * Creates a spec whose shapes and hash are read from the model file.
     * @param onnxModel The ONNX model file.
     * @param head The trainable head; its input shape must equal the model's output shape.
     * @throws PropertyException if the file is missing or not a usable ONNX model, or the head does not fit it.
     */
    public OnnxBackboneSpec(Path onnxModel, NetworkSpec head) {
        this.onnxModel = onnxModel.toString();
        this.head = head;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (onnxModel == null || onnxModel.isBlank()) {
            throw new PropertyException("", "onnxModel", "onnxModel is empty, expected the path of an ONNX model file");
        }
        Path path = Paths.get(onnxModel);
        if (Files.exists(path)) {
            try {
                adopt(Files.readAllBytes(path), "file '" + onnxModel + "'");
            } catch (IOException e) {
                throw new PropertyException(e, "", "onnxModel", "cannot read ONNX model file '" + onnxModel + "': " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new PropertyException(e, "", "onnxModel", e.getMessage());
            }
        } else if (onnxModelSha256.isEmpty() || onnxOutputName.isEmpty() || onnxInputShape.length == 0
                || onnxOutputShape.length == 0) {
            throw new PropertyException("", "onnxModel", "ONNX model file '" + onnxModel + "' does not exist");
        } else {
            // Rebuilt from a stored model's provenance: the model hands over its stored copy through withResources.
            try {
                checkHead(shapeOf(onnxOutputShape), onnxOutputName);
            } catch (IllegalArgumentException e) {
                throw new PropertyException(e, "", "head", e.getMessage());
            }
        }
    }

    /**
     * Takes a copy of the model as this spec's model: checks its hash against the recorded one, reads its signature,
     * checks the head, and records what was read.
     */
    private void adopt(byte[] bytes, String source) {
        String actual = NetworkProvenance.sha256(bytes);
        if (!onnxModelSha256.isEmpty() && !onnxModelSha256.equalsIgnoreCase(actual)) {
            throw new IllegalArgumentException("the ONNX model " + source + " has SHA-256 " + actual
                    + " but the spec expects " + onnxModelSha256);
        }
        OnnxSignature signature;
        try {
            signature = OnnxSignature.read(bytes, onnxOutputName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the ONNX model " + source + " is not usable as a frozen stage: " + e.getMessage(), e);
        }
        Shape input = signature.inputShape(onnxInputShape.length == 0 ? null : shapeOf(onnxInputShape));
        Shape output = signature.outputShape(onnxOutputShape.length == 0 ? null : shapeOf(onnxOutputShape));
        checkHead(output, signature.outputName());
        onnxModelSha256 = actual;
        onnxOutputName = signature.outputName();
        onnxInputShape = intsOf(input);
        onnxOutputShape = intsOf(output);
        modelBytes = bytes;
    }

    private void checkHead(Shape onnxOutput, String outputName) {
        if (!head.inputShape().equals(onnxOutput)) {
            throw new IllegalArgumentException("the head " + head + " expects input " + head.inputShape()
                    + " but the ONNX model's output '" + outputName + "' gives " + onnxOutput + " per example");
        }
    }

    @Override
    public Shape inputShape() {
        return shapeOf(onnxInputShape);
    }

    /**
     * The trainable part.
     * @return The head's spec.
     */
    public NetworkSpec head() {
        return head;
    }

    /**
     * The SHA-256 of the ONNX model.
     * @return The hex hash.
     */
    public String onnxModelSha256() {
        return onnxModelSha256;
    }

    @Override
    public Layer buildLayers(NDManager manager, int numOutputs) {
        Sequential root = new Sequential();
        root.add(BACKBONE, new OnnxStage(manager, requireModel(), onnxOutputName, inputShape(), shapeOf(onnxOutputShape)));
        Layer headRoot = head.buildLayers(manager, numOutputs);
        if (headRoot instanceof Sequential) {
            for (Map.Entry<String, Layer> child : new ArrayList<>(headRoot.children().entrySet())) {
                root.add(child.getKey(), child.getValue());
            }
        } else {
            root.add(CLASSIFIER, headRoot);
        }
        return root;
    }

    /**
     * The ONNX model's bytes, keyed {@value #MODEL_RESOURCE}.
     * @return The resources.
     * @throws IllegalStateException if the spec has no copy of the model.
     */
    @Override
    public Map<String, byte[]> resources() {
        return Map.of(MODEL_RESOURCE, requireModel().clone());
    }

    /**
     * A copy of this spec that uses a stored copy of the ONNX model.
     * @param resources The stored resources: {@value #MODEL_RESOURCE} only.
     * @return The spec.
     * @throws IllegalArgumentException if the resource is missing, or its SHA-256 is not the recorded one (the stored
     * model is corrupt), or it no longer fits the recorded shapes.
     */
    @Override
    public OnnxBackboneSpec withResources(Map<String, byte[]> resources) {
        byte[] stored = resources.get(MODEL_RESOURCE);
        if (stored == null || resources.size() != 1) {
            throw new IllegalArgumentException("an OnnxBackboneSpec takes exactly the stored resource '" + MODEL_RESOURCE
                    + "', found " + resources.keySet());
        }
        OnnxBackboneSpec copy = new OnnxBackboneSpec();
        copy.onnxModel = onnxModel;
        copy.onnxModelSha256 = onnxModelSha256;
        copy.onnxOutputName = onnxOutputName;
        copy.onnxInputShape = onnxInputShape.clone();
        copy.onnxOutputShape = onnxOutputShape.clone();
        copy.head = head;
        copy.adopt(stored.clone(), "stored with the model for '" + onnxModel + "'");
        return copy;
    }

    private byte[] requireModel() {
        if (modelBytes == null) {
            throw new IllegalStateException("the ONNX model '" + onnxModel + "' (SHA-256 " + onnxModelSha256
                    + ") is not available: the file does not exist and no stored copy was supplied");
        }
        return modelBytes;
    }

    private static Shape shapeOf(int[] dims) {
        return new Shape(Arrays.stream(dims).asLongStream().toArray());
    }

    private static int[] intsOf(Shape shape) {
        return Arrays.stream(shape.getShape()).mapToInt(Math::toIntExact).toArray();
    }

    @Override
    public String toString() {
        return "OnnxBackboneSpec(onnxModel=" + onnxModel + ",sha256=" + onnxModelSha256 + ",input=" + inputShape()
                + ",output=" + onnxOutputName + Arrays.toString(onnxOutputShape) + ",head=" + head + ")";
    }
}
