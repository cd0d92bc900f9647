package org.tribuoadapt.onnx;

import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXRef;
import org.tribuoadapt.core.model.OnnxNetworkWriter;
import org.tribuoadapt.core.nn.Network;

/**
 * Writes a {@link Network} into an ONNX graph (opset 13, built with Tribuo's {@code tribuo-util-onnx}) in
 * inference form. The graph reads flat feature vectors {@code [N, D]} in feature-id order, as Tribuo's exported
 * models do, reshapes them to the network's input shape (row-major, so images stay NCHW), and applies every layer
 * through the exporters of a {@link LayerExporterRegistry}. A layer without an exporter (an unmerged adapter) is an
 * error naming its path and class.
 * <p>
 * Registered as core's {@link OnnxNetworkWriter} service (with the standard registry), which is how
 * {@link org.tribuoadapt.core.model.NetworkModel#exportONNXModel} finds it.
 */
public final class NetworkOnnxExporter implements OnnxNetworkWriter {

    private final LayerExporterRegistry registry;

    /**
     * Creates an exporter over {@link LayerExporterRegistry#standard()}; the service loader's constructor.
     */
    public NetworkOnnxExporter() {
        this(LayerExporterRegistry.standard());
    }

    /**
     * Creates an exporter.
     * @param registry The exporters of the layer types it may meet.
     */
    public NetworkOnnxExporter(LayerExporterRegistry registry) {
        this.registry = registry;
    }

    /**
     * An exporter over {@link LayerExporterRegistry#standard()}.
     * @return The exporter.
     */
    public static NetworkOnnxExporter standard() {
        return new NetworkOnnxExporter();
    }

    /**
     * Writes the network's computation into the graph of {@code flatInput}.
     * @param network The network, whose current weights become initializers.
     * @param flatInput The flat input batch {@code [N, D]}, D being the size of the network's input shape.
     * @return The network's raw outputs {@code [N, outputShape...]} (logits for a classifier).
     * @throws UnsupportedOperationException naming the layer, if a layer type has no exporter.
     */
    @Override
    public ONNXRef<?> writeNetwork(Network network, ONNXRef<?> flatInput) {
        OnnxGraphWriter graph = new OnnxGraphWriter(flatInput.onnxContext(), registry);
        Shape inputShape = network.inputShape();
        ONNXRef<?> x = inputShape.dimension() == 1 ? flatInput : graph.reshape(flatInput, "input_shaped", inputShape.getShape());
        return graph.layer(network.root(), x, inputShape);
    }

    /**
     * Exports a network's raw outputs as a standalone ONNX model, for example a trained network to be used as a frozen
     * {@link OnnxStage} elsewhere. Input {@code input} is {@code [N, D]}; output {@code output} is the network's output
     * flattened per example to {@code [N, outputSize]}. There is no softmax and no Tribuo provenance (use
     * {@link org.tribuoadapt.core.model.NetworkModel#exportONNXModel} for a classifier).
     * @param network The network.
     * @param domain A reverse-DNS name for the model.
     * @param modelVersion The model version.
     * @return The ONNX model.
     */
    public OnnxMl.ModelProto exportNetwork(Network network, String domain, long modelVersion) {
        ONNXContext onnx = new ONNXContext();
        onnx.setName("TribuoAdapt-Network");
        ONNXRef<?> output = writeNetwork(network, onnx.floatInput("input", Math.toIntExact(network.inputShape().size())));
        Shape outputShape = network.outputShape();
        if (outputShape.dimension() != 1) {
            output = new OnnxGraphWriter(onnx, registry).reshape(output, "output_flat", outputShape.size());
        }
        output.assignTo(onnx.floatOutput("output", Math.toIntExact(outputShape.size())));
        return OnnxMl.ModelProto.newBuilder()
                .setGraph(onnx.buildGraph())
                .setDomain(domain)
                .setProducerName("Tribuo Adapt")
                .setModelVersion(modelVersion)
                .addOpsetImport(ONNXOperators.getOpsetProto())
                .setIrVersion(7)
                .setDocString(network.toString())
                .build();
    }
}
