package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.safetensors.TensorData;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A network: a root {@link Layer} whose descendants have stable dotted names, the shape of one input example, and
 * the native memory that holds every parameter.
 * <p>
 * Parameter names and layouts are PyTorch's ({@code fc1.weight} is {@code [out, in]}, a Conv2d weight is
 * {@code [out, in, kh, kw]}), so {@link #stateDict()} and {@link #loadStateDict} exchange weights with PyTorch
 * through safetensors files. A network is mutable (training changes it, adapters are injected into it) and is not
 * thread-safe for training; inference from several threads is safe. Close it to free its native memory.
 */
public final class Network implements AutoCloseable {

    private final NDManager manager;
    private final Layer root;
    private final Shape inputShape;
    private final Shape outputShape;

    /**
     * Assembles a network. The root's children get their dotted paths here.
     * @param manager The manager that owns every parameter of {@code root}; the network closes it.
     * @param root The root layer.
     * @param inputShape The shape of one input example (no batch dimension).
     */
    public Network(NDManager manager, Layer root, Shape inputShape) {
        this.manager = manager;
        this.root = root;
        this.inputShape = inputShape;
        root.assignPath("");
        this.outputShape = root.outputShape(inputShape);
    }

    /**
     * Draws initial values for every parameter. Each layer gets its own random stream derived from {@code seed} and
     * its path, so a layer's initial values do not depend on which other layers exist.
     * @param seed The seed.
     */
    public void initialize(long seed) {
        try (GradientMode ignored = GradientMode.disabled()) {
            root.resetParameters(streamFor(seed, ""));
            for (Layer layer : layers().values()) {
                layer.resetParameters(streamFor(seed, layer.path()));
            }
        }
    }

    /**
     * The random stream a layer at {@code path} is initialised from.
     * @param seed The network seed.
     * @param path The layer's path.
     * @return A stream that depends only on the seed and the path.
     */
    public static SplittableRandom streamFor(long seed, String path) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return new SplittableRandom(seed ^ hash);
    }

    /**
     * Runs the network on a batch.
     * @param batch A batch whose shape is {@code [N, inputShape...]}.
     * @param context The forward context.
     * @return The outputs, {@code [N, outputShape...]}.
     * @throws IllegalArgumentException if the batch does not have the input shape.
     */
    public NDArray forward(NDArray batch, ForwardContext context) {
        Shape shape = batch.getShape();
        if (shape.dimension() != inputShape.dimension() + 1 || !shape.slice(1).equals(inputShape)) {
            throw new IllegalArgumentException("the network expects batches of shape [N, "
                    + dims(inputShape) + "] but got " + shape);
        }
        return root.apply(batch, context);
    }

    private static String dims(Shape shape) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shape.dimension(); i++) {
            b.append(i == 0 ? "" : ", ").append(shape.get(i));
        }
        return b.toString();
    }

    /**
     * The shape of one input example.
     * @return The input shape.
     */
    public Shape inputShape() {
        return inputShape;
    }

    /**
     * The shape of one output example (for a classifier, the number of classes).
     * @return The output shape.
     */
    public Shape outputShape() {
        return outputShape;
    }

    /**
     * The root layer.
     * @return The root.
     */
    public Layer root() {
        return root;
    }

    /**
     * The memory that owns this network's parameters. Layers added to the network (adapters) allocate here.
     * @return The manager.
     */
    public NDManager manager() {
        return manager;
    }

    /**
     * Every layer below the root by dotted path, depth first in forward order (PyTorch's {@code named_modules}
     * without the root).
     * @return An ordered map of layers.
     */
    public Map<String, Layer> layers() {
        Map<String, Layer> out = new LinkedHashMap<>();
        collectLayers(root, out);
        return out;
    }

    private static void collectLayers(Layer layer, Map<String, Layer> out) {
        for (Layer child : layer.children().values()) {
            out.put(child.path(), child);
            collectLayers(child, out);
        }
    }

    /**
     * Looks up a layer by its dotted path.
     * @param path The path.
     * @return The layer.
     * @throws IllegalArgumentException listing the layer names, if there is no such layer.
     */
    public Layer layer(String path) {
        Layer layer = layers().get(path);
        if (layer == null) {
            throw new IllegalArgumentException("layer '" + path + "' not found; layers are: "
                    + String.join(", ", layers().keySet()));
        }
        return layer;
    }

    /**
     * Replaces the layer at {@code path}, keeping its position and name.
     * @param path The dotted path.
     * @param replacement The new layer.
     * @return The layer that was replaced.
     */
    public Layer replaceLayer(String path, Layer replacement) {
        Layer old = layer(path);
        int dot = path.lastIndexOf('.');
        Layer parent = dot < 0 ? root : layer(path.substring(0, dot));
        parent.replaceChild(path.substring(dot + 1), replacement);
        return old;
    }

    /**
     * Every parameter and buffer by dotted name ({@code layer.path + "." + local name}), in forward order. These
     * are the keys of the equivalent PyTorch {@code state_dict}.
     * @return An ordered map.
     */
    public Map<String, Parameter> parameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectParameters(root, out);
        return out;
    }

    private static void collectParameters(Layer layer, Map<String, Parameter> out) {
        for (Parameter p : layer.parameters().values()) {
            out.put(layer.path().isEmpty() ? p.name() : layer.path() + "." + p.name(), p);
        }
        for (Layer child : layer.children().values()) {
            collectParameters(child, out);
        }
    }

    /**
     * The parameters that currently receive gradients.
     * @return The trainable parameters, in forward order.
     */
    public List<Parameter> trainableParameters() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : parameters().values()) {
            if (p.isTrainable()) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Freezes every weight of the network.
     */
    public void freezeAll() {
        for (Parameter p : parameters().values()) {
            if (p.kind() == Parameter.Kind.WEIGHT) {
                p.setTrainable(false);
            }
        }
    }

    /**
     * Counts the learnable values (weights, not buffers).
     * @param trainableOnly Count only trainable weights.
     * @return The count.
     */
    public long countWeights(boolean trainableOnly) {
        long count = 0;
        for (Parameter p : parameters().values()) {
            if (p.kind() == Parameter.Kind.WEIGHT && (!trainableOnly || p.isTrainable())) {
                count += p.size();
            }
        }
        return count;
    }

    /**
     * Copies every parameter and buffer out of native memory, in PyTorch's names and layouts.
     * @return An ordered map from dotted name to tensor.
     */
    public Map<String, TensorData> stateDict() {
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : parameters().entrySet()) {
            out.put(e.getKey(), toTensorData(e.getValue().array()));
        }
        return out;
    }

    /**
     * Copies a tensor out of native memory.
     * @param array The tensor.
     * @return Its data, as F32 for floating-point tensors and I64 for integer ones.
     */
    public static TensorData toTensorData(NDArray array) {
        long[] shape = array.getShape().getShape();
        if (array.getDataType() == DataType.INT64) {
            return TensorData.ofLongs(shape, array.toLongArray());
        }
        if (array.getDataType() == DataType.FLOAT32) {
            return TensorData.ofFloats(shape, array.toFloatArray());
        }
        try (NDArray converted = array.toType(DataType.FLOAT32, false)) {
            return TensorData.ofFloats(shape, converted.toFloatArray());
        }
    }

    /**
     * Loads weights by name, checking every shape. Floating-point tensors of any supported precision are converted.
     * @param tensors Tensors keyed by dotted name (PyTorch's {@code state_dict} keys).
     * @param strict If true, every parameter of the network must be present and every tensor must be used; if false,
     * only the tensors present are loaded and unknown names are still an error.
     * @throws IllegalArgumentException naming the tensor and both shapes on a mismatch, or listing missing and
     * unexpected names. Nothing is changed when the check fails.
     */
    public void loadStateDict(Map<String, TensorData> tensors, boolean strict) {
        Map<String, Parameter> params = parameters();
        List<String> problems = new ArrayList<>();
        TreeSet<String> unexpected = new TreeSet<>(tensors.keySet());
        unexpected.removeAll(params.keySet());
        if (!unexpected.isEmpty()) {
            problems.add("unexpected tensors " + unexpected + " (the network's parameters are " + params.keySet() + ")");
        }
        if (strict) {
            TreeSet<String> missing = new TreeSet<>(params.keySet());
            missing.removeAll(tensors.keySet());
            if (!missing.isEmpty()) {
                problems.add("missing tensors " + missing);
            }
        }
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            Parameter p = params.get(e.getKey());
            if (p != null && !Arrays.equals(p.shape().getShape(), e.getValue().shape())) {
                problems.add("tensor '" + e.getKey() + "' has shape " + Arrays.toString(e.getValue().shape())
                        + " but the network's parameter has shape " + Arrays.toString(p.shape().getShape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot load weights: " + String.join("; ", problems));
        }
        try (NDManager scratch = manager.newSubManager()) {
            for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
                Parameter p = params.get(e.getKey());
                Shape shape = p.shape();
                NDArray value = p.array().getDataType() == DataType.INT64
                        ? scratch.create(e.getValue().toLongArray(), shape)
                        : scratch.create(e.getValue().toFloatArray(), shape);
                p.copyFrom(value);
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Network(input=").append(inputShape).append(", output=").append(outputShape).append(")");
        for (Layer layer : layers().values()) {
            b.append("\n  ").append(layer.path()).append(": ").append(layer.describe());
        }
        return b.toString();
    }
}
