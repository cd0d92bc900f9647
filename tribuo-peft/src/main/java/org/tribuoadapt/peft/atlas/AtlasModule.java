package org.tribuoadapt.peft.atlas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.delta.ParameterDeltaModule;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One aTLAS adapter at one layer (Zhang et al. 2024): the layer's weight and bias are separate parameter
 * blocks, and each block gains {@code sum_t lambda[t, block] tau_t}, where the task vectors {@code tau_t} are frozen
 * ({@code atlas_task_vectors.weight} {@code [T, weight shape]}, {@code atlas_task_vectors.bias} {@code [T, out]}) and
 * only the coefficients {@code atlas_coefficients} {@code [T, blocks]} train, starting at zero (the authors'
 * {@code coef = zeros(len(task_vectors), len(params))}).
 * <p>
 * With {@code K > 1} partitions (aTLAS x K) the coefficients are {@code [T, blocks, K]} and every entry of a block
 * takes the coefficient of its partition: {@code sum_t sum_k lambda[t, block, k] (mask_k ⊙ tau_t)}. The frozen
 * partition of each entry, drawn uniformly at random, is kept in {@code atlas_partitions.weight} and
 * {@code atlas_partitions.bias} (shaped like the block; the partition numbers as floats).
 */
public final class AtlasModule extends ParameterDeltaModule {

    private final int tasks;
    private final int partitions;
    private final Parameter coefficients;
    private final Parameter weightVectors;
    private final Parameter biasVectors;
    private final Parameter weightPartitions;
    private final Parameter biasPartitions;
    private final Map<String, Parameter> tensors = new LinkedHashMap<>();

    AtlasModule(TargetLayer target, NDManager manager, int tasks, int partitions, List<TaskVectorFile> files,
                SplittableRandom rng) {
        super(target);
        this.tasks = tasks;
        this.partitions = partitions;
        boolean hasBias = target.bias() != null;
        int blocks = hasBias ? 2 : 1;
        this.coefficients = addWeight(manager, "atlas_coefficients",
                partitions == 1 ? new Shape(tasks, blocks) : new Shape(tasks, blocks, partitions));
        tensors.put("atlas_coefficients", coefficients);
        this.weightVectors = vectors(manager, "weight", target.weight(), files);
        this.biasVectors = hasBias ? vectors(manager, "bias", target.bias(), files) : null;
        this.weightPartitions = partitions == 1 ? null : partition(manager, "weight", target.weight(), rng);
        this.biasPartitions = partitions == 1 || !hasBias ? null : partition(manager, "bias", target.bias(), rng);
    }

    /** The frozen task vectors of one block, stacked; zero when the adapter is built to be loaded from a file. */
    private Parameter vectors(NDManager manager, String block, Parameter base, List<TaskVectorFile> files) {
        long[] dims = new long[base.shape().dimension() + 1];
        dims[0] = tasks;
        System.arraycopy(base.shape().getShape(), 0, dims, 1, dims.length - 1);
        String name = "atlas_task_vectors." + block;
        Parameter p = register(new Parameter(name, Parameter.Kind.BUFFER, manager.zeros(new Shape(dims))));
        if (!files.isEmpty()) {
            float[] baseValues = base.toFloatArray();
            float[] stacked = new float[Math.toIntExact(p.size())];
            for (int t = 0; t < tasks; t++) {
                float[] tau = files.get(t).taskVector(target(), block, baseValues);
                System.arraycopy(tau, 0, stacked, t * tau.length, tau.length);
            }
            p.assign(stacked);
        }
        tensors.put(name, p);
        return p;
    }

    /** The frozen random partition of each entry of a block, uniform over {@code 0..K-1}. */
    private Parameter partition(NDManager manager, String block, Parameter base, SplittableRandom rng) {
        String name = "atlas_partitions." + block;
        Parameter p = register(new Parameter(name, Parameter.Kind.BUFFER, manager.zeros(base.shape())));
        float[] assigned = new float[Math.toIntExact(p.size())];
        for (int i = 0; i < assigned.length; i++) {
            assigned[i] = rng.nextInt(partitions);
        }
        p.assign(assigned);
        tensors.put(name, p);
        return p;
    }

    /** {@code sum_t lambda[t, block] tau_t}, or with partitions each entry weighted by its partition's coefficient. */
    private NDArray combine(Parameter vectors, Parameter partition, int block) {
        long[] dims = vectors.shape().getShape().clone();
        if (partition == null) {
            java.util.Arrays.fill(dims, 1, dims.length, 1L);
            NDArray weights = coefficients.array().get(":, " + block).reshape(new Shape(dims));
            return vectors.array().mul(weights).sum(new int[] {0});
        }
        // [T, K] x one-hot [K, entries] gives each entry's coefficient per task
        NDArray assigned = partition.array().reshape(1, partition.size());
        NDArray oneHot = assigned.eq(assigned.getManager().arange(partitions).toType(assigned.getDataType(), false)
                .reshape(partitions, 1)).toType(assigned.getDataType(), false);
        NDArray weights = coefficients.array().get(":, " + block + ", :").matMul(oneHot).reshape(new Shape(dims));
        return vectors.array().mul(weights).sum(new int[] {0});
    }

    @Override
    protected NDArray weightDelta() {
        return combine(weightVectors, weightPartitions, 0);
    }

    @Override
    protected NDArray biasDelta() {
        return biasVectors == null ? null : combine(biasVectors, biasPartitions, 1);
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /**
     * The number of task vectors combined.
     * @return T.
     */
    @Override
    public int rank() {
        return tasks;
    }

    @Override
    public String describe() {
        return "aTLAS(" + tasks + " tasks" + (partitions == 1 ? "" : ", " + partitions + " partitions") + ")";
    }
}
