package org.tribuoadapt.core.model;

import org.tribuo.util.onnx.ONNXRef;
import org.tribuoadapt.core.nn.Network;

import java.util.ServiceLoader;

/**
 * Writes a network into an ONNX graph: the service behind {@link NetworkModel}'s Tribuo {@code ONNXExportable}
 * methods. Core only declares it, so that projects that never export carry no exporter; the
 * {@code tribuo-adapt-onnx} module provides it (registered in
 * {@code META-INF/services/org.tribuoadapt.core.model.OnnxNetworkWriter}).
 */
public interface OnnxNetworkWriter {

    /**
     * Writes the network's computation into the graph of {@code flatInput}.
     * @param network The network, whose current weights become initializers.
     * @param flatInput The flat input batch {@code [N, D]}, D being the size of the network's input shape.
     * @return The network's raw outputs (logits for a classifier).
     * @throws UnsupportedOperationException naming the layer, if a layer type cannot be exported.
     */
    ONNXRef<?> writeNetwork(Network network, ONNXRef<?> flatInput);

    /**
     * The writer found on the class path.
     * @return The first registered writer.
     * @throws UnsupportedOperationException if none is registered.
     */
    static OnnxNetworkWriter onClassPath() {
        return ServiceLoader.load(OnnxNetworkWriter.class).findFirst().orElseThrow(() ->
                new UnsupportedOperationException("ONNX export needs the module org.tribuoadapt:tribuo-adapt-onnx on "
                        + "the class path; no " + OnnxNetworkWriter.class.getName() + " service is registered"));
    }
}
