package org.tribuoadapt.core.pruning;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One-shot unstructured magnitude pruning (Han et al. 2015), the pruning step of the train-prune-retrain pipeline that
 * the three-regime model of Zhou, Yang, Chang and Mahoney (ICML 2023, "A Three-regime Model of Network Pruning")
 * studies. The prunable tensors are the weights of rank two or more (fully connected matrices and convolution
 * kernels); biases, normalisation weights and buffers are never pruned, as in the authors' code.
 * <p>
 * The entries with the smallest absolute values are pruned: {@code round(ratio * n)} of them (PyTorch's
 * {@code torch.nn.utils.prune} count, rounded half up here), where {@code n} is each tensor's size
 * ({@link PruningScope#LAYER_WISE}, the authors' uniform distribution) or the size of all prunable tensors together
 * ({@link PruningScope#GLOBAL}). Equal magnitudes are broken by position: the earlier tensor (in network order), then
 * the earlier entry, is pruned first, so a mask depends on the weights alone. The ratio is the paper's load-like
 * control parameter: the density of the pruned network is {@code 1 - ratio}.
 */
public final class MagnitudePruning implements Configurable, Provenancable<ConfiguredObjectProvenance>, Serializable {
    private static final long serialVersionUID = 1L;

    @Config(mandatory = true, description = "Share of the prunable weights set to zero, in [0, 1); the density of the "
            + "pruned network is 1 - ratio.")
    private double ratio = -1;

    @Config(description = "LAYER_WISE prunes the same share of every weight tensor; GLOBAL ranks all of them together.")
    private PruningScope scope = PruningScope.LAYER_WISE;

    /** For OLCUT. */
    private MagnitudePruning() {}

    /**
     * Creates a pruning rule.
     * @param ratio The share of prunable weights to zero, in [0, 1).
     * @param scope Layer-wise or global ranking.
     * @throws PropertyException if the ratio is outside [0, 1).
     */
    public MagnitudePruning(double ratio, PruningScope scope) {
        this.ratio = ratio;
        this.scope = scope;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(ratio >= 0 && ratio < 1)) {
            throw new PropertyException("", "ratio", "the pruning ratio must be in [0, 1), found " + ratio);
        }
        if (scope == null) {
            throw new PropertyException("", "scope", "the pruning scope must be LAYER_WISE or GLOBAL");
        }
    }

    /**
     * The share of prunable weights this rule zeroes.
     * @return The ratio.
     */
    public double ratio() {
        return ratio;
    }

    /**
     * How the ratio is spread over the tensors.
     * @return The scope.
     */
    public PruningScope scope() {
        return scope;
    }

    /**
     * The number of entries pruned out of {@code n}.
     * @param n The number of entries ranked together.
     * @return {@code round(ratio * n)}.
     */
    public long prunedCount(long n) {
        return Math.round(ratio * n);
    }

    /**
     * Makes the mask of a network's current weights.
     * @param network The network; it is not changed.
     * @return The mask, naming every prunable tensor.
     * @throws IllegalArgumentException if the network has no prunable weight, or a prunable weight is NaN or infinite.
     */
    public PruningMask maskFor(Network network) {
        Map<String, float[]> magnitudes = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : network.parameters().entrySet()) {
            Parameter p = e.getValue();
            if (p.kind() == Parameter.Kind.WEIGHT && p.shape().dimension() >= 2) {
                float[] values = p.toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    if (!Float.isFinite(values[i])) {
                        throw new IllegalArgumentException("cannot prune by magnitude: weight '" + e.getKey() + "' holds "
                                + values[i] + " at entry " + i);
                    }
                    values[i] = Math.abs(values[i]);
                }
                magnitudes.put(e.getKey(), values);
            }
        }
        if (magnitudes.isEmpty()) {
            throw new IllegalArgumentException("the network has no weight of rank two or more to prune");
        }
        Map<String, float[]> keep = new LinkedHashMap<>();
        if (scope == PruningScope.LAYER_WISE) {
            for (Map.Entry<String, float[]> e : magnitudes.entrySet()) {
                keep.put(e.getKey(), keepLargest(List.of(e.getValue())).get(0));
            }
        } else {
            List<float[]> masks = keepLargest(new ArrayList<>(magnitudes.values()));
            int i = 0;
            for (String name : magnitudes.keySet()) {
                keep.put(name, masks.get(i++));
            }
        }
        return new PruningMask(keep);
    }

    /** Ranks the entries of the tensors together and keeps all but the {@code round(ratio * n)} smallest. */
    private List<float[]> keepLargest(List<float[]> tensors) {
        int n = 0;
        for (float[] t : tensors) {
            n += t.length;
        }
        float[] all = new float[n];
        Integer[] order = new Integer[n];
        int k = 0;
        for (float[] t : tensors) {
            for (float v : t) {
                all[k] = v;
                order[k] = k;
                k++;
            }
        }
        // stable sort: equal magnitudes keep position order
        Arrays.sort(order, (a, b) -> Float.compare(all[a], all[b]));
        float[] flat = new float[n];
        Arrays.fill(flat, 1f);
        long prune = prunedCount(n);
        for (int i = 0; i < prune; i++) {
            flat[order[i]] = 0f;
        }
        List<float[]> out = new ArrayList<>();
        int offset = 0;
        for (float[] t : tensors) {
            out.add(Arrays.copyOfRange(flat, offset, offset + t.length));
            offset += t.length;
        }
        return out;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "MagnitudePruning");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MagnitudePruning other && other.ratio == ratio && other.scope == scope;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(ratio) * 31 + scope.hashCode();
    }

    @Override
    public String toString() {
        return "MagnitudePruning(ratio=" + ratio + ",scope=" + scope + ")";
    }
}
