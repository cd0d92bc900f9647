package org.tribuoadapt.onnx;

import ai.djl.ndarray.types.Shape;
import org.tribuo.util.onnx.ONNXRef;
import org.tribuoadapt.core.nn.layers.BatchNorm;
import org.tribuoadapt.core.nn.layers.CompandedConv2d;
import org.tribuoadapt.core.nn.layers.Conv2d;
import org.tribuoadapt.core.nn.layers.Convolution;
import org.tribuoadapt.core.nn.layers.MaxPool2d;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.tribuoadapt.onnx.OnnxGraphWriter.nameOf;

/**
 * ONNX exporters of the image layers over NCHW batches: {@link Conv2d} ({@code Conv}), {@link CompandedConv2d} (the
 * same with its companded kernel, so the export is a plain convolution), {@link BatchNorm} in inference
 * form ({@code BatchNormalization} with the running statistics, Ioffe and Szegedy 2015) and {@link MaxPool2d}
 * ({@code MaxPool}, partial windows dropped).
 */
final class ConvolutionLayerExporters {

    private ConvolutionLayerExporters() {}

    static void registerAll(LayerExporterRegistry registry) {
        registry.register(Conv2d.class, (layer, input, shape, graph) ->
                        conv(layer, graph.weight(layer, layer.weight()), input, graph))
                .register(CompandedConv2d.class, (layer, input, shape, graph) -> conv(layer, graph.tensor(
                        nameOf(layer) + "/effective_weight", layer.weight().shape().getShape(), layer.effectiveWeight()),
                        input, graph))
                .register(BatchNorm.class, ConvolutionLayerExporters::batchNorm)
                .register(MaxPool2d.class, (layer, input, shape, graph) -> graph.op(NetworkOperators.MAX_POOL,
                        nameOf(layer) + "/maxpool", List.of(input), Map.of(
                                "kernel_shape", new int[] {layer.size(), layer.size()},
                                "strides", new int[] {layer.size(), layer.size()})));
    }

    private static ONNXRef<?> conv(Convolution layer, ONNXRef<?> kernel, ONNXRef<?> input, OnnxGraphWriter graph) {
        List<ONNXRef<?>> inputs = new ArrayList<>();
        inputs.add(input);
        inputs.add(kernel);
        if (layer.bias() != null) {
            inputs.add(graph.weight(layer, layer.bias()));
        }
        int k = layer.kernelSize();
        int s = layer.stride();
        int p = layer.padding();
        return graph.op(NetworkOperators.CONV, nameOf(layer) + "/conv", inputs, Map.of(
                "kernel_shape", new int[] {k, k},
                "strides", new int[] {s, s},
                "pads", new int[] {p, p, p, p}));
    }

    private static ONNXRef<?> batchNorm(BatchNorm layer, ONNXRef<?> input, Shape inputShape, OnnxGraphWriter graph) {
        return graph.op(NetworkOperators.BATCH_NORMALIZATION, nameOf(layer) + "/batchnorm",
                List.of(input, graph.weight(layer, layer.weight()), graph.weight(layer, layer.bias()),
                        graph.weight(layer, layer.runningMean()), graph.weight(layer, layer.runningVar())),
                Map.of("epsilon", (float) layer.eps()));
    }
}
