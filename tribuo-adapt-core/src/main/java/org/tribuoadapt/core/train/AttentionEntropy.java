package org.tribuoadapt.core.train;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.LayerObserver;
import org.tribuoadapt.core.nn.layers.AttentionWeights;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Watches the attention distributions of a network's {@link AttentionWeights} layers and averages their Shannon
 * entropy {@code -sum_s p_s log p_s} per head, over queries and examples, until {@link #reset}. Attention entropy
 * collapse, attention that concentrates on single tokens, is the failure mode σReparam prevents (Zhai et al. 2023,
 * section 3); its per-head entropy falling towards 0 announces unstable training.
 */
public final class AttentionEntropy implements LayerObserver {

    private final Map<String, double[]> sums = new LinkedHashMap<>();
    private final Map<String, Long> counts = new LinkedHashMap<>();

    /** Creates an observer with no observations. */
    public AttentionEntropy() {}

    @Override
    public void onForward(Layer layer, NDArray input, NDArray output) {
        if (!(layer instanceof AttentionWeights)) {
            return;
        }
        long heads = output.getShape().get(1);
        long rows = output.getShape().get(0) * output.getShape().get(2);
        float[] perHead;
        try (GradientMode off = GradientMode.disabled()) {
            NDArray p = output.stopGradient();
            NDArray entropy = p.mul(p.add(1e-30f).log()).sum(new int[] {3}).neg();
            perHead = entropy.sum(new int[] {0, 2}).toFloatArray();
        }
        double[] sum = sums.computeIfAbsent(layer.path(), k -> new double[Math.toIntExact(heads)]);
        for (int h = 0; h < perHead.length; h++) {
            sum[h] += perHead[h];
        }
        counts.merge(layer.path(), rows, Long::sum);
    }

    /**
     * The mean entropy of each head of each attention layer seen since the last reset, in nats.
     * @return Per layer path, one value per head; empty before any observation.
     */
    public Map<String, double[]> perHead() {
        Map<String, double[]> out = new LinkedHashMap<>();
        sums.forEach((path, sum) -> {
            double[] mean = sum.clone();
            long count = counts.get(path);
            for (int h = 0; h < mean.length; h++) {
                mean[h] /= count;
            }
            out.put(path, mean);
        });
        return out;
    }

    /**
     * The lowest mean entropy of any head since the last reset: how far the most collapsed head has gone.
     * @return The minimum, or NaN before any observation.
     */
    public double minimum() {
        return minimumOf(perHead());
    }

    /**
     * The lowest value of per-head entropies.
     * @param perHead Per layer path, one value per head.
     * @return The minimum, or NaN when there is none.
     */
    public static double minimumOf(Map<String, double[]> perHead) {
        return perHead.values().stream().flatMapToDouble(Arrays::stream).min().orElse(Double.NaN);
    }

    /** Forgets every observation. */
    public void reset() {
        sums.clear();
        counts.clear();
    }
}
