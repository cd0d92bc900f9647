package org.tribuoadapt.tta.method;

import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.BatchNorm;
import org.tribuoadapt.core.nn.layers.LayerNorm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds a network's normalisation layers by type ({@link BatchNorm}, {@link LayerNorm} and already-wrapped
 * {@link TestTimeBatchNorm}) or by name, switches BatchNorm layers to test-batch statistics, and collects their
 * affine parameters, which are all that Tent (Wang et al. 2021), EATA and SAR update.
 */
public final class NormLayers {

    private NormLayers() {}

    /**
     * The normalisation layers of a network, by path.
     * @param network The network.
     * @param names Paths to restrict to; empty for every normalisation layer.
     * @return The layers, in forward order.
     * @throws IllegalArgumentException if a named layer is missing or is not a normalisation layer.
     */
    public static Map<String, Layer> find(Network network, List<String> names) {
        Map<String, Layer> out = new LinkedHashMap<>();
        if (names.isEmpty()) {
            for (Map.Entry<String, Layer> e : network.layers().entrySet()) {
                if (isNorm(e.getValue())) {
                    out.put(e.getKey(), e.getValue());
                }
            }
            return out;
        }
        for (String name : names) {
            Layer layer = network.layer(name);
            if (!isNorm(layer)) {
                throw new IllegalArgumentException("layer '" + name + "' is a " + layer.describe()
                        + ", not a BatchNorm or LayerNorm layer");
            }
            out.put(name, layer);
        }
        return out;
    }

    private static boolean isNorm(Layer layer) {
        return layer instanceof BatchNorm || layer instanceof LayerNorm || layer instanceof TestTimeBatchNorm;
    }

    /**
     * Replaces every BatchNorm layer by a {@link TestTimeBatchNorm} with the given weight of the batch statistics.
     * @param network The network, changed in place.
     * @param alpha The weight of the test-batch statistics.
     * @return The new layers (none if the network has no BatchNorm).
     */
    public static List<TestTimeBatchNorm> useBatchStatistics(Network network, double alpha) {
        List<TestTimeBatchNorm> replaced = new ArrayList<>();
        for (Map.Entry<String, Layer> e : network.layers().entrySet()) {
            if (e.getValue() instanceof BatchNorm) {
                TestTimeBatchNorm wrapper = new TestTimeBatchNorm((BatchNorm) e.getValue(), alpha);
                network.replaceLayer(e.getKey(), wrapper);
                replaced.add(wrapper);
            }
        }
        return replaced;
    }

    /**
     * Checks that a network has BatchNorm layers.
     * @param network The network.
     * @param method The method's name, for the error message.
     * @throws IllegalArgumentException naming the requirement, if the network has none.
     */
    public static void requireBatchNorm(Network network, String method) {
        for (Layer layer : network.layers().values()) {
            if (layer instanceof BatchNorm || layer instanceof TestTimeBatchNorm) {
                return;
            }
        }
        throw new IllegalArgumentException(method + " needs a network with BatchNorm layers, but this network has "
                + "none; its layers are: " + describe(network));
    }

    /**
     * Freezes every weight except the affine scale and shift of the chosen normalisation layers, and returns those.
     * @param network The network, changed in place.
     * @param names Paths to restrict to; empty for every normalisation layer.
     * @param method The method's name, for the error message.
     * @return The trainable parameters, in forward order.
     * @throws IllegalArgumentException naming the requirement, if there is no normalisation layer.
     */
    static List<Parameter> trainAffineOnly(Network network, List<String> names, String method) {
        Map<String, Layer> norms = find(network, names);
        if (norms.isEmpty()) {
            throw new IllegalArgumentException(method + " adapts the affine parameters of normalisation layers, but "
                    + "this network has no BatchNorm or LayerNorm layer; its layers are: " + describe(network));
        }
        network.freezeAll();
        List<Parameter> out = new ArrayList<>();
        for (Layer layer : norms.values()) {
            for (String local : new String[] {"weight", "bias"}) {
                Parameter p = layer.parameter(local);
                p.setTrainable(true);
                out.add(p);
            }
        }
        return out;
    }

    private static String describe(Network network) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Layer> e : network.layers().entrySet()) {
            parts.add(e.getKey() + " (" + e.getValue().describe() + ")");
        }
        return String.join(", ", parts);
    }
}
