package org.tribuoadapt.peft;

import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;

/**
 * A layer that takes the place of another layer of a network and holds it as a child (an adapted layer, a module to
 * save, a frozen normalisation layer). Installing one keeps the wrapped layer's path for the wrapper; the wrapped
 * layer's own path gains the child's name.
 */
abstract class LayerWrapper extends Layer {

    /**
     * Puts a wrapper in the place of the layer at a path, then makes that layer the wrapper's child. The order matters:
     * the network finds the layer to replace by its path, which adding it as a child changes.
     * @param network The network.
     * @param path The wrapped layer's path.
     * @param wrapper The wrapper, without children yet.
     * @param childName The wrapped layer's name inside the wrapper.
     * @param <W> The wrapper's type.
     * @return The installed wrapper.
     */
    static <W extends LayerWrapper> W install(Network network, String path, W wrapper, String childName) {
        Layer wrapped = network.replaceLayer(path, wrapper);
        wrapper.addChild(childName, wrapped);
        return wrapper;
    }

    /**
     * Adds a child; wrappers use it for the wrapped layer and for each adapter's part.
     * @param name The child's name.
     * @param child The child.
     */
    final void attach(String name, Layer child) {
        addChild(name, child);
    }
}
