package org.tribuoadapt.peft.increlora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.nn.layers.Dropout;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.TargetLayer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One IncreLoRA adapter at one Linear or Conv2d layer (Zhang et al. 2023): the weight gains the SVD-like update
 * {@code ΔW = (alpha / r) P diag(λ) Q} with {@code P = lora_B} {@code [out, R]}, {@code λ = lora_E} {@code [R]} and
 * {@code Q = lora_A} {@code [R, fanIn]}, where {@code r} (the tensor {@code ranknum}) is the number of ranks in use.
 * <p>
 * The tensors hold {@code R} rows, as many as the module may ever use, so that growing the rank changes no tensor
 * shape. Row {@code i < r} is an active triplet; the next rows (as many as one increment adds), while the budget is
 * not spent, are the authors' reserve ("advance learning"): their {@code λ} is held at {@value #RESERVE_VALUE} while
 * their {@code P} and {@code Q} are trained, so that a module given new ranks starts from directions already learned
 * (Zhang et al. 2023). The rows after them
 * have {@code λ = 0} and contribute nothing. As in the authors' code, {@code P} and {@code Q} start from
 * {@code N(0, 0.02²)} and {@code λ} from zero.
 * <p>
 * While the rank allocator scores modules, the forward pass adds a zero probe to {@code ΔW}, so that the probe's
 * gradient is {@code ∂L/∂ΔW}, the gradient the authors' backward hook reads.
 */
public final class IncreLoraModule extends AdapterModule {

    /** The fixed {@code λ} of the reserve triplet, as in the authors' code. */
    public static final float RESERVE_VALUE = 1e-5f;

    private static final double INIT_STD = 0.02;

    private final NDManager manager;
    private final int capacity;
    private final double alpha;
    private final Parameter loraA;
    private final Parameter loraE;
    private final Parameter loraB;
    private final Parameter rankNum;
    private final Dropout dropout;
    private NDArray probe;

    IncreLoraModule(TargetLayer target, NDManager manager, int rank, int capacity, double alpha, double dropoutRate,
                    int reserveRows, SplittableRandom rng) {
        super(target);
        this.manager = manager;
        this.capacity = capacity;
        this.alpha = alpha;
        this.loraA = addWeight(manager, "lora_A", new Shape(capacity, target.fanIn()));
        this.loraE = addWeight(manager, "lora_E", new Shape(capacity));
        this.loraB = addWeight(manager, "lora_B", new Shape(target.outFeatures(), capacity));
        this.rankNum = register(new Parameter("ranknum", Parameter.Kind.BUFFER, manager.zeros(new Shape(1))));
        this.dropout = dropoutRate > 0 ? addChild("lora_dropout", new Dropout(dropoutRate)) : null;
        loraA.assign(Initializers.normal(Math.toIntExact(loraA.size()), INIT_STD, rng));
        loraB.assign(Initializers.normal(Math.toIntExact(loraB.size()), INIT_STD, rng));
        rankNum.assign(new float[] {rank});
        grow(0, reserveRows);
    }

    /**
     * The number of triplets in use, {@code r}.
     * @return The rank.
     */
    @Override
    public int rank() {
        return Math.round(rankNum.toFloatArray()[0]);
    }

    /**
     * The number of rows of the tensors, the largest rank this module can reach (plus the reserve).
     * @return The capacity.
     */
    int capacity() {
        return capacity;
    }

    /**
     * Gives this module more ranks: the first reserve rows (or, without advance learning, the next fresh rows) become
     * active, and the next {@code reserveRows} rows become the reserve; every later row gets {@code λ = 0}.
     * @param added The number of ranks added.
     * @param reserveRows The number of reserve rows after the new rank (0 without advance learning or once the budget
     * is spent); fewer where the capacity ends.
     * @throws IllegalStateException if the rank would exceed the capacity.
     */
    void grow(int added, int reserveRows) {
        int r = rank() + added;
        if (r > capacity) {
            throw new IllegalStateException("the IncreLoRA module at '" + target().path() + "' holds " + capacity
                    + " ranks and cannot grow to " + r);
        }
        float[] e = loraE.toFloatArray();
        for (int i = r; i < capacity; i++) {
            e[i] = 0;
        }
        for (int i = r; i < Math.min(capacity, r + reserveRows); i++) {
            e[i] = RESERVE_VALUE;
        }
        loraE.assign(e);
        rankNum.assign(new float[] {r});
    }

    /** Drops the reserve rows once the budget is spent (their {@code λ} becomes zero, as in the authors' code). */
    void dropReserve() {
        grow(0, 0);
    }

    /**
     * Starts or stops adding the zero probe whose gradient {@link #sensitivity()} reads.
     * @param scoring True while the allocator scores modules.
     */
    void setScoring(boolean scoring) {
        if (scoring && probe == null) {
            probe = manager.zeros(new Shape(target().outFeatures(), target().fanIn()));
            NDScope.unregister(probe);
            probe.setRequiresGradient(true);
        } else if (!scoring && probe != null) {
            probe.close();
            probe = null;
        }
    }

    /**
     * The authors' sensitivity of this module from the last backward pass, {@code sum |ΔW ⊙ ∂L/∂ΔW| / sqrt(size)},
     * and clears the probe's gradient.
     * @return The sensitivity; 0 when no gradient was recorded.
     * @throws IllegalStateException if the module is not scoring.
     */
    double sensitivity() {
        if (probe == null) {
            throw new IllegalStateException("the IncreLoRA module at '" + target().path() + "' is not being scored");
        }
        try (GradientMode ignored = GradientMode.disabled(); NDScope scope = new NDScope()) {
            NDArray gradient = probe.getGradient();
            double score = delta(loraE.array()).abs().mul(gradient.abs()).sum().getFloat() / Math.sqrt(probe.size());
            GradientMode.zeroGradient(probe);
            return score;
        }
    }

    /** {@code (alpha / r) P diag(λ) Q} as a matrix {@code [out, fanIn]}. */
    private NDArray delta(NDArray lambda) {
        NDArray scaled = loraB.array().mul(lambda.reshape(1, capacity));
        return TapeConstants.timesInPlace(scaled.matMul(loraA.array()), alpha / rank());
    }

    /** {@code λ} with the gradient of every row but the active ones stopped (the reserve's {@code λ} stays fixed). */
    private NDArray trainedLambda() {
        int r = rank();
        NDArray e = loraE.array();
        if (r == capacity) {
            return e;
        }
        return e.get(new NDIndex(":" + r)).concat(e.get(new NDIndex(r + ":")).stopGradient());
    }

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        TargetLayer target = target();
        boolean training = context.isTraining();
        NDArray x = dropout != null && training ? dropout.apply(input, context) : input;
        NDArray delta = delta(training ? trainedLambda() : loraE.array());
        if (training && probe != null) {
            delta = delta.add(probe);
        }
        return output.add(target.apply(x, target.unflatten(delta), null));
    }

    @Override
    public void mergeIntoTarget() {
        TargetLayer target = target();
        target.weight().copyFrom(target.weight().array().add(target.unflatten(delta(loraE.array()))));
    }

    /**
     * The factors of the orthogonality regulariser restricted to the rows the module uses (the active ones and the
     * reserve): {@code P} ({@code lora_B}, {@code [out, u]}) and {@code Q} ({@code lora_A}, {@code [u, fanIn]}).
     * @return {@code [P, Q]}, differentiable.
     */
    NDArray[] usedFactors() {
        int used = usedRows();
        return new NDArray[] {loraB.array().get(new NDIndex(":, :" + used)), loraA.array().get(new NDIndex(":" + used))};
    }

    /**
     * The number of rows in use: the active ranks and the reserve rows after them.
     * @return The count.
     */
    int usedRows() {
        return usedRows(rank(), loraE.toFloatArray());
    }

    /**
     * The rows a module with these values uses: the active ranks and every row after them up to the last nonzero
     * {@code λ} (the others contribute nothing).
     * @param rank The active rank.
     * @param lambda The values of {@code lora_E}.
     * @return The count.
     */
    static int usedRows(int rank, float[] lambda) {
        int used = rank;
        for (int i = rank; i < lambda.length; i++) {
            if (lambda[i] != 0) {
                used = i + 1;
            }
        }
        return used;
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put("lora_A", loraA);
        out.put("lora_E", loraE);
        out.put("lora_B", loraB);
        out.put("ranknum", rankNum);
        return out;
    }

    @Override
    public String describe() {
        return "IncreLoRA(r=" + rank() + ", capacity=" + capacity + ", alpha=" + alpha + ")";
    }
}
