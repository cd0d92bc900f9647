package org.tribuoadapt.peft;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.nn.layers.Sequential;
import org.tribuoadapt.core.safetensors.TensorData;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Networks made of one Linear layer {@code fc} with given values, for checking an adapter's maths against values
 * computed by hand.
 */
public final class SingleLayerNetworks {

    private SingleLayerNetworks() {}

    /**
     * A network {@code fc = Linear(in, out)} with the given weight ({@code [out, in]}, row-major) and bias.
     * @param weight The weight values.
     * @param bias The bias values; their count is the output width.
     * @return The network, owning a new manager.
     */
    public static Network linear(float[] weight, float[] bias) {
        int out = bias.length;
        int in = weight.length / out;
        NDManager manager = DjlRuntime.newManager();
        Network network = new Network(manager, new Sequential().add("fc", new Linear(manager, in, out, true)), new Shape(in));
        Map<String, TensorData> state = new LinkedHashMap<>();
        state.put("fc.weight", TensorData.ofFloats(new long[] {out, in}, weight));
        state.put("fc.bias", TensorData.ofFloats(new long[] {out}, bias));
        network.loadStateDict(state, true);
        return network;
    }

    /**
     * An adapter tensor for {@code fc} under PEFT's key.
     * @param name The tensor's name inside the module.
     * @param shape Its shape.
     * @param values Its values.
     * @return The key and tensor, to put in a map for {@link PeftNetwork#loadAdapterTensors}.
     */
    public static Map.Entry<String, TensorData> tensor(String name, long[] shape, float... values) {
        return Map.entry(PeftNetwork.MODEL_PREFIX + "fc." + name, TensorData.ofFloats(shape, values));
    }
}
