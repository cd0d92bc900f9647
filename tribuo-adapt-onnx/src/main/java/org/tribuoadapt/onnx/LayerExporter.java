package org.tribuoadapt.onnx;

import ai.djl.ndarray.types.Shape;
import org.tribuo.util.onnx.ONNXRef;
import org.tribuoadapt.core.nn.Layer;

/**
 * Writes the inference-time computation of one layer type into an ONNX graph. Exporters are registered per layer
 * class in a {@link LayerExporterRegistry}; a module that defines its own layer type (an adapter, a custom block)
 * registers an exporter for it there, without changing core.
 *
 * @param <L> The layer type.
 */
@FunctionalInterface
public interface LayerExporter<L extends Layer> {

    /**
     * Writes the nodes that compute {@code layer}'s output in inference mode (dropout off, BatchNorm on running
     * statistics).
     * @param layer The layer, holding the weights to write.
     * @param input The layer's input batch {@code [N, inputShape...]}.
     * @param inputShape The shape of one input example (no batch dimension).
     * @param graph The graph being written: operators, weights, and the export of child layers.
     * @return The layer's output batch.
     */
    ONNXRef<?> export(L layer, ONNXRef<?> input, Shape inputShape, OnnxGraphWriter graph);
}
