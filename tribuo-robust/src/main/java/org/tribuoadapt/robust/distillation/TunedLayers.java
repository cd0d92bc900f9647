package org.tribuoadapt.robust.distillation;

import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fraction of a student network that distillation tunes (Jain et al. 2023 tune a few chosen layers of the large
 * model and freeze the rest): layers named by their dotted path, or picked by index among the layers that own
 * weights, in forward order ({@code 0} the first, {@code -1} the last, as in Python). A named layer contributes its
 * own weights and those of every layer below it.
 */
final class TunedLayers {

    private TunedLayers() {}

    /**
     * The layers that own weights, in forward order: what an index counts.
     * @param network The network.
     * @return Their paths.
     */
    static List<String> weightedLayers(Network network) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Layer> e : network.layers().entrySet()) {
            for (Parameter p : e.getValue().parameters().values()) {
                if (p.kind() == Parameter.Kind.WEIGHT) {
                    out.add(e.getKey());
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Resolves the configured layers.
     * @param network The student network.
     * @param names Layer paths.
     * @param indices Indices among {@link #weightedLayers}, negative ones counted from the end.
     * @return The distinct layer paths, names first, then indices, in the order given.
     * @throws IllegalArgumentException for an unknown name (listing the layers), an index out of range, a layer
     * without weights, or when nothing is selected.
     */
    static List<String> resolve(Network network, List<String> names, int[] indices) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : names) {
            network.layer(name);
            if (!hasWeights(network, name)) {
                throw new IllegalArgumentException("layer '" + name + "' has no weights to tune; layers with weights are "
                        + weightedLayers(network));
            }
            out.add(name);
        }
        List<String> weighted = weightedLayers(network);
        for (int index : indices) {
            int at = index < 0 ? weighted.size() + index : index;
            if (at < 0 || at >= weighted.size()) {
                throw new IllegalArgumentException("layer index " + index + " is out of range: the student has "
                        + weighted.size() + " layers with weights " + weighted);
            }
            out.add(weighted.get(at));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no layer of the student is selected for tuning");
        }
        return new ArrayList<>(out);
    }

    /**
     * Freezes every weight of the network except those of the given layers and the layers below them.
     * @param network The network.
     * @param layers Layer paths from {@link #resolve}.
     * @return The names of the weights left trainable, in forward order.
     */
    static List<String> tuneOnly(Network network, List<String> layers) {
        network.freezeAll();
        List<String> tuned = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : network.parameters().entrySet()) {
            if (e.getValue().kind() == Parameter.Kind.WEIGHT && isBelow(e.getKey(), layers)) {
                e.getValue().setTrainable(true);
                tuned.add(e.getKey());
            }
        }
        return tuned;
    }

    private static boolean hasWeights(Network network, String layer) {
        for (Map.Entry<String, Parameter> e : network.parameters().entrySet()) {
            if (e.getValue().kind() == Parameter.Kind.WEIGHT && e.getKey().startsWith(layer + ".")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isBelow(String parameterName, List<String> layers) {
        for (String layer : layers) {
            if (parameterName.startsWith(layer + ".")) {
                return true;
            }
        }
        return false;
    }
}
