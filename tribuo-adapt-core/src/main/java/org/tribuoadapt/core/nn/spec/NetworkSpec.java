package org.tribuoadapt.core.nn.spec;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;

import java.io.Serializable;
import java.util.Collections;
import java.util.Map;

/**
 * A configurable network architecture. A spec is a small immutable description (widths, depths, activation); it
 * builds a {@link Network} whose layers carry stable dotted names, so adapters, test-time methods and weight files
 * can address them the way PyTorch and PEFT address modules.
 */
public interface NetworkSpec extends Configurable, Provenancable<ConfiguredObjectProvenance>, Serializable {

    /**
     * The shape of one input example, without the batch dimension: {@code [D]} for vectors, {@code [C, H, W]} for
     * images.
     * @return The input shape.
     */
    Shape inputShape();

    /**
     * Creates the root layer and its descendants, with zero-filled parameters.
     * @param manager The memory the parameters live in.
     * @param numOutputs The width of the output layer (the number of classes).
     * @return The root layer.
     */
    Layer buildLayers(NDManager manager, int numOutputs);

    /**
     * Assembles the layers with zero-filled parameters in fresh native memory.
     * @param numOutputs The width of the output layer (the number of classes).
     * @return The network; the caller initialises or loads it, and closes it.
     */
    default Network assemble(int numOutputs) {
        if (numOutputs < 1) {
            throw new IllegalArgumentException("a network needs at least one output, found " + numOutputs);
        }
        NDManager manager = DjlRuntime.newManager();
        try {
            return new Network(manager, buildLayers(manager, numOutputs), inputShape());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Builds the network and draws its initial weights.
     * @param numOutputs The width of the output layer.
     * @param seed The initialisation seed.
     * @return The initialised network.
     */
    default Network build(int numOutputs, long seed) {
        Network network = assemble(numOutputs);
        network.initialize(seed);
        return network;
    }

    /**
     * The spec's configuration as provenance.
     * @return The provenance.
     */
    @Override
    default ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "NetworkSpec");
    }

    /**
     * Binary resources the layers are built from besides their weights and the configuration, keyed by name: for
     * example the frozen ONNX model of the {@code tribuo-adapt-onnx} module's {@code OnnxBackboneSpec}. A model
     * stores them next to the spec's configuration, so that it still works when the files they were read from are gone.
     * @return The resources; empty (the default) for specs built from their configuration alone.
     */
    default Map<String, byte[]> resources() {
        return Collections.emptyMap();
    }

    /**
     * Supplies stored resources (as returned by {@link #resources()}) to a spec rebuilt from its configuration.
     * @param resources The stored resources, keyed by name.
     * @return A spec equal to this one that builds its layers from the stored resources.
     * @throws IllegalArgumentException if the resources are not this spec's (wrong names, or content whose recorded
     * hash differs).
     */
    default NetworkSpec withResources(Map<String, byte[]> resources) {
        if (!resources.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " is built from its configuration alone, "
                    + "but stored resources " + resources.keySet() + " were supplied");
        }
        return this;
    }

    /**
     * The number of input values one example has.
     * @return The product of the input shape.
     */
    default long inputSize() {
        return inputShape().size();
    }
}
