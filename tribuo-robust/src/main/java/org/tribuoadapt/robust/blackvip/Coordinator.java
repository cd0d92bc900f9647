package org.tribuoadapt.robust.blackvip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.safetensors.SafetensorsFormatException;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A live coordinator network of BlackVIP (Oh et al. 2023): encodes images with the frozen encoder, reads and writes
 * the decoder's weights as one flat vector (what SPSA-GC perturbs and updates), and prompts images. Runs without
 * gradients. Not thread-safe; the caller closes it.
 */
final class Coordinator implements AutoCloseable {

    private final CoordinatorSpec spec;
    private final Network network;
    private final List<Parameter> decoderWeights = new ArrayList<>();
    private final int decoderSize;

    private Coordinator(CoordinatorSpec spec, Network network) {
        this.spec = spec;
        this.network = network;
        int size = 0;
        for (Map.Entry<String, Parameter> e : network.parameters().entrySet()) {
            if (e.getKey().startsWith(CoordinatorSpec.DECODER + ".") && e.getValue().kind() == Parameter.Kind.WEIGHT) {
                decoderWeights.add(e.getValue());
                size += Math.toIntExact(e.getValue().size());
            }
        }
        this.decoderSize = size;
    }

    /**
     * A coordinator with initial weights drawn from a seed.
     * @param spec The architecture.
     * @param seed The seed.
     * @return The coordinator.
     */
    static Coordinator initial(CoordinatorSpec spec, long seed) {
        return new Coordinator(spec, spec.build(seed));
    }

    /**
     * A coordinator with saved weights.
     * @param spec The architecture.
     * @param weights The whole network's weights, as safetensors bytes.
     * @return The coordinator.
     * @throws IllegalArgumentException if the weights are unreadable or do not fit the architecture.
     */
    static Coordinator load(CoordinatorSpec spec, byte[] weights) {
        Network network = spec.assemble();
        try {
            network.loadStateDict(SafetensorsReader.read(weights).tensors(), true);
            return new Coordinator(spec, network);
        } catch (SafetensorsFormatException e) {
            network.close();
            throw new IllegalArgumentException("the coordinator's weights are unreadable: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /**
     * The number of decoder weights, the dimension SPSA-GC works in.
     * @return The count.
     */
    int decoderSize() {
        return decoderSize;
    }

    /**
     * The decoder's weights, in the network's parameter order.
     * @return A flat copy.
     */
    float[] decoderWeights() {
        float[] out = new float[decoderSize];
        int at = 0;
        for (Parameter p : decoderWeights) {
            float[] values = p.toFloatArray();
            System.arraycopy(values, 0, out, at, values.length);
            at += values.length;
        }
        return out;
    }

    /**
     * Overwrites the decoder's weights.
     * @param weights A flat vector of {@link #decoderSize()} values, in the network's parameter order.
     */
    void setDecoderWeights(float[] weights) {
        if (weights.length != decoderSize) {
            throw new IllegalArgumentException("the decoder has " + decoderSize + " weights, got " + weights.length);
        }
        int at = 0;
        for (Parameter p : decoderWeights) {
            float[] values = new float[Math.toIntExact(p.size())];
            System.arraycopy(weights, at, values, 0, values.length);
            p.assign(values);
            at += values.length;
        }
    }

    /**
     * Runs the frozen encoder.
     * @param images {@code n} images, one after the other.
     * @param n The number of images.
     * @return Their feature maps, one after the other.
     */
    float[] encode(float[] images, int n) {
        return run(CoordinatorSpec.ENCODER, images, new Shape(n, spec.channels(), spec.height(), spec.width()));
    }

    /**
     * Prompts images: {@code clip(x + promptBound * tanh(decoder(features)), 0, 1)}.
     * @param images {@code n} images, one after the other.
     * @param features Their encoder features ({@link #encode}).
     * @param n The number of images.
     * @return The prompted images.
     */
    float[] prompt(float[] images, float[] features, int n) {
        long maps = features.length / n;
        Shape featureShape = new Shape(n, maps / ((long) spec.height() / 4 * (spec.width() / 4)), spec.height() / 4,
                spec.width() / 4);
        float[] decoded = run(CoordinatorSpec.DECODER, features, featureShape);
        float bound = (float) spec.promptBound();
        float[] out = new float[n * spec.channels() * spec.height() * spec.width()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.min(1f, Math.max(0f, images[i] + bound * decoded[i]));
        }
        return out;
    }

    private float[] run(String part, float[] values, Shape shape) {
        try (NDManager manager = network.manager().newSubManager(); GradientMode off = GradientMode.disabled()) {
            NDArray input = manager.create(values, shape);
            return network.layer(part).apply(input, ForwardContext.inference(manager)).toFloatArray();
        }
    }

    /**
     * The whole network's weights (the frozen encoder's included).
     * @return Safetensors bytes in PyTorch's names and layouts.
     */
    byte[] weights() {
        return SafetensorsWriter.toBytes(network.stateDict(), Map.of("format", "pt"));
    }

    @Override
    public void close() {
        network.close();
    }
}
