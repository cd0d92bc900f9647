package org.tribuoadapt.onnx;

import org.tribuoadapt.core.nn.Layer;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ONNX exporters of layer types, keyed by the exact layer class (a subclass can compute something else, so it
 * never inherits its parent's exporter). {@link #standard()} holds the exporters of every core layer plus those
 * contributed by {@link LayerExporterProvider} services; other modules add theirs through a provider or
 * {@link #register}. Registries are thread-safe.
 */
public final class LayerExporterRegistry {

    private final Map<Class<? extends Layer>, LayerExporter<?>> exporters = new ConcurrentHashMap<>();

    /** Creates an empty registry. */
    public LayerExporterRegistry() {}

    /**
     * A new registry with the exporters of every core layer type.
     * @return The registry.
     */
    public static LayerExporterRegistry withCoreLayers() {
        LayerExporterRegistry registry = new LayerExporterRegistry();
        DenseLayerExporters.registerAll(registry);
        ConvolutionLayerExporters.registerAll(registry);
        TransformerLayerExporters.registerAll(registry);
        return registry;
    }

    /**
     * The shared registry {@link org.tribuoadapt.core.model.NetworkModel#exportONNXModel} uses: the core layers and
     * every {@link LayerExporterProvider} on the class path.
     * @return The shared registry.
     */
    public static LayerExporterRegistry standard() {
        return Standard.INSTANCE;
    }

    /**
     * Registers (or replaces) the exporter of a layer class.
     * @param type The exact layer class.
     * @param exporter Its exporter.
     * @param <L> The layer type.
     * @return This registry.
     */
    public <L extends Layer> LayerExporterRegistry register(Class<L> type, LayerExporter<? super L> exporter) {
        exporters.put(type, exporter);
        return this;
    }

    /**
     * Whether layers of exactly this class can be exported.
     * @param type The layer class.
     * @return True if an exporter is registered.
     */
    public boolean supports(Class<? extends Layer> type) {
        return exporters.containsKey(type);
    }

    /**
     * The simple names of the layer classes with an exporter, sorted.
     * @return The names.
     */
    public Set<String> supportedTypes() {
        Set<String> names = new TreeSet<>();
        for (Class<? extends Layer> type : exporters.keySet()) {
            names.add(type.getSimpleName());
        }
        return names;
    }

    /**
     * The exporter of a layer's exact class.
     * @param layer The layer.
     * @return The exporter, or null when none is registered.
     */
    @SuppressWarnings("unchecked") // register() only pairs a class with an exporter of that class or a supertype
    LayerExporter<Layer> exporterFor(Layer layer) {
        return (LayerExporter<Layer>) exporters.get(layer.getClass());
    }

    /** Holds the shared registry, built on first use. */
    private static final class Standard {
        private static final LayerExporterRegistry INSTANCE = create();

        private static LayerExporterRegistry create() {
            LayerExporterRegistry registry = withCoreLayers();
            for (LayerExporterProvider provider : ServiceLoader.load(LayerExporterProvider.class)) {
                provider.registerExporters(registry);
            }
            return registry;
        }
    }
}
