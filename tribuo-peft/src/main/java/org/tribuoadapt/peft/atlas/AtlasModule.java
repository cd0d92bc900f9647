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

/**
 * One aTLAS adapter at one layer (Zhang et al. 2024): the layer's weight and bias are separate parameter
 * blocks, and each block gains {@code sum_t lambda[t, block] tau_t}, where the task vectors {@code tau_t} are frozen
 * ({@code atlas_task_vectors.weight} {@code [T, weight shape]}, {@code atlas_task_vectors.bias} {@code [T, out]}) and
 * only the coefficients {@code atlas_coefficients} {@code [T, blocks]} train, starting at zero (the authors'
 * {@code coef = zeros(len(task_vectors), len(params))}).
 */
public final class AtlasModule extends ParameterDeltaModule {

    private final int tasks;
    private final Parameter coefficients;
    private final Parameter weightVectors;
    private final Parameter biasVectors;
    private final Map<String, Parameter> tensors = new LinkedHashMap<>();

    AtlasModule(TargetLayer target, NDManager manager, int tasks, List<TaskVectorFile> files) {
        super(target);
        this.tasks = tasks;
        boolean hasBias = target.bias() != null;
        this.coefficients = addWeight(manager, "atlas_coefficients", new Shape(tasks, hasBias ? 2 : 1));
        tensors.put("atlas_coefficients", coefficients);
        this.weightVectors = vectors(manager, "weight", target.weight(), files);
        this.biasVectors = hasBias ? vectors(manager, "bias", target.bias(), files) : null;
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

    /** {@code sum_t lambda[t, block] tau_t}. */
    private NDArray combine(Parameter vectors, int block) {
        long[] dims = vectors.shape().getShape().clone();
        java.util.Arrays.fill(dims, 1, dims.length, 1L);
        NDArray weights = coefficients.array().get(":, " + block).reshape(new Shape(dims));
        return vectors.array().mul(weights).sum(new int[] {0});
    }

    @Override
    protected NDArray weightDelta() {
        return combine(weightVectors, 0);
    }

    @Override
    protected NDArray biasDelta() {
        return biasVectors == null ? null : combine(biasVectors, 1);
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
        return "aTLAS(" + tasks + " tasks)";
    }
}
