package org.tribuoadapt.onnx;

import ai.djl.ndarray.types.Shape;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXRef;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.layers.ActivationLayer;
import org.tribuoadapt.core.nn.layers.CompandedLinear;
import org.tribuoadapt.core.nn.layers.Dropout;
import org.tribuoadapt.core.nn.layers.Flatten;
import org.tribuoadapt.core.nn.layers.FullyConnected;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.nn.layers.Sequential;
import org.tribuoadapt.core.nn.layers.SpectralLinear;

import static org.tribuoadapt.onnx.OnnxGraphWriter.nameOf;

/**
 * ONNX exporters of the general-purpose layers: {@link Sequential}, {@link Linear} ({@code MatMul} with the
 * transposed weight, then {@code Add}, so that it also maps token sequences), {@link SpectralLinear} and
 * {@link CompandedLinear} (the same with their effective weights), {@link ActivationLayer},
 * {@link Dropout} (the identity at inference) and {@link Flatten} (a row-major {@code Reshape}, so NCHW order is
 * kept).
 */
final class DenseLayerExporters {

    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));

    private DenseLayerExporters() {}

    static void registerAll(LayerExporterRegistry registry) {
        registry.register(Sequential.class, DenseLayerExporters::sequential)
                .register(Linear.class, DenseLayerExporters::linear)
                .register(SpectralLinear.class, (layer, input, shape, graph) ->
                        withEffectiveWeight(layer, layer.effectiveWeight(), input, graph))
                .register(CompandedLinear.class, (layer, input, shape, graph) ->
                        withEffectiveWeight(layer, layer.effectiveWeight(), input, graph))
                .register(ActivationLayer.class, (layer, input, shape, graph) ->
                        activation(layer.activation(), input, nameOf(layer), graph))
                .register(Dropout.class, (layer, input, shape, graph) -> input)
                .register(Flatten.class, (layer, input, shape, graph) ->
                        graph.reshape(input, nameOf(layer), shape.size()));
    }

    private static ONNXRef<?> sequential(Sequential layer, ONNXRef<?> input, Shape inputShape, OnnxGraphWriter graph) {
        ONNXRef<?> x = input;
        Shape shape = inputShape;
        for (Layer child : layer.children().values()) {
            x = graph.layer(child, x, shape);
            shape = child.outputShape(shape);
        }
        return x;
    }

    private static ONNXRef<?> linear(Linear layer, ONNXRef<?> input, Shape inputShape, OnnxGraphWriter graph) {
        String name = nameOf(layer);
        ONNXRef<?> y = graph.op(NetworkOperators.MATMUL, name + "/matmul", input, graph.transposedWeight(layer, layer.weight()));
        return withBias(layer, layer.bias(), y, name, graph);
    }

    /**
     * σReparam and the weight compander are parameterisations for training: at inference such a layer is a Linear
     * with its effective weight.
     */
    private static ONNXRef<?> withEffectiveWeight(FullyConnected layer, float[] effectiveWeight, ONNXRef<?> input,
                                                  OnnxGraphWriter graph) {
        String name = nameOf(layer);
        ONNXRef<?> y = graph.op(NetworkOperators.MATMUL, name + "/matmul", input, graph.transposedMatrix(
                name + "/effective_weight_T", layer.outFeatures(), layer.inFeatures(), effectiveWeight));
        return withBias(layer, layer.bias(), y, name, graph);
    }

    private static ONNXRef<?> withBias(Layer layer, Parameter bias, ONNXRef<?> y, String name, OnnxGraphWriter graph) {
        return bias == null ? y : graph.op(ONNXOperators.ADD, name + "/add_bias", y, graph.weight(layer, bias));
    }

    /**
     * Writes an element-wise nonlinearity. GELU is the exact form {@code 0.5 x (1 + erf(x / sqrt 2))} of Hendrycks
     * and Gimpel 2016 (PyTorch's default), built from {@code Erf} because opset 13 has no {@code Gelu}.
     * @param activation The nonlinearity.
     * @param x Its input.
     * @param name The base name of the outputs.
     * @param graph The graph.
     * @return Its output.
     */
    static ONNXRef<?> activation(Activation activation, ONNXRef<?> x, String name, OnnxGraphWriter graph) {
        switch (activation) {
            case RELU:
                return graph.op(NetworkOperators.RELU, name + "/relu", x);
            case TANH:
                return graph.op(NetworkOperators.TANH, name + "/tanh", x);
            case SIGMOID:
                return graph.op(ONNXOperators.SIGMOID, name + "/sigmoid", x);
            case SILU:
                return graph.op(ONNXOperators.MUL, name + "/silu", x, graph.op(ONNXOperators.SIGMOID, name + "/sigmoid", x));
            case GELU:
                ONNXRef<?> erf = graph.op(NetworkOperators.ERF, name + "/erf",
                        graph.op(ONNXOperators.MUL, name + "/scaled", x, graph.scalar(name + "/inv_sqrt2", INV_SQRT2)));
                ONNXRef<?> gate = graph.op(ONNXOperators.ADD, name + "/one_plus_erf", erf, graph.scalar(name + "/one", 1f));
                ONNXRef<?> half = graph.op(ONNXOperators.MUL, name + "/half_x", x, graph.scalar(name + "/half", 0.5f));
                return graph.op(ONNXOperators.MUL, name + "/gelu", half, gate);
            default:
                throw new UnsupportedOperationException("no ONNX export for activation " + activation);
        }
    }
}
