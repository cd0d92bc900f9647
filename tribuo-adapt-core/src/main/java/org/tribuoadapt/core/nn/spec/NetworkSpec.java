package org.tribuoadapt.core.nn.spec;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;

import java.io.Serializable;

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
     * The number of input values one example has.
     * @return The product of the input shape.
     */
    default long inputSize() {
        return inputShape().size();
    }
}
