package org.tribuoadapt.peft.poly;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

/**
 * Polytropon (Ponti et al. 2023, "Combining Parameter-efficient Modules for Task-level Generalisation") and
 * Multi-Head Adapter Routing (Caccia et al. 2023, "Multi-Head Adapter Routing for Cross-Task Generalization"): each
 * targeted Linear layer holds an inventory of {@code nSkills} LoRA adapters of rank {@code r}, and a learned routing
 * matrix per task mixes them (see {@link PolyModule} for the maths). MHR splits the adapter into {@code nSplits} heads
 * along the layer's inputs and outputs, each with its own routing; Poly is {@code nSplits = 1}.
 * <p>
 * <b>Tasks in Tribuo.</b> A Tribuo dataset carries no task column, so the task is fixed per spec: {@code task} is the
 * row of the routing matrix every example of a training run (and every prediction of the model) uses. Multi-task
 * training cycles the tasks, continuing one inventory routed as each task in turn:
 * {@code m = m.withAdapter(name, spec.forTask(t), m.adapterTensors(previous))}, then
 * {@code m = PeftTrainer.train(dataOfTask, m, name)} (which returns it as the trainer's adapter); a trained adapter answers for another task the same way. {@link #AVERAGE_OF_TASKS}
 * ({@code -1}) routes with the mean of the tasks' routings, MHR-z's zero-shot routing for an unseen task (Caccia et al.
 * 2023, section 4). MHR-μ, the inventory collapsed to one LoRA by that averaged routing, is {@link AveragedRouting}.
 * <p>
 * The adapter file is PEFT's {@code PolyConfig} ({@code peft_type} {@value #PEFT_TYPE}, {@code poly_type "poly"},
 * {@code r}, {@code n_tasks}, {@code n_skills}, {@code n_splits}, {@code init_weights}) with PEFT's tensors
 * {@code poly_lora_A}, {@code poly_lora_B} and {@code poly_router.module_logits}; PEFT passes the task ids to the
 * forward call, so {@code task}, {@code averageTasks} and {@code relaxedTraining} are not in the file, and a loaded adapter routes with task 0
 * until {@link #forTask} picks another.
 */
public final class PolySpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** PEFT's name for the method. */
    public static final String PEFT_TYPE = "POLY";

    /** The {@code task} value that routes with the mean of every task's routing (MHR-z). */
    public static final int AVERAGE_OF_TASKS = -1;

    @Config(description = "The rank r of every skill (PEFT's r).")
    private int rank = 8;

    @Config(description = "The number of tasks, rows of the routing matrix (PEFT's n_tasks).")
    private int nTasks = 1;

    @Config(description = "The number of LoRA skills in each layer's inventory (PEFT's n_skills).")
    private int nSkills = 4;

    @Config(description = "The number of heads (PEFT's n_splits); 1 is Poly, more is MHR. It must divide the targets' "
            + "input and output widths.")
    private int nSplits = 1;

    @Config(description = "The task every example is routed as, 0 to nTasks - 1.")
    private int task = 0;

    @Config(description = "Route with the mean of the tasks' routings instead of task's, as for an unseen task (MHR-z).")
    private boolean averageTasks = false;

    @Config(description = "During training sample the routing from a relaxed Bernoulli (Gumbel-sigmoid, temperature 1) "
            + "as the paper and PEFT do; false trains with the deterministic sigmoid routing.")
    private boolean relaxedTraining = true;

    /** For OLCUT. */
    private PolySpec() {}

    /**
     * Creates a Poly or MHR spec.
     * @param targets The Linear layers to adapt (and modules to save).
     * @param rank The rank of every skill.
     * @param nTasks The number of tasks.
     * @param nSkills The number of skills per layer.
     * @param nSplits The number of heads (1 for Poly).
     * @param task The task to route as, or {@link #AVERAGE_OF_TASKS} (configured as {@code averageTasks}).
     * @param relaxedTraining Sample the routing during training.
     */
    public PolySpec(AdapterTargets targets, int rank, int nTasks, int nSkills, int nSplits, int task,
                    boolean relaxedTraining) {
        super(targets);
        this.rank = rank;
        this.nTasks = nTasks;
        this.nSkills = nSkills;
        this.nSplits = nSplits;
        this.averageTasks = task == AVERAGE_OF_TASKS;
        this.task = averageTasks ? 0 : task;
        this.relaxedTraining = relaxedTraining;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("rank", rank);
        requirePositive("nTasks", nTasks);
        requirePositive("nSkills", nSkills);
        requirePositive("nSplits", nSplits);
        if (task < 0 || task >= nTasks) {
            throw new PropertyException("", "task", "task " + task + " is not one of the " + nTasks
                    + " tasks (0 to " + (nTasks - 1) + "); use averageTasks (AVERAGE_OF_TASKS, -1) for the mean of "
                    + "the tasks' routings");
        }
    }

    /**
     * This spec routing as another task.
     * @param newTask The task, or {@link #AVERAGE_OF_TASKS}.
     * @return A spec equal to this one but for the task.
     */
    public PolySpec forTask(int newTask) {
        return new PolySpec(targets(), rank, nTasks, nSkills, nSplits, newTask, relaxedTraining);
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    /** PEFT's Poly layer wraps Linear layers only. */
    @Override
    public boolean supports(TargetLayer.Kind kind) {
        return kind == TargetLayer.Kind.LINEAR;
    }

    /** @return The rank of every skill. */
    public int rank() {
        return rank;
    }

    /** @return The number of tasks. */
    public int nTasks() {
        return nTasks;
    }

    /** @return The task routed as, or {@link #AVERAGE_OF_TASKS}. */
    public int task() {
        return averageTasks ? AVERAGE_OF_TASKS : task;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        if (target.inFeatures() % nSplits != 0 || target.outFeatures() % nSplits != 0) {
            throw new IllegalArgumentException("Poly at '" + target.path() + "': nSplits " + nSplits + " must divide the "
                    + "layer's " + target.inFeatures() + " inputs and " + target.outFeatures() + " outputs");
        }
        return new PolyModule(target, context.manager(), rank, nTasks, nSkills, nSplits, task(), relaxedTraining,
                context.streamFor(target));
    }

    /** PEFT's {@code PolyConfig} as its {@code save_pretrained} writes it. */
    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("r", rank)
                .put("init_weights", true)
                .put("poly_type", "poly")
                .put("n_tasks", nTasks)
                .put("n_skills", nSkills)
                .put("n_splits", nSplits);
    }

    /**
     * Reads PEFT's {@code PolyConfig}; the adapter routes as task 0.
     * @param json The configuration.
     * @return The spec.
     * @throws IllegalArgumentException for a {@code poly_type} other than {@code "poly"}.
     */
    public static PolySpec fromPeftConfig(PeftConfigJson json) {
        String polyType = json.string("poly_type", "poly");
        if (!"poly".equals(polyType)) {
            throw new IllegalArgumentException(json.source() + ": poly_type '" + polyType + "' is not supported; only "
                    + "'poly' is, as in PEFT");
        }
        return new PolySpec(readTargets(json), json.integer("r", 8), json.integer("n_tasks", 1),
                json.integer("n_skills", 4), json.integer("n_splits", 1), 0, true);
    }

    @Override
    public String toString() {
        return "PolySpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",nTasks="
                + nTasks + ",nSkills=" + nSkills + ",nSplits=" + nSplits + ",task=" + task + ",averageTasks=" + averageTasks + ",relaxedTraining="
                + relaxedTraining + ")";
    }
}
