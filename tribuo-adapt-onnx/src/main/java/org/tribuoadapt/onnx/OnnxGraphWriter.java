package org.tribuoadapt.onnx;

import ai.djl.ndarray.types.Shape;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperator;
import org.tribuo.util.onnx.ONNXRef;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.Hypernetwork;
import org.tribuoadapt.core.nn.layers.MixtureOfExperts;
import org.tribuoadapt.core.nn.layers.WideNetEncoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The state of one ONNX export that {@link LayerExporter}s write into: Tribuo's {@link ONNXContext}, the registry
 * that exports child layers, and helpers for the weights and shape operators every exporter needs. Weights are
 * named after their PyTorch {@code state_dict} keys, operator outputs after the layer path.
 */
public final class OnnxGraphWriter {

    private final ONNXContext context;
    private final LayerExporterRegistry registry;

    /**
     * Creates a writer.
     * @param context The ONNX graph being built.
     * @param registry The exporters of the layer types that may appear.
     */
    public OnnxGraphWriter(ONNXContext context, LayerExporterRegistry registry) {
        this.context = context;
        this.registry = registry;
    }

    /**
     * The ONNX graph being built.
     * @return The context.
     */
    public ONNXContext context() {
        return context;
    }

    /**
     * Exports a layer through the registry; composite layers call this for their children.
     * @param layer The layer.
     * @param input Its input batch.
     * @param inputShape The shape of one input example.
     * @return Its output batch.
     * @throws UnsupportedOperationException naming the layer's path and class, if no exporter is registered for it.
     */
    public ONNXRef<?> layer(Layer layer, ONNXRef<?> input, Shape inputShape) {
        LayerExporter<Layer> exporter = registry.exporterFor(layer);
        if (exporter == null && layer instanceof OnnxStage) {
            throw new UnsupportedOperationException("cannot export layer '" + layer.path() + "' (" + layer.describe()
                    + ") to ONNX: the exporter does not inline a frozen ONNX stage's model into the graph, so networks "
                    + "with one cannot be exported");
        }
        if (exporter == null && (layer instanceof MixtureOfExperts || layer instanceof WideNetEncoder)) {
            throw new UnsupportedOperationException("cannot export layer '" + layer.path() + "' (" + layer.describe()
                    + ") to ONNX: mixture-of-experts routing (WideNet) is data-dependent, because which tokens an "
                    + "expert takes, and which it drops over its capacity, depends on the whole batch, so networks "
                    + "with a MixtureOfExperts layer are not exported");
        }
        if (exporter == null && layer instanceof Hypernetwork) {
            throw new UnsupportedOperationException("cannot export layer '" + layer.path() + "' (" + layer.describe()
                    + ") to ONNX: a hypernetwork computes its primary network's weights from the input, which the "
                    + "exporter's fixed layers cannot express; export the primary network at a fixed conditioning value "
                    + "instead (HypernetworkSpec.primarySpec() loaded with Hypernetwork.primaryWeightsAt(...))");
        }
        if (exporter == null) {
            throw new UnsupportedOperationException("cannot export layer '" + layer.path() + "' (" + layer.describe()
                    + ", class " + layer.getClass().getName() + ") to ONNX: no LayerExporter is registered for that class. "
                    + "Adapters must be merged first (PeftModel.merge() returns a plain NetworkModel); other layer types "
                    + "need an exporter in LayerExporterRegistry. Exporters exist for " + registry.supportedTypes());
        }
        return exporter.export(layer, input, inputShape, this);
    }

    /**
     * A parameter's current values as a float initializer of its shape, named by its {@code state_dict} key.
     * @param layer The layer owning it.
     * @param parameter The parameter.
     * @return The initializer.
     */
    public ONNXInitializer weight(Layer layer, Parameter parameter) {
        return tensor(stateDictName(layer, parameter), parameter.shape().getShape(), parameter.toFloatArray());
    }

    /**
     * A matrix parameter {@code [rows, cols]} transposed to {@code [cols, rows]}, e.g. a Linear weight
     * {@code [out, in]} for a {@code MatMul} from the right.
     * @param layer The layer owning it.
     * @param parameter The 2-D parameter.
     * @return The initializer.
     */
    public ONNXInitializer transposedWeight(Layer layer, Parameter parameter) {
        long[] shape = parameter.shape().getShape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("parameter '" + stateDictName(layer, parameter) + "' has shape "
                    + Arrays.toString(shape) + ", expected a matrix");
        }
        return transposedMatrix(stateDictName(layer, parameter) + "_T", Math.toIntExact(shape[0]),
                Math.toIntExact(shape[1]), parameter.toFloatArray());
    }

    /**
     * A matrix {@code [rows, cols]} transposed to {@code [cols, rows]}, as an initializer.
     * @param name The initializer's base name.
     * @param rows The matrix's rows.
     * @param cols The matrix's columns.
     * @param values The matrix, row-major.
     * @return The initializer.
     */
    public ONNXInitializer transposedMatrix(String name, int rows, int cols, float[] values) {
        float[] transposed = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                transposed[c * rows + r] = values[r * cols + c];
            }
        }
        return tensor(name, new long[] {cols, rows}, transposed);
    }

    /**
     * A float initializer.
     * @param name Its base name.
     * @param shape Its shape.
     * @param values Its values in row-major order.
     * @return The initializer.
     */
    public ONNXInitializer tensor(String name, long[] shape, float[] values) {
        List<Integer> dims = new ArrayList<>(shape.length);
        for (long d : shape) {
            dims.add(Math.toIntExact(d));
        }
        return context.floatTensor(name, dims, buffer -> buffer.put(values));
    }

    /**
     * A float scalar initializer.
     * @param name Its base name.
     * @param value The value.
     * @return The initializer.
     */
    public ONNXInitializer scalar(String name, float value) {
        return context.constant(name, value);
    }

    /**
     * Adds an operator node.
     * @param op The operator.
     * @param name The base name of its output.
     * @param inputs Its inputs, in order.
     * @param attributes Its attributes.
     * @return Its output.
     */
    public ONNXNode op(ONNXOperator op, String name, List<? extends ONNXRef<?>> inputs, Map<String, Object> attributes) {
        return context.operation(op, new ArrayList<ONNXRef<?>>(inputs), name, attributes);
    }

    /**
     * Adds an operator node without attributes.
     * @param op The operator.
     * @param name The base name of its output.
     * @param inputs Its inputs, in order.
     * @return Its output.
     */
    public ONNXNode op(ONNXOperator op, String name, ONNXRef<?>... inputs) {
        return op(op, name, Arrays.asList(inputs), Collections.emptyMap());
    }

    /**
     * Reshapes a batch so that each example has the given shape (the batch dimension is inferred).
     * @param x The batch.
     * @param name The base name of the output.
     * @param exampleShape The new shape of one example.
     * @return The reshaped batch.
     */
    public ONNXNode reshape(ONNXRef<?> x, String name, long... exampleShape) {
        long[] dims = new long[exampleShape.length + 1];
        dims[0] = -1;
        System.arraycopy(exampleShape, 0, dims, 1, exampleShape.length);
        return op(NetworkOperators.RESHAPE, name, x, context.array(name + "_shape", dims));
    }

    /**
     * Permutes the axes of a tensor (batch axis included).
     * @param x The tensor.
     * @param name The base name of the output.
     * @param permutation The new order of the axes.
     * @return The transposed tensor.
     */
    public ONNXNode transpose(ONNXRef<?> x, String name, int... permutation) {
        return op(NetworkOperators.TRANSPOSE, name, List.of(x), Map.of("perm", permutation));
    }

    /**
     * The base name for the outputs of a layer: its path, or {@code network} for the root.
     * @param layer The layer.
     * @return The name.
     */
    public static String nameOf(Layer layer) {
        return layer.path().isEmpty() ? "network" : layer.path();
    }

    private static String stateDictName(Layer layer, Parameter parameter) {
        return layer.path().isEmpty() ? parameter.name() : layer.path() + "." + parameter.name();
    }
}
