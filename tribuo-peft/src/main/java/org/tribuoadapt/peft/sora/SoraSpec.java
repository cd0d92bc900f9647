package org.tribuoadapt.peft.sora;

import com.oracle.labs.mlrg.olcut.config.Config;
import ai.djl.ndarray.NDArray;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.TrainingPlan;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.ExportedAdapter;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SoRA (Ding et al. 2023, "Sparse Low-rank Adaptation of Pre-trained Language Models"): LoRA with a gate
 * {@code g} of length r between its factors, {@code h = W0 x + s B (g ⊙ (A x))} with {@code s = alpha / r}.
 * <p>
 * Training follows the authors' code (TsinghuaC3I/SoRA), whose option names the configuration keeps:
 * <ul>
 * <li>the gates are left out of the trainer's optimiser and trained by their own ({@link GateOptimiser}, the
 * authors' {@code SparseAdamW}): Adam without weight decay at the learning rate {@code sparseLr} (0, the authors'
 * default, takes the trainer's optimiser's rate), then the proximal step of the L1 penalty
 * {@code g = sign(g) max(|g| - lambda, 0)};</li>
 * <li>the threshold {@code lambda} starts at {@code sparseLambda2} and follows {@code lambdaSchedule} ({@code linear},
 * {@code log_linear} or {@code exp_linear}) up to {@code maxLambda} over {@code lambdaNum} stages; the authors train
 * their first stage for the whole run and 15 more epochs per later stage, here the run's planned steps are cut into
 * {@code lambdaNum} equal stages;</li>
 * <li>the loss gains {@code sparseLambda * sum |g| / (number of gate values)}, the mean absolute gate over every
 * module (0 switches it off).</li>
 * </ul>
 * Ranks whose gate reaches zero stop contributing. When the adapter is exported (saved, or kept in a trained model)
 * those ranks are pruned: the rows of {@code A}, the columns of {@code B} and the gate entries with a zero gate are
 * removed, and the module's remaining rank is recorded in {@code moduleRanks} (each module becomes a concise LoRA of
 * its learned rank; a module whose gates are all zero keeps one zero rank). The scaling stays {@code alpha / r} with
 * the configured r.
 * <p>
 * Trainable values per layer: {@code r (fanIn + out + 1)}. The adapter file uses our own {@code peft_type}
 * {@value #PEFT_TYPE} with the fields {@code r}, {@code sora_alpha}, {@code sora_dropout}, {@code sparse_lambda},
 * {@code sparse_lambda_2}, {@code sparse_lr}, {@code lambda_schedule}, {@code max_lambda}, {@code lambda_num} and
 * {@code module_ranks} (layer path to pruned rank). Files written before the L1 term existed have no
 * {@code sparse_lambda_2}; their {@code sparse_lambda} was the threshold, and they are read that way (threshold
 * {@code sparse_lambda}, no L1 term).
 */
public final class SoraSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "SORA";

    /** Adam's epsilon in the gates' optimiser: the default of the {@code AdamW} the authors' optimiser extends. */
    static final double GATE_ADAM_EPSILON = 1e-6;

    private static final String GATE = "sora_gate";

    @Config(description = "The initial rank r of every module.")
    private int rank = 8;

    @Config(description = "The scaling numerator (scaling = alpha / r).")
    private double alpha = 16;

    @Config(description = "Dropout probability on the adapter's input.")
    private double dropout = 0.0;

    @Config(description = "Weight of the L1 penalty on the gates added to the loss, sparse_lambda * mean |g| (authors' "
            + "sparse_lambda); 0 switches it off.")
    private double sparseLambda = 1e-3;

    @Config(description = "The soft threshold of the gates' proximal step after each of their optimiser's steps, and the "
            + "first value of the lambda schedule (authors' sparse_lambda_2).")
    private double sparseLambda2 = 1e-3;

    @Config(description = "Learning rate of the gates' own Adam optimiser (authors' sparse_lr); 0 uses the trainer's "
            + "optimiser's learning rate.")
    private double sparseLr = 0.0;

    @Config(description = "How the threshold grows from sparseLambda2 to maxLambda over lambdaNum stages: NONE, LINEAR, "
            + "LOG_LINEAR or EXP_LINEAR (authors' lambda_schedule).")
    private LambdaSchedule lambdaSchedule = LambdaSchedule.NONE;

    @Config(description = "The threshold of the last stage of the lambda schedule (authors' max_lambda).")
    private double maxLambda = 10;

    @Config(description = "The number of stages of the lambda schedule (authors' lambda_num).")
    private int lambdaNum = 10;

    @Config(description = "Ranks left after pruning, by exact layer path (written on export); other layers have rank r.")
    private Map<String, Integer> moduleRanks = new LinkedHashMap<>();

    /** For OLCUT. */
    private SoraSpec() {}

    /**
     * Creates a SoRA spec with the authors' sparsity defaults: {@code sparseLambda} and {@code sparseLambda2} 1e-3,
     * the gates at the trainer's learning rate, no lambda schedule, no dropout.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The initial rank.
     * @param alpha The scaling numerator.
     */
    public SoraSpec(AdapterTargets targets, int rank, double alpha) {
        this(targets, rank, alpha, 0.0, 1e-3, 1e-3, 0.0);
    }

    /**
     * Creates a SoRA spec without a lambda schedule (see {@link #withLambdaSchedule}).
     * @param targets The layers to adapt (and modules to save).
     * @param rank The initial rank.
     * @param alpha The scaling numerator.
     * @param dropout Dropout on the adapter's input.
     * @param sparseLambda The weight of the gates' L1 penalty in the loss; 0 for none.
     * @param sparseLambda2 The gates' soft threshold per step.
     * @param sparseLr The gates' learning rate; 0 for the trainer's.
     */
    public SoraSpec(AdapterTargets targets, int rank, double alpha, double dropout, double sparseLambda,
                    double sparseLambda2, double sparseLr) {
        this(targets, rank, alpha, dropout, sparseLambda, sparseLambda2, sparseLr, LambdaSchedule.NONE, 10, 10, Map.of());
    }

    private SoraSpec(AdapterTargets targets, int rank, double alpha, double dropout, double sparseLambda,
                     double sparseLambda2, double sparseLr, LambdaSchedule lambdaSchedule, double maxLambda,
                     int lambdaNum, Map<String, Integer> moduleRanks) {
        super(targets);
        this.rank = rank;
        this.alpha = alpha;
        this.dropout = dropout;
        this.sparseLambda = sparseLambda;
        this.sparseLambda2 = sparseLambda2;
        this.sparseLr = sparseLr;
        this.lambdaSchedule = lambdaSchedule;
        this.maxLambda = maxLambda;
        this.lambdaNum = lambdaNum;
        this.moduleRanks = new LinkedHashMap<>(moduleRanks);
        postConfig();
    }

    /**
     * This spec with a lambda schedule.
     * @param schedule How the threshold grows.
     * @param max The last stage's threshold.
     * @param stages The number of stages.
     * @return The new spec.
     */
    public SoraSpec withLambdaSchedule(LambdaSchedule schedule, double max, int stages) {
        return new SoraSpec(targets(), rank, alpha, dropout, sparseLambda, sparseLambda2, sparseLr, schedule, max, stages,
                moduleRanks);
    }

    /**
     * This spec with pruned ranks.
     * @param ranks Ranks by exact layer path.
     * @return The new spec.
     */
    SoraSpec withModuleRanks(Map<String, Integer> ranks) {
        return new SoraSpec(targets(), rank, alpha, dropout, sparseLambda, sparseLambda2, sparseLr, lambdaSchedule,
                maxLambda, lambdaNum, ranks);
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("rank", rank);
        requirePositive("alpha", alpha);
        requireDropout("dropout", dropout);
        requireNonNegative("sparseLambda", sparseLambda);
        requireNonNegative("sparseLambda2", sparseLambda2);
        requireNonNegative("sparseLr", sparseLr);
        if (lambdaSchedule == null) {
            throw new PropertyException("", "lambdaSchedule", "lambdaSchedule must be NONE, LINEAR, LOG_LINEAR or EXP_LINEAR");
        }
        if (lambdaSchedule != LambdaSchedule.NONE) {
            requireNonNegative("maxLambda", maxLambda);
            requirePositive("lambdaNum", lambdaNum);
            if (lambdaSchedule == LambdaSchedule.EXP_LINEAR && (sparseLambda2 == 0 || maxLambda == 0)) {
                throw new PropertyException("", "sparseLambda2", "the EXP_LINEAR schedule is geometric, so sparseLambda2 and "
                        + "maxLambda must be positive, found " + sparseLambda2 + " and " + maxLambda);
            }
            if (lambdaSchedule == LambdaSchedule.LOG_LINEAR && Double.isInfinite(Math.exp(Math.max(sparseLambda2, maxLambda)))) {
                throw new PropertyException("", "maxLambda", "the LOG_LINEAR schedule interpolates exp(lambda), which "
                        + "overflows for " + Math.max(sparseLambda2, maxLambda));
            }
        }
        for (Map.Entry<String, Integer> e : moduleRanks.entrySet()) {
            if (e.getValue() == null || e.getValue() < 1 || e.getValue() > rank) {
                throw new PropertyException("", "moduleRanks", "moduleRanks['" + e.getKey() + "'] must be between 1 and the "
                        + "rank " + rank + ", found " + e.getValue());
            }
        }
    }

    private static void requireNonNegative(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new PropertyException("", field, field + " must be finite and at least 0, found " + value);
        }
    }

    /**
     * The gate threshold of every stage of the schedule.
     * @return {@code [sparseLambda2]} without a schedule, else {@code lambdaNum} values from {@code sparseLambda2} to
     * {@code maxLambda}.
     */
    public double[] lambdas() {
        return lambdaSchedule.values(sparseLambda2, maxLambda, lambdaNum);
    }

    /** The gates, which {@link GateOptimiser} trains instead of the trainer's optimiser. */
    @Override
    public List<Parameter> separatelyOptimised(List<AdapterModule> modules) {
        List<Parameter> gates = new ArrayList<>();
        for (AdapterModule m : modules) {
            gates.add(((SoraModule) m).gate());
        }
        return gates;
    }

    @Override
    public NetworkOptimiser separateOptimiser(List<Parameter> gates, TrainingPlan plan, double trainerLearningRate) {
        double lr = sparseLr > 0 ? sparseLr : trainerLearningRate;
        NetworkOptimiser adam = new AdamOptimiserFactory(lr, 0.9, 0.999, GATE_ADAM_EPSILON, 0.0, false).create(gates, plan);
        return new GateOptimiser(adam, gates, lambdas(), plan.plannedSteps());
    }

    /** {@code sparseLambda * sum |g| / (number of gate values)} over every module, when {@code sparseLambda > 0}. */
    @Override
    public Optional<NDArray> trainingPenalty(List<AdapterModule> modules) {
        if (sparseLambda == 0 || modules.isEmpty()) {
            return Optional.empty();
        }
        NDArray sum = null;
        long count = 0;
        for (AdapterModule m : modules) {
            NDArray gate = ((SoraModule) m).gate().array();
            NDArray moduleSum = gate.abs().sum();
            sum = sum == null ? moduleSum : sum.add(moduleSum);
            count += gate.size();
        }
        return Optional.of(sum.mul((float) (sparseLambda / count)));
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    /**
     * The rank of the module at a layer.
     * @param path The layer's path.
     * @return Its pruned rank, or r.
     */
    public int rank(String path) {
        return moduleRanks.getOrDefault(path, rank);
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new SoraModule(target, context.manager(), rank(target.path()), alpha / rank, dropout,
                context.streamFor(target));
    }

    /**
     * Prunes the ranks whose gate is zero (Ding et al. 2023).
     * @param tensors The adapter's tensors.
     * @return This spec with the pruned ranks in {@code moduleRanks} and the pruned tensors; this spec and the tensors
     * unchanged when no gate is zero.
     */
    @Override
    public ExportedAdapter export(Map<String, TensorData> tensors) {
        Map<String, TensorData> pruned = new LinkedHashMap<>(tensors);
        Map<String, Integer> ranks = new LinkedHashMap<>(moduleRanks);
        boolean changed = false;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            if (e.getKey().endsWith("." + GATE)) {
                String prefix = e.getKey().substring(0, e.getKey().length() - GATE.length());
                int kept = RankPruning.prune(prefix, e.getValue().toFloatArray(), pruned);
                if (kept < e.getValue().numElements()) {
                    changed = true;
                    ranks.put(RankPruning.layerPath(prefix), kept);
                }
            }
        }
        return changed ? new ExportedAdapter(withModuleRanks(ranks), pruned) : new ExportedAdapter(this, tensors);
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("r", rank)
                .put("sora_alpha", alpha)
                .put("sora_dropout", dropout)
                .put("sparse_lambda", sparseLambda)
                .put("sparse_lambda_2", sparseLambda2)
                .put("sparse_lr", sparseLr)
                .put("lambda_schedule", lambdaSchedule.fileName())
                .put("max_lambda", maxLambda)
                .put("lambda_num", lambdaNum)
                .put("module_ranks", moduleRanks);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}. A file without {@code sparse_lambda_2} was written
     * when {@code sparse_lambda} named the threshold: it is read as that threshold, without an L1 term.
     * @param json The configuration.
     * @return The spec.
     */
    public static SoraSpec fromPeftConfig(PeftConfigJson json) {
        double threshold = json.number("sparse_lambda_2", Double.NaN);
        double l1 = json.number("sparse_lambda", 1e-3);
        if (Double.isNaN(threshold)) {
            threshold = l1;
            l1 = 0.0;
        }
        LambdaSchedule schedule;
        try {
            schedule = LambdaSchedule.fromFileName(json.string("lambda_schedule", null));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(json.source() + ": " + e.getMessage(), e);
        }
        return new SoraSpec(readTargets(json), json.integer("r", 8), json.number("sora_alpha", 16),
                json.number("sora_dropout", 0.0), l1, threshold, json.number("sparse_lr", 0.0), schedule,
                json.number("max_lambda", 10), json.integer("lambda_num", 10), json.integerMap("module_ranks"));
    }

    @Override
    public String toString() {
        return "SoraSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",alpha=" + alpha
                + ",dropout=" + dropout + ",sparseLambda=" + sparseLambda + ",sparseLambda2=" + sparseLambda2
                + ",sparseLr=" + sparseLr
                + (lambdaSchedule == LambdaSchedule.NONE ? "" : ",lambdaSchedule=" + lambdaSchedule + ",maxLambda="
                        + maxLambda + ",lambdaNum=" + lambdaNum)
                + (moduleRanks.isEmpty() ? "" : ",moduleRanks=" + moduleRanks) + ")";
    }
}
