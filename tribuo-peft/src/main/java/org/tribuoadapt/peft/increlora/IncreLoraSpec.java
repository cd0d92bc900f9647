package org.tribuoadapt.peft.increlora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.ExportedAdapter;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * IncreLoRA (Zhang et al. 2023, "IncreLoRA: Incremental Parameter Allocation Method for Parameter-Efficient
 * Fine-tuning"): every targeted layer gains the SVD-like update {@code ΔW = (alpha / r) P diag(λ) Q}
 * ({@link IncreLoraModule}) whose rank {@code r} starts small and grows during training, module by module, by an
 * importance score ({@link RankAllocator}), until the total rank reaches the budget {@code targetRank} times the number
 * of modules ({@code targetTotalRank} when set). Each increment gives {@code incrementRank} ranks to each of the
 * {@code topH} highest-scored modules, after {@code initWarmup} steps and every {@code incrementInterval} steps.
 * With {@code advanceLearn} each module trains its next ranks in advance as a reserve with a tiny fixed {@code λ}.
 * The loss gains the orthogonality regulariser {@code orthRegWeight * mean(||PᵀP - I||²_F, ||QQᵀ - I||²_F)}, the
 * mean over every module's two factors (restricted to the rows in use).
 * <p>
 * The option names and defaults follow the authors' code (FeiyuZhang98/IncreLoRA): {@code lora_r} 1,
 * {@code target_rank} 2, {@code lora_alpha} 32, {@code top_h} 12, {@code init_warmup} 500, {@code incre_interval} 500,
 * {@code beta1 = beta2 = 0.85}, {@code reg_orth_coef} 0.1, advance learning on, and {@code incre_rank_num}
 * {@code target_rank / 2}. Where this implementation differs: the tensors have a fixed number of rows, so a module
 * can grow up to {@code maxRank} (our option; the authors append new tensors without a bound); the budget is never
 * passed (the authors' last increment can pass it by up to {@code incre_rank_num - 1} per module); the authors'
 * code computes the orthogonality term per rank-one component, this one on the whole factors with the squared norms
 * of the paper; the scaling is {@code alpha / r} without the authors' {@code 1e-5} guard.
 * <p>
 * The update merges into the base weight. PEFT has no IncreLoRA, so the adapter file uses our own {@code peft_type}
 * {@value #PEFT_TYPE} with the tensors {@code lora_A}, {@code lora_E}, {@code lora_B} and {@code ranknum}; on export
 * the rows no module uses are cut, and the final rank allocation ({@code rank_pattern}, layer path to rank) and the
 * rows kept ({@code stored_rows}) are recorded in the configuration and so in the provenance.
 */
public final class IncreLoraSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "INCRELORA";

    private static final String RANKNUM = "ranknum";

    @Config(description = "The initial rank of every module (authors' lora_r).")
    private int rank = 1;

    @Config(description = "The average rank of the modules once the budget is spent (authors' target_rank).")
    private int targetRank = 2;

    @Config(description = "The total rank budget over all modules; 0 uses targetRank times the number of modules "
            + "(authors' target_total_rank).")
    private int targetTotalRank = 0;

    @Config(description = "The largest rank one module may reach; its tensors hold this many rows plus the reserve.")
    private int maxRank = 8;

    @Config(description = "The ranks one increment gives a selected module; 0 uses targetRank / 2 (authors' "
            + "incre_rank_num).")
    private int incrementRank = 0;

    @Config(description = "The number of modules given ranks at each increment (authors' top_h).")
    private int topH = 12;

    @Config(description = "The steps before the first increment (authors' init_warmup).")
    private int initWarmup = 500;

    @Config(description = "The steps between increments (authors' incre_interval).")
    private int incrementInterval = 500;

    @Config(description = "Whether each module trains its next ranks in advance (authors' advance_learn).")
    private boolean advanceLearn = true;

    @Config(description = "Smoothing of the sensitivity's moving average (authors' beta1).")
    private double beta1 = 0.85;

    @Config(description = "Smoothing of the uncertainty's moving average (authors' beta2).")
    private double beta2 = 0.85;

    @Config(description = "Weight of the orthogonality regulariser (authors' reg_orth_coef); 0 switches it off.")
    private double orthRegWeight = 0.1;

    @Config(description = "The scaling numerator, scaling = alpha / r (authors' lora_alpha).")
    private double alpha = 32;

    @Config(description = "Dropout probability on the adapter's input (authors' lora_dropout).")
    private double dropout = 0.0;

    @Config(description = "The final rank of each module by exact layer path (written on export).")
    private Map<String, Integer> rankPattern = new LinkedHashMap<>();

    @Config(description = "The rows each module's tensors keep, by exact layer path (written on export).")
    private Map<String, Integer> storedRows = new LinkedHashMap<>();

    /** For OLCUT. */
    private IncreLoraSpec() {}

    /**
     * Creates an IncreLoRA spec with the authors' defaults (initial rank 1, average target rank 2, alpha 32, top 12
     * modules, warm-up and interval 500 steps, advance learning, orthogonality weight 0.1) and {@code maxRank} 8.
     * @param targets The layers to adapt (and modules to save).
     */
    public IncreLoraSpec(AdapterTargets targets) {
        this(targets, 1, 2, 8, 500, 500, 12);
    }

    /**
     * Creates an IncreLoRA spec with the authors' smoothing, orthogonality weight, alpha and increment size.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The initial rank of every module.
     * @param targetRank The average final rank.
     * @param maxRank The largest rank of one module.
     * @param initWarmup The steps before the first increment.
     * @param incrementInterval The steps between increments.
     * @param topH The modules given ranks per increment.
     */
    public IncreLoraSpec(AdapterTargets targets, int rank, int targetRank, int maxRank, int initWarmup,
                         int incrementInterval, int topH) {
        this(targets, rank, targetRank, 0, maxRank, 0, topH, initWarmup, incrementInterval, true, 0.85, 0.85, 0.1, 32,
                0.0, Map.of(), Map.of());
    }

    private IncreLoraSpec(AdapterTargets targets, int rank, int targetRank, int targetTotalRank, int maxRank,
                          int incrementRank, int topH, int initWarmup, int incrementInterval, boolean advanceLearn,
                          double beta1, double beta2, double orthRegWeight, double alpha, double dropout,
                          Map<String, Integer> rankPattern, Map<String, Integer> storedRows) {
        super(targets);
        this.rank = rank;
        this.targetRank = targetRank;
        this.targetTotalRank = targetTotalRank;
        this.maxRank = maxRank;
        this.incrementRank = incrementRank;
        this.topH = topH;
        this.initWarmup = initWarmup;
        this.incrementInterval = incrementInterval;
        this.advanceLearn = advanceLearn;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.orthRegWeight = orthRegWeight;
        this.alpha = alpha;
        this.dropout = dropout;
        this.rankPattern = new LinkedHashMap<>(rankPattern);
        this.storedRows = new LinkedHashMap<>(storedRows);
        postConfig();
    }

    /**
     * This spec with other allocation settings.
     * @param total The total rank budget; 0 for {@code targetRank} times the number of modules.
     * @param increment The ranks per increment; 0 for {@code targetRank / 2}.
     * @param advance Whether reserves are trained in advance.
     * @param orthogonality The weight of the orthogonality regulariser.
     * @return The new spec.
     */
    public IncreLoraSpec withAllocation(int total, int increment, boolean advance, double orthogonality) {
        return new IncreLoraSpec(targets(), rank, targetRank, total, maxRank, increment, topH, initWarmup,
                incrementInterval, advance, beta1, beta2, orthogonality, alpha, dropout, rankPattern, storedRows);
    }

    /**
     * This spec with another scaling numerator and dropout.
     * @param newAlpha The scaling numerator.
     * @param newDropout The dropout on the adapter's input.
     * @return The new spec.
     */
    public IncreLoraSpec withScaling(double newAlpha, double newDropout) {
        return new IncreLoraSpec(targets(), rank, targetRank, targetTotalRank, maxRank, incrementRank, topH, initWarmup,
                incrementInterval, advanceLearn, beta1, beta2, orthRegWeight, newAlpha, newDropout, rankPattern,
                storedRows);
    }

    private IncreLoraSpec withRanks(Map<String, Integer> ranks, Map<String, Integer> rows) {
        return new IncreLoraSpec(targets(), rank, targetRank, targetTotalRank, maxRank, incrementRank, topH, initWarmup,
                incrementInterval, advanceLearn, beta1, beta2, orthRegWeight, alpha, dropout, ranks, rows);
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("rank", rank);
        requirePositive("targetRank", targetRank);
        requirePositive("maxRank", maxRank);
        requirePositive("topH", topH);
        requirePositive("incrementInterval", incrementInterval);
        requirePositive("alpha", alpha);
        requireDropout("dropout", dropout);
        if (initWarmup < 0) {
            throw new PropertyException("", "initWarmup", "initWarmup must be at least 0, found " + initWarmup);
        }
        if (targetTotalRank < 0) {
            throw new PropertyException("", "targetTotalRank", "targetTotalRank must be 0 (targetRank times the number "
                    + "of modules) or positive, found " + targetTotalRank);
        }
        if (incrementRank < 0 || (incrementRank == 0 && targetRank < 2)) {
            throw new PropertyException("", "incrementRank", "incrementRank must be positive, or 0 with a targetRank of "
                    + "at least 2 (it is then targetRank / 2), found " + incrementRank + " with targetRank " + targetRank);
        }
        if (targetRank < rank || maxRank < targetRank) {
            throw new PropertyException("", "targetRank", "the ranks must satisfy rank <= targetRank <= maxRank, found "
                    + rank + ", " + targetRank + " and " + maxRank);
        }
        for (String field : new String[] {"beta1", "beta2"}) {
            double beta = field.equals("beta1") ? beta1 : beta2;
            if (!(beta > 0 && beta < 1)) {
                throw new PropertyException("", field, field + " must be in (0, 1), found " + beta);
            }
        }
        if (!(orthRegWeight >= 0) || Double.isInfinite(orthRegWeight)) {
            throw new PropertyException("", "orthRegWeight", "orthRegWeight must be finite and at least 0, found "
                    + orthRegWeight);
        }
        for (Map.Entry<String, Integer> e : rankPattern.entrySet()) {
            Integer rows = storedRows.get(e.getKey());
            if (e.getValue() == null || e.getValue() < 1 || rows == null || rows < e.getValue()) {
                throw new PropertyException("", "rankPattern", "rankPattern['" + e.getKey() + "'] must be at least 1 and "
                        + "at most storedRows['" + e.getKey() + "'], found " + e.getValue() + " and " + rows);
            }
        }
    }

    /** @return The sensitivity smoothing. */
    double beta1() {
        return beta1;
    }

    /** @return The uncertainty smoothing. */
    double beta2() {
        return beta2;
    }

    /** @return The steps before the first increment. */
    int initWarmup() {
        return initWarmup;
    }

    /** @return The steps between increments. */
    int incrementInterval() {
        return incrementInterval;
    }

    /** @return The modules given ranks per increment. */
    int topH() {
        return topH;
    }

    /** @return Whether reserves are trained in advance. */
    boolean advanceLearn() {
        return advanceLearn;
    }

    /**
     * The ranks one increment gives a module.
     * @return {@code incrementRank}, or {@code targetRank / 2} when it is 0.
     */
    public int incrementRank() {
        return incrementRank > 0 ? incrementRank : targetRank / 2;
    }

    /**
     * The total rank budget of an adapter.
     * @param modules The number of modules.
     * @return {@code targetTotalRank}, or {@code targetRank} times the number of modules when it is 0.
     */
    public int budget(int modules) {
        return targetTotalRank > 0 ? targetTotalRank : targetRank * modules;
    }

    /**
     * The rank of the module at a layer when it is created.
     * @param path The layer's path.
     * @return Its recorded final rank, or the initial rank.
     */
    public int rank(String path) {
        return rankPattern.getOrDefault(path, rank);
    }

    /**
     * The rows of the tensors of the module at a layer.
     * @param path The layer's path.
     * @return The recorded rows, or {@code maxRank} plus one increment of reserve with advance learning.
     */
    public int storedRows(String path) {
        return storedRows.getOrDefault(path, maxRank + (advanceLearn ? incrementRank() : 0));
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new IncreLoraModule(target, context.manager(), rank(target.path()), storedRows(target.path()), alpha,
                dropout, advanceLearn ? incrementRank() : 0, context.streamFor(target));
    }

    /** Runs the {@link RankAllocator} around the trainer's optimiser. */
    @Override
    public NetworkOptimiser adaptOptimiser(NetworkOptimiser optimiser, List<AdapterModule> modules) {
        List<IncreLoraModule> own = new ArrayList<>();
        for (AdapterModule m : modules) {
            own.add((IncreLoraModule) m);
        }
        return new RankAllocator(optimiser, own, this, budget(own.size()));
    }

    /**
     * {@code orthRegWeight * (sum over modules of ||PᵀP - I||²_F + ||QQᵀ - I||²_F) / (2 * modules)}, over the rows
     * each module uses.
     */
    @Override
    public Optional<NDArray> trainingPenalty(List<AdapterModule> modules) {
        if (orthRegWeight == 0 || modules.isEmpty()) {
            return Optional.empty();
        }
        NDArray sum = null;
        for (AdapterModule m : modules) {
            NDArray[] pq = ((IncreLoraModule) m).usedFactors();
            NDArray term = gramDistance(pq[0].transpose().matMul(pq[0])).add(gramDistance(pq[1].matMul(pq[1].transpose())));
            sum = sum == null ? term : sum.add(term);
        }
        return Optional.of(TapeConstants.timesInPlace(sum, orthRegWeight / (2.0 * modules.size())));
    }

    /** {@code ||G - I||²_F} of a square Gram matrix. */
    private static NDArray gramDistance(NDArray gram) {
        NDManager manager = gram.getManager();
        NDArray diff = gram.sub(manager.eye(Math.toIntExact(gram.getShape().get(0))));
        return diff.mul(diff).sum();
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    /**
     * Cuts the rows no module uses and records the final rank allocation.
     * @param tensors The adapter's tensors.
     * @return This spec and the tensors when every module has the rank and rows this spec creates, else a spec with
     * {@code rankPattern} and {@code storedRows} and the cut tensors.
     */
    @Override
    public ExportedAdapter export(Map<String, TensorData> tensors) {
        Map<String, TensorData> out = new LinkedHashMap<>(tensors);
        Map<String, Integer> ranks = new LinkedHashMap<>();
        Map<String, Integer> rows = new LinkedHashMap<>();
        boolean changed = false;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            if (!e.getKey().endsWith("." + RANKNUM)) {
                continue;
            }
            String prefix = e.getKey().substring(0, e.getKey().length() - RANKNUM.length());
            String path = prefix.substring(PeftNetwork.MODEL_PREFIX.length(), prefix.length() - 1);
            int r = Math.round(e.getValue().toFloatArray()[0]);
            float[] lambda = tensors.get(prefix + "lora_E").toFloatArray();
            int used = Math.max(1, IncreLoraModule.usedRows(r, lambda));
            ranks.put(path, r);
            rows.put(path, used);
            changed |= r != rank(path) || used != lambda.length;
            if (used < lambda.length) {
                out.put(prefix + "lora_A", firstRows(tensors.get(prefix + "lora_A"), used));
                out.put(prefix + "lora_E", TensorData.ofFloats(new long[] {used}, Arrays.copyOf(lambda, used)));
                out.put(prefix + "lora_B", firstColumns(tensors.get(prefix + "lora_B"), used));
            }
        }
        return changed ? new ExportedAdapter(withRanks(ranks, rows), out) : new ExportedAdapter(this, tensors);
    }

    private static TensorData firstRows(TensorData matrix, int rows) {
        long columns = matrix.shape()[1];
        return TensorData.ofFloats(new long[] {rows, columns},
                Arrays.copyOf(matrix.toFloatArray(), Math.toIntExact(rows * columns)));
    }

    private static TensorData firstColumns(TensorData matrix, int columns) {
        int outRows = Math.toIntExact(matrix.shape()[0]);
        int width = Math.toIntExact(matrix.shape()[1]);
        float[] values = matrix.toFloatArray();
        float[] out = new float[outRows * columns];
        for (int i = 0; i < outRows; i++) {
            System.arraycopy(values, i * width, out, i * columns, columns);
        }
        return TensorData.ofFloats(new long[] {outRows, columns}, out);
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("init_r", rank)
                .put("target_rank", targetRank)
                .put("target_total_rank", targetTotalRank)
                .put("max_rank", maxRank)
                .put("incre_rank_num", incrementRank)
                .put("top_h", topH)
                .put("init_warmup", initWarmup)
                .put("incre_interval", incrementInterval)
                .put("advance_learn", advanceLearn)
                .put("beta1", beta1)
                .put("beta2", beta2)
                .put("orth_reg_weight", orthRegWeight)
                .put("lora_alpha", alpha)
                .put("lora_dropout", dropout)
                .put("rank_pattern", rankPattern)
                .put("stored_rows", storedRows);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static IncreLoraSpec fromPeftConfig(PeftConfigJson json) {
        try {
            return new IncreLoraSpec(readTargets(json), json.integer("init_r", 1), json.integer("target_rank", 2),
                    json.integer("target_total_rank", 0), json.integer("max_rank", 8), json.integer("incre_rank_num", 0),
                    json.integer("top_h", 12), json.integer("init_warmup", 500), json.integer("incre_interval", 500),
                    json.bool("advance_learn", true), json.number("beta1", 0.85), json.number("beta2", 0.85),
                    json.number("orth_reg_weight", 0.1), json.number("lora_alpha", 32), json.number("lora_dropout", 0.0),
                    json.integerMap("rank_pattern"), json.integerMap("stored_rows"));
        } catch (PropertyException e) {
            throw new IllegalArgumentException(json.source() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "IncreLoraSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank
                + ",targetRank=" + targetRank + ",targetTotalRank=" + targetTotalRank + ",maxRank=" + maxRank
                + ",incrementRank=" + incrementRank + ",topH=" + topH + ",initWarmup=" + initWarmup
                + ",incrementInterval=" + incrementInterval + ",advanceLearn=" + advanceLearn + ",beta1=" + beta1
                + ",beta2=" + beta2 + ",orthRegWeight=" + orthRegWeight + ",alpha=" + alpha + ",dropout=" + dropout
                + (rankPattern.isEmpty() ? "" : ",rankPattern=" + rankPattern + ",storedRows=" + storedRows) + ")";
    }
}
