package org.tribuoadapt.onnx;

/**
 * A service through which a module contributes ONNX exporters for its own layer types. Implementations are listed
 * in {@code META-INF/services/org.tribuoadapt.onnx.LayerExporterProvider} and picked up by
 * {@link LayerExporterRegistry#standard()}.
 */
public interface LayerExporterProvider {

    /**
     * Registers this module's exporters.
     * @param registry The registry to add them to.
     */
    void registerExporters(LayerExporterRegistry registry);
}
