package org.tribuoadapt.peft.poly;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.TargetLayer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One Poly / MHR adapter at one Linear layer (Ponti et al. 2023; Caccia et al. 2023, section 3), in PEFT's
 * {@code poly.Linear} layout: an inventory of {@code n_skills} LoRA skills split into {@code n_splits} heads,
 * {@code poly_lora_A [n_splits, n_skills, in / n_splits, r]} and {@code poly_lora_B [n_splits, n_skills, r,
 * out / n_splits]}, and the routing logits {@code poly_router.module_logits [n_tasks, n_splits n_skills]}.
 * <p>
 * For the task {@code t} the routing of head {@code q} is {@code w[q, s] = z[q, s] / (Σ_s' z[q, s'] + 1e-12)} with
 * {@code z = sigmoid(logits[t, q, s])}, or during training a relaxed Bernoulli (Gumbel-sigmoid) sample at temperature 1,
 * {@code z = sigmoid(logits + log u - log(1 - u))}, {@code u ~ U(0, 1)}, as in the paper and PEFT. Each head mixes its
 * skills, {@code A_q = Σ_s w[q, s] A[q, s]}, {@code B_q = Σ_s w[q, s] B[q, s]}; stacking the heads' {@code A_q} along the
 * inputs gives {@code A [in, r]} and placing the {@code B_q} side by side along the outputs gives {@code B [r, out]}, and
 * the layer computes {@code y = W0 x + b + (A B)^T x / r}. With {@code n_splits = 1} this is Poly. For a fixed task the
 * update is a plain rank-{@code r} matrix, so it merges. With the task {@link PolySpec#AVERAGE_OF_TASKS} the routing is
 * the mean of the tasks' (deterministic) routings, MHR-z.
 */
public final class PolyModule extends AdapterModule {

    /** PEFT's constant added to the routing's normaliser. */
    static final double EPS = 1e-12;

    private final int rank;
    private final int tasks;
    private final int skills;
    private final int splits;
    private final int task;
    private final boolean relaxedTraining;
    private final Parameter loraA;
    private final Parameter loraB;
    private final Parameter logits;
    private final SplittableRandom noise;

    /**
     * Creates and initialises the module: each skill's {@code A} per head kaiming-uniform over its {@code in / n_splits}
     * inputs, {@code B = 0}, the logits uniform in {@code [-1e-3, 1e-3]} (PEFT's initialisation).
     */
    PolyModule(TargetLayer target, NDManager manager, int rank, int tasks, int skills, int splits, int task,
               boolean relaxedTraining, SplittableRandom rng) {
        super(target);
        this.rank = rank;
        this.tasks = tasks;
        this.skills = skills;
        this.splits = splits;
        this.task = task;
        this.relaxedTraining = relaxedTraining;
        int in = target.inFeatures() / splits;
        int out = target.outFeatures() / splits;
        this.loraA = addWeight(manager, "poly_lora_A", new Shape(splits, skills, in, rank));
        this.loraB = addWeight(manager, "poly_lora_B", new Shape(splits, skills, rank, out));
        this.logits = addWeight(manager, "poly_router_module_logits", new Shape(tasks, (long) splits * skills));
        float[] a = new float[splits * skills * in * rank];
        for (int head = 0; head < splits; head++) {
            for (int skill = 0; skill < skills; skill++) {
                // drawn as an [r, in / n_splits] matrix (a Linear layer's weight), stored transposed
                float[] drawn = Initializers.kaimingUniform(rank * in, in, rng);
                int offset = (head * skills + skill) * in * rank;
                for (int i = 0; i < rank; i++) {
                    for (int j = 0; j < in; j++) {
                        a[offset + j * rank + i] = drawn[i * in + j];
                    }
                }
            }
        }
        loraA.assign(a);
        logits.assign(Initializers.uniform(tasks * splits * skills, 1e-3, rng));
        this.noise = rng.split();
    }

    /**
     * The routing weights this module uses outside training: the task's normalised sigmoid routing, or for
     * {@link PolySpec#AVERAGE_OF_TASKS} the mean over the tasks.
     * @return {@code [n_splits, n_skills]}, each row summing to 1 (up to the 1e-12 of the normaliser).
     */
    public NDArray routing() {
        return routing(task, false);
    }

    /**
     * The routing weights of a task outside training.
     * @param routedTask The task, or {@link PolySpec#AVERAGE_OF_TASKS} for the mean of the tasks' routings.
     * @return {@code [n_splits, n_skills]}.
     */
    NDArray routing(int routedTask) {
        return routing(routedTask, false);
    }

    private NDArray routing(int routedTask, boolean training) {
        if (routedTask == PolySpec.AVERAGE_OF_TASKS) {
            NDArray all = normalise(Activation.SIGMOID.apply(logits.array().reshape(tasks, splits, skills)));
            return all.mean(new int[] {0});
        }
        NDArray row = logits.array().get(routedTask).reshape(splits, skills);
        if (training && relaxedTraining) {
            float[] u = new float[splits * skills];
            for (int i = 0; i < u.length; i++) {
                double uniform = Math.max(noise.nextDouble(), Double.MIN_NORMAL);
                u[i] = (float) (Math.log(uniform) - Math.log1p(-uniform));
            }
            row = row.add(row.getManager().create(u, row.getShape()));
        }
        return normalise(Activation.SIGMOID.apply(row));
    }

    /** Divides by the sum over the last axis (the skills) plus {@link #EPS}. */
    static NDArray normalise(NDArray weights) {
        return weights.div(weights.sum(new int[] {-1}, true).add(EPS));
    }

    /**
     * The mixed factor {@code A [in, r]}: each head's routed mixture of its skills, the heads stacked along the inputs.
     * @param routing {@code [n_splits, n_skills]}.
     * @return The factor.
     */
    NDArray mixedA(NDArray routing) {
        NDArray mixed = loraA.array().mul(routing.reshape(splits, skills, 1, 1)).sum(new int[] {1});
        return mixed.reshape(target().inFeatures(), rank);
    }

    /**
     * The mixed factor {@code B [r, out]}: each head's routed mixture of its skills, the heads side by side along the
     * outputs.
     * @param routing {@code [n_splits, n_skills]}.
     * @return The factor.
     */
    NDArray mixedB(NDArray routing) {
        NDArray mixed = loraB.array().mul(routing.reshape(splits, skills, 1, 1)).sum(new int[] {1});
        return mixed.transpose(1, 0, 2).reshape(rank, target().outFeatures());
    }

    /** {@code (A B)^T / r}, shaped like the target's weight {@code [out, in]}. */
    private NDArray delta(NDArray routing) {
        return TapeConstants.dividedBy(mixedA(routing).matMul(mixedB(routing)).transpose(), rank);
    }

    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        return output.add(TargetLayer.linear(input, delta(routing(task, context.isTraining())), null));
    }

    @Override
    public void mergeIntoTarget() {
        Parameter weight = target().weight();
        weight.copyFrom(weight.array().add(delta(routing())));
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put("poly_lora_A", loraA);
        out.put("poly_lora_B", loraB);
        out.put("poly_router.module_logits", logits);
        return out;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public String describe() {
        return (splits == 1 ? "Poly" : "MHR") + "(r=" + rank + ", skills=" + skills + ", splits=" + splits + ", tasks="
                + tasks + ", task=" + (task == PolySpec.AVERAGE_OF_TASKS ? "average" : String.valueOf(task)) + ")";
    }
}
