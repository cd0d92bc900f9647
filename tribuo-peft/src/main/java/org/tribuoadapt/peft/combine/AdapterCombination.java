package org.tribuoadapt.peft.combine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.AdapterCombiner;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.StoredAdapter;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.linalg.SingularValueDecomposition;
import org.tribuoadapt.peft.lora.LoraInit;
import org.tribuoadapt.peft.lora.LoraModule;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Combines adapters of a network into a new LoRA adapter with the semantics of PEFT's
 * {@code LoraModel.add_weighted_adapter}:
 * <ul>
 *     <li>{@code linear}, {@code ties}, {@code dare_linear}, {@code dare_ties}, {@code magnitude_prune} merge the A
 *     factors and the B factors separately with {@link TaskTensorMerging}, with weights {@code sign(w s) sqrt(|w s|)} for A and {@code sqrt(|w s|)} for B (s the source's
 *     scaling); the sources must be LoRA adapters of equal rank at each module. For several sources this is PEFT's
 *     approximation: the product of merged factors contains cross terms.</li>
 *     <li>{@code cat} puts the factors side by side (the weight and scaling folded into A), so the update is exactly
 *     {@code sum w s B A}; the rank is the sum of the ranks.</li>
 *     <li>{@code svd} sums {@code w dW} of any additive adapters and keeps the top {@code svdRank} singular triplets
 *     ({@code B = U S}, {@code A = V^T}); {@code ties_svd}, {@code dare_linear_svd}, {@code dare_ties_svd} and
 *     {@code magnitude_prune_svd} merge the updates {@code dW} with the named method instead of summing them, then
 *     truncate the same way. Unlike PEFT, which multiplies by the scaling a second time here, the update is weighted
 *     once. With {@code svdClamp = q}, both factors are clamped to {@code [-h, h]}, {@code h} the {@code q}-quantile
 *     (linearly interpolated, as {@code torch.quantile}) of all entries of {@code U S} and {@code V^T} together.</li>
 * </ul>
 * The new adapter has {@code alpha = r} (scaling 1, no rsLoRA) and targets the union of the sources' layers. With one
 * source every type is {@code linear}, as in PEFT. Modules to save of the sources are carried over; two sources may
 * not save the same module. DARE draws from a stream seeded with {@code seed}. Pass it to
 * {@code PeftModel.addWeightedAdapter} to add the new adapter to a model.
 */
public final class AdapterCombination implements AdapterCombiner {

    private final CombinationType type;
    private final double density;
    private final int svdRank;
    private final MajoritySign majoritySign;
    private final long seed;
    private final double svdClamp;

    /**
     * Creates a combination without clamping.
     * @param type The combination type.
     * @param density For TIES, DARE and magnitude pruning, the share of entries kept, in (0, 1].
     * @param svdRank For {@code svd} and its variants, the new rank; 0 uses the largest rank of the sources.
     * @param majoritySign For TIES, how signs are elected.
     * @param seed For DARE, the seed of the random drops.
     * @throws IllegalArgumentException if the density is outside (0, 1] or the rank is negative.
     */
    public AdapterCombination(CombinationType type, double density, int svdRank, MajoritySign majoritySign, long seed) {
        this(type, density, svdRank, majoritySign, seed, 0);
    }

    /**
     * Creates a combination.
     * @param type The combination type.
     * @param density For TIES, DARE and magnitude pruning, the share of entries kept, in (0, 1].
     * @param svdRank For {@code svd} and its variants, the new rank; 0 uses the largest rank of the sources.
     * @param majoritySign For TIES, how signs are elected.
     * @param seed For DARE, the seed of the random drops.
     * @param svdClamp For {@code svd} and its variants, the quantile the factors are clamped at (PEFT's
     *     {@code svd_clamp}), in (0, 1]; 0 does not clamp.
     * @throws IllegalArgumentException if the density is outside (0, 1], the rank is negative or the clamp is outside
     *     [0, 1].
     */
    public AdapterCombination(CombinationType type, double density, int svdRank, MajoritySign majoritySign, long seed,
                              double svdClamp) {
        if (!(density > 0 && density <= 1)) {
            throw new IllegalArgumentException("density must be in (0, 1], found " + density);
        }
        if (svdRank < 0) {
            throw new IllegalArgumentException("svdRank must be >= 0 (0 uses the largest source rank), found " + svdRank);
        }
        if (!(svdClamp >= 0 && svdClamp <= 1)) {
            throw new IllegalArgumentException("svdClamp must be a quantile in (0, 1], or 0 for no clamping, found " + svdClamp);
        }
        this.type = type;
        this.density = density;
        this.svdRank = svdRank;
        this.majoritySign = majoritySign;
        this.seed = seed;
        this.svdClamp = svdClamp;
    }

    /**
     * A combination with PEFT's defaults: density 1, the largest source rank, the total-mass sign election, seed 0.
     * @param type The combination type.
     * @return The combination.
     */
    public static AdapterCombination of(CombinationType type) {
        return new AdapterCombination(type, 1.0, 0, MajoritySign.TOTAL, 0L);
    }

    @Override
    public StoredAdapter combine(PeftNetwork peft, List<String> adapters, List<Double> weights, String newName) {
        if (adapters.isEmpty() || adapters.size() != weights.size() || new HashSet<>(adapters).size() != adapters.size()) {
            throw new IllegalArgumentException("give distinct adapters and one weight each, found adapters " + adapters
                    + " and weights " + weights);
        }
        for (double w : weights) {
            if (!Double.isFinite(w)) {
                throw new IllegalArgumentException("weights must be finite, found " + weights);
            }
        }
        CombinationType effective = adapters.size() == 1 ? CombinationType.LINEAR : type;
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        Map<String, Integer> ranks = new LinkedHashMap<>();
        List<String> saved = new ArrayList<>();
        double dropout;
        try (NDManager scratch = peft.network().manager().newSubManager()) {
            List<Map<String, AdapterModule>> sources = new ArrayList<>();
            for (String name : adapters) {
                sources.add(peft.modules(name));
                for (String path : peft.modulesToSave(name)) {
                    if (saved.contains(path)) {
                        throw new IllegalArgumentException("several of " + adapters + " train module '" + path
                                + "' fully; they cannot be combined");
                    }
                    saved.add(path);
                    String prefix = PeftNetwork.MODEL_PREFIX + path + ".";
                    peft.adapterTensors(name).forEach((k, v) -> {
                        if (k.startsWith(prefix)) {
                            tensors.put(k, v);
                        }
                    });
                }
            }
            dropout = peft.spec(adapters.get(0)) instanceof LoraSpec ? ((LoraSpec) peft.spec(adapters.get(0))).dropout() : 0.0;
            SplittableRandom rng = new SplittableRandom(seed);
            int largestRank = 0;
            for (Map<String, AdapterModule> source : sources) {
                for (AdapterModule m : source.values()) {
                    largestRank = Math.max(largestRank, m.rank());
                }
            }
            for (String path : peft.baseLayers().keySet()) {
                List<AdapterModule> present = new ArrayList<>();
                List<Double> presentWeights = new ArrayList<>();
                for (int i = 0; i < sources.size(); i++) {
                    AdapterModule m = sources.get(i).get(path);
                    if (m != null) {
                        present.add(m);
                        presentWeights.add(weights.get(i));
                    }
                }
                if (present.isEmpty()) {
                    continue;
                }
                NDArray[] factors = effective.isSvd()
                        ? svd(effective, present, presentWeights, svdRank > 0 ? svdRank : largestRank, rng, scratch)
                        : combineFactors(effective, path, present, presentWeights, rng, scratch);
                String key = PeftNetwork.MODEL_PREFIX + path + ".";
                tensors.put(key + "lora_A.weight", Network.toTensorData(factors[0]));
                tensors.put(key + "lora_B.weight", Network.toTensorData(factors[1]));
                ranks.put(path, Math.toIntExact(factors[0].getShape().get(0)));
            }
        }
        int rank = ranks.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        Map<String, Integer> rankPattern = new LinkedHashMap<>();
        Map<String, Double> alphaPattern = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : ranks.entrySet()) {
            if (e.getValue() != rank) {
                rankPattern.put(escape(e.getKey()), e.getValue());
                alphaPattern.put(escape(e.getKey()), (double) e.getValue());
            }
        }
        String pattern = String.join("|", ranks.keySet().stream().map(AdapterCombination::escape).toList());
        AdapterTargets targets = new AdapterTargets(null, pattern, null, saved);
        LoraSpec spec = new LoraSpec(targets, rank, rank, dropout, false, false, LoraInit.DEFAULT, rankPattern, alphaPattern);
        return new StoredAdapter(newName, spec, tensors, describe(effective, adapters, weights));
    }

    private static String escape(String path) {
        return path.replace(".", "\\.");
    }

    private String describe(CombinationType effective, List<String> adapters, List<Double> weights) {
        CombinationType merging = effective.tensorMerging();
        boolean dare = merging == CombinationType.DARE_LINEAR || merging == CombinationType.DARE_TIES;
        return "combined by " + effective.peftName() + " of " + adapters + " with weights " + weights
                + (effective.usesDensity() ? ", density " + density : "")
                + (effective.electsSigns() ? ", majority sign " + majoritySign : "")
                + (dare ? ", seed " + seed : "")
                + (effective.isSvd() ? ", svd rank " + (svdRank == 0 ? "max" : Integer.toString(svdRank))
                + (svdClamp > 0 ? ", svd clamp " + svdClamp : "") : "");
    }

    /** Combines LoRA factors: linear, cat, TIES or DARE. Returns {A, B}. */
    private NDArray[] combineFactors(CombinationType effective, String path, List<AdapterModule> present,
                                     List<Double> weights, SplittableRandom rng, NDManager scratch) {
        List<LoraModule> loras = new ArrayList<>();
        for (AdapterModule m : present) {
            if (!(m instanceof LoraModule) || ((LoraModule) m).isDora()) {
                throw new IllegalArgumentException("the " + effective.peftName() + " combination needs plain LoRA adapters, but "
                        + "module '" + path + "' has " + m.describe() + "; use svd");
            }
            loras.add((LoraModule) m);
        }
        if (effective == CombinationType.CAT) {
            List<NDArray> as = new ArrayList<>();
            List<NDArray> bs = new ArrayList<>();
            for (int i = 0; i < loras.size(); i++) {
                LoraModule m = loras.get(i);
                as.add(m.loraA().array().mul(weights.get(i) * m.scaling()));
                bs.add(m.loraB().array());
            }
            NDArray a = NDArrays.concat(new NDList(as), 0);
            NDArray b = NDArrays.concat(new NDList(bs), 1);
            a.attach(scratch);
            b.attach(scratch);
            return new NDArray[] {a, b};
        }
        int rank = loras.get(0).rank();
        for (LoraModule m : loras) {
            if (m.rank() != rank) {
                throw new IllegalArgumentException("all adapters must have the same rank at module '" + path + "' for the "
                        + effective.peftName() + " combination, found " + loras.stream().map(LoraModule::rank).toList());
            }
        }
        double[] weightsA = new double[loras.size()];
        double[] weightsB = new double[loras.size()];
        List<float[]> as = new ArrayList<>();
        List<float[]> bs = new ArrayList<>();
        for (int i = 0; i < loras.size(); i++) {
            double scaled = weights.get(i) * loras.get(i).scaling();
            weightsA[i] = Math.signum(scaled == 0 ? 1 : scaled) * Math.sqrt(Math.abs(scaled));
            weightsB[i] = Math.sqrt(Math.abs(scaled));
            as.add(loras.get(i).loraA().toFloatArray());
            bs.add(loras.get(i).loraB().toFloatArray());
        }
        float[] a = merge(effective, as, weightsA, rng);
        float[] b = merge(effective, bs, weightsB, rng);
        return new NDArray[] {scratch.create(a, loras.get(0).loraA().shape()), scratch.create(b, loras.get(0).loraB().shape())};
    }

    private float[] merge(CombinationType effective, List<float[]> tasks, double[] weights, SplittableRandom rng) {
        switch (effective) {
            case LINEAR:
                return TaskTensorMerging.taskArithmetic(tasks, weights);
            case TIES:
                return TaskTensorMerging.ties(tasks, weights, density, majoritySign);
            case DARE_LINEAR:
                return TaskTensorMerging.dareLinear(tasks, weights, density, rng);
            case DARE_TIES:
                return TaskTensorMerging.dareTies(tasks, weights, density, majoritySign, rng);
            case MAGNITUDE_PRUNE:
                return TaskTensorMerging.magnitudePrune(tasks, weights, density);
            default:
                throw new IllegalStateException("not a tensor merging: " + effective);
        }
    }

    /** Truncated SVD of the updates merged as the type says (the weighted sum for {@code svd}). Returns {A, B}. */
    private NDArray[] svd(CombinationType effective, List<AdapterModule> present, List<Double> weights, int newRank,
                          SplittableRandom rng, NDManager scratch) {
        TargetLayer target = present.get(0).target();
        int out = target.outFeatures();
        int fanIn = target.fanIn();
        List<float[]> deltas = new ArrayList<>();
        double[] w = new double[present.size()];
        for (int i = 0; i < present.size(); i++) {
            deltas.add(present.get(i).deltaWeight(scratch).toFloatArray());
            w[i] = weights.get(i);
        }
        int rank = Math.min(newRank, Math.min(out, fanIn));
        SingularValueDecomposition svd = SingularValueDecomposition.of(merge(effective.tensorMerging(), deltas, w, rng), out, fanIn);
        double[] values = svd.singularValues();
        double[] u = svd.leftVectors(rank);
        double[] vt = svd.rightVectorsTransposed(rank);
        float[] b = new float[out * rank];
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < rank; k++) {
                b[o * rank + k] = (float) (u[o * rank + k] * values[k]);
            }
        }
        float[] a = new float[rank * fanIn];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) vt[i];
        }
        if (svdClamp > 0) {
            clamp(a, b, svdClamp);
        }
        long[] shapeA = target.isConv() ? new long[] {rank, target.inFeatures(), target.kernelSize(), target.kernelSize()}
                : new long[] {rank, fanIn};
        long[] shapeB = target.isConv() ? new long[] {out, rank, 1, 1} : new long[] {out, rank};
        return new NDArray[] {scratch.create(a, new Shape(shapeA)),
            scratch.create(b, new Shape(shapeB))};
    }

    /**
     * PEFT's {@code svd_clamp}: clamps both factors to {@code [-h, h]}, {@code h} the quantile of their entries taken
     * together.
     */
    private static void clamp(float[] a, float[] b, double q) {
        float[] all = new float[a.length + b.length];
        System.arraycopy(b, 0, all, 0, b.length);
        System.arraycopy(a, 0, all, b.length, a.length);
        double high = quantile(all, q);
        for (float[] factor : List.of(a, b)) {
            for (int i = 0; i < factor.length; i++) {
                // torch.clamp(x, min, max) is min(max(x, min), max), also when min > max
                factor[i] = (float) Math.min(Math.max(factor[i], -high), high);
            }
        }
    }

    /**
     * The {@code q}-quantile of the values with linear interpolation between the two nearest ranks, as
     * {@code torch.quantile} computes it.
     * @param values The values (not changed).
     * @param q The quantile in [0, 1].
     * @return The quantile.
     */
    static double quantile(float[] values, double q) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = (int) Math.ceil(position);
        return sorted[below] + (position - below) * ((double) sorted[above] - sorted[below]);
    }

    @Override
    public String toString() {
        return "AdapterCombination(type=" + type.peftName() + ",density=" + density + ",svdRank=" + svdRank + ",majoritySign="
                + majoritySign + ",seed=" + seed + ",svdClamp=" + svdClamp + ")";
    }
}
