package org.tribuoadapt.peft.lora;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.RankPatterns;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.corda.CordaDecomposition;
import org.tribuoadapt.peft.corda.CordaMethod;
import org.tribuoadapt.peft.corda.InputCovariance;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LoRA (Hu et al. 2021, eq. 3): {@code y = W0 x + s B A x} with a trainable {@code A [r, in]} and {@code B [out, r]},
 * on Linear and Conv2d layers, with PEFT's {@code LoraConfig} options:
 * <ul>
 *     <li>scaling {@code s = alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA (Kalajdzievski 2023);</li>
 *     <li>DoRA (Liu et al. 2024, eq. 5): {@code W' = m (W0 + s B A) / ||W0 + s B A||_row} with a trainable
 *     magnitude {@code m} initialised to the row norms;</li>
 *     <li>per-layer ranks and alphas ({@code rankPattern}, {@code alphaPattern}), dropout on the adapter's input;</li>
 *     <li>initialisation {@link LoraInit}: default, gaussian, PiSSA or CorDA (which change the base weight as PEFT
 *     does) or random; CorDA reads the input covariances from {@code covarianceFile} (written by
 *     {@link InputCovariance}) and takes the components {@code cordaMethod} names.</li>
 * </ul>
 * On a Conv2d layer {@code A} is a convolution with the base kernel, stride and padding to {@code r} channels and
 * {@code B} a 1x1 convolution, exactly as in PEFT.
 */
public final class LoraSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** PEFT's name for the method. */
    public static final String PEFT_TYPE = "LORA";

    /** The file key suffix of a module's factor A. */
    private static final String LORA_A = ".lora_A.weight";

    /** The {@link AdapterContext#computeOnce} key of the covariance file's contents. */
    private static final String COVARIANCES = "corda covariances";

    @Config(description = "The rank r.")
    private int rank = 8;

    @Config(description = "The scaling numerator alpha (scaling = alpha / r, or alpha / sqrt(r) with rsLoRA).")
    private double alpha = 8;

    @Config(description = "Dropout probability on the adapter's input.")
    private double dropout = 0.0;

    @Config(description = "Use rank-stabilised scaling alpha / sqrt(r).")
    private boolean useRsLora = false;

    @Config(description = "Use DoRA: a trainable magnitude per output feature times the normalised adapted weight.")
    private boolean useDora = false;

    @Config(description = "Initialisation of the factors: DEFAULT, GAUSSIAN, PISSA, CORDA or RANDOM.")
    private LoraInit initialisation = LoraInit.DEFAULT;

    @Config(description = "CorDA only: IPM adapts the r largest components of W C, KPM the r smallest.")
    private CordaMethod cordaMethod = CordaMethod.IPM;

    @Config(description = "CorDA only: the safetensors file of the targeted layers' input covariances "
            + "(InputCovariance.write).")
    private Path covarianceFile;

    @Config(description = "Per-layer rank overrides: a key applies to layers whose path matches (.*\\.)?(key).")
    private Map<String, Integer> rankPattern = new LinkedHashMap<>();

    @Config(description = "Per-layer alpha overrides, keyed like rankPattern.")
    private Map<String, Double> alphaPattern = new LinkedHashMap<>();

    private RankPatterns patterns;

    /** For OLCUT. */
    private LoraSpec() {}

    /**
     * Creates a plain LoRA spec with the default initialisation and no dropout.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The rank r.
     * @param alpha The scaling numerator.
     */
    public LoraSpec(AdapterTargets targets, int rank, double alpha) {
        this(targets, rank, alpha, 0.0, false, false, LoraInit.DEFAULT, Collections.emptyMap(), Collections.emptyMap());
    }

    /**
     * Creates a CorDA-initialised LoRA spec without dropout (Yang et al. 2024).
     * @param targets The Linear layers to adapt (and modules to save).
     * @param rank The rank r.
     * @param alpha The scaling numerator.
     * @param cordaMethod Which components the adapter takes.
     * @param covarianceFile The targets' input covariances, as {@link InputCovariance#write} stores them.
     * @return The spec.
     */
    public static LoraSpec corda(AdapterTargets targets, int rank, double alpha, CordaMethod cordaMethod,
                                 Path covarianceFile) {
        return new LoraSpec(targets, rank, alpha, 0.0, false, false, LoraInit.CORDA, Collections.emptyMap(),
                Collections.emptyMap(), cordaMethod, covarianceFile);
    }

    /**
     * Creates a LoRA spec.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The rank r.
     * @param alpha The scaling numerator.
     * @param dropout Dropout on the adapter's input.
     * @param useRsLora Scale by {@code alpha / sqrt(r)}.
     * @param useDora Use DoRA.
     * @param initialisation How the factors start.
     * @param rankPattern Per-layer ranks.
     * @param alphaPattern Per-layer alphas.
     */
    public LoraSpec(AdapterTargets targets, int rank, double alpha, double dropout, boolean useRsLora, boolean useDora,
                    LoraInit initialisation, Map<String, Integer> rankPattern, Map<String, Double> alphaPattern) {
        this(targets, rank, alpha, dropout, useRsLora, useDora, initialisation, rankPattern, alphaPattern, CordaMethod.IPM,
                null);
    }

    /**
     * Creates a LoRA spec with every option.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The rank r.
     * @param alpha The scaling numerator.
     * @param dropout Dropout on the adapter's input.
     * @param useRsLora Scale by {@code alpha / sqrt(r)}.
     * @param useDora Use DoRA.
     * @param initialisation How the factors start.
     * @param rankPattern Per-layer ranks.
     * @param alphaPattern Per-layer alphas.
     * @param cordaMethod With {@link LoraInit#CORDA}: which components the adapter takes.
     * @param covarianceFile With {@link LoraInit#CORDA}: the input covariances; null otherwise.
     */
    public LoraSpec(AdapterTargets targets, int rank, double alpha, double dropout, boolean useRsLora, boolean useDora,
                    LoraInit initialisation, Map<String, Integer> rankPattern, Map<String, Double> alphaPattern,
                    CordaMethod cordaMethod, Path covarianceFile) {
        super(targets);
        this.rank = rank;
        this.alpha = alpha;
        this.dropout = dropout;
        this.useRsLora = useRsLora;
        this.useDora = useDora;
        this.initialisation = initialisation;
        this.rankPattern = new LinkedHashMap<>(rankPattern);
        this.alphaPattern = new LinkedHashMap<>(alphaPattern);
        this.cordaMethod = cordaMethod;
        this.covarianceFile = covarianceFile;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        if (!(dropout >= 0 && dropout < 1)) {
            throw new PropertyException("", "dropout", "dropout must be in [0, 1), found " + dropout);
        }
        if ((initialisation == LoraInit.CORDA) != (covarianceFile != null)) {
            throw new PropertyException("", "covarianceFile", initialisation == LoraInit.CORDA
                    ? "CorDA needs the covarianceFile of the targets' input covariances"
                    : "covarianceFile is only read by the CORDA initialisation, found initialisation " + initialisation);
        }
        patterns = new RankPatterns(rank, alpha, rankPattern, alphaPattern);
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    /**
     * The rank at a layer.
     * @param path The layer's path.
     * @return The rank, with {@code rankPattern} applied.
     */
    public int rank(String path) {
        return patterns.rank(path);
    }

    /**
     * The scaling {@code s} at a layer.
     * @param path The layer's path.
     * @return {@code alpha / r} or {@code alpha / sqrt(r)}, with the patterns applied.
     */
    public double scaling(String path) {
        int r = patterns.rank(path);
        return patterns.alpha(path) / (useRsLora ? Math.sqrt(r) : r);
    }

    /** @return The default rank. */
    public int rank() {
        return rank;
    }

    /** @return The dropout probability. */
    public double dropout() {
        return dropout;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        CordaDecomposition corda = null;
        if (initialisation == LoraInit.CORDA) {
            if (target.kind() != TargetLayer.Kind.LINEAR) {
                throw new IllegalArgumentException("CorDA adapts Linear layers only, as PEFT does; '" + target.path()
                        + "' is " + target.kind());
            }
            Map<String, double[]> covariances = context.computeOnce(COVARIANCES, () -> InputCovariance.read(covarianceFile));
            corda = CordaDecomposition.of(target.weight().toFloatArray(), target.outFeatures(), target.inFeatures(),
                    InputCovariance.of(covariances, target, "covariance file " + covarianceFile), rank(target.path()),
                    cordaMethod);
        }
        return new LoraModule(target, context.manager(), rank(target.path()), scaling(target.path()), dropout, useDora,
                initialisation, corda, context.streamFor(target));
    }

    /**
     * PEFT's {@code LoraConfig} as its {@code save_pretrained} writes it; for CorDA {@code init_lora_weights = "corda"}
     * and {@code corda_config} with the covariance file's path, without converting the adapter to a plain LoRA
     * (PEFT's {@code path_initial_model_for_weight_conversion}): the residual base is not in the adapter file, so the
     * loader decomposes the base again from the covariance file, as it does for PiSSA.
     */
    @Override
    public PeftConfigJson toPeftConfig() {
        PeftConfigJson json = basePeftConfig();
        if (initialisation == LoraInit.CORDA) {
            Map<String, Object> corda = new LinkedHashMap<>();
            corda.put("cache_file", null);
            corda.put("covariance_file", covarianceFile.toString());
            corda.put("corda_method", cordaMethod.toPeft());
            corda.put("verbose", false);
            corda.put("use_float16_for_covariance", false);
            corda.put("prune_temporary_fields", true);
            json.put("corda_config", corda);
        }
        return json
                .put("r", rank)
                .put("lora_alpha", alpha == Math.rint(alpha) ? (Object) (long) alpha : alpha)
                .put("lora_dropout", dropout)
                .put("use_rslora", useRsLora)
                .put("use_dora", useDora)
                .put("init_lora_weights", initialisation.toPeft())
                .put("rank_pattern", rankPattern)
                .put("alpha_pattern", alphaPattern)
                .put("fan_in_fan_out", false)
                .put("bias", "none")
                .put("lora_bias", false);
    }

    /**
     * PEFT initialises PiSSA again when it loads the adapter (so that the base becomes the residual), and its Conv2d
     * LoRA layer has no PiSSA initialisation: it rejects {@code init_lora_weights = "pissa"} (PEFT's
     * {@code _ConvNd.update_layer} passes it to {@code reset_lora_parameters}, which raises "Unknown initialization").
     * So a PiSSA adapter with a Conv2d module (a four-dimensional {@code lora_A}) is refused here.
     */
    @Override
    public void requireLoadableByPeft(Map<String, TensorData> tensors) {
        if (initialisation != LoraInit.PISSA) {
            return;
        }
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(PeftNetwork.MODEL_PREFIX) && key.endsWith(LORA_A) && e.getValue().shape().length == 4) {
                String layer = key.substring(PeftNetwork.MODEL_PREFIX.length(), key.length() - LORA_A.length());
                throw new IllegalArgumentException("PEFT cannot load a PiSSA adapter on Conv2d layer '" + layer
                        + "': its Conv2d LoRA layer rejects init_lora_weights='pissa'. Save PiSSA adapters that target "
                        + "Linear layers only, or keep this one in a PeftModel");
            }
        }
    }

    /**
     * Reads PEFT's {@code LoraConfig}.
     * @param json The configuration.
     * @return The spec.
     * @throws IllegalArgumentException if it uses options this project does not implement (biases, fan-in-fan-out
     * layouts, other initialisations, layer replication, ...).
     */
    public static LoraSpec fromPeftConfig(PeftConfigJson json) {
        json.requireUnset("fan_in_fan_out");
        json.requireUnset("lora_bias");
        json.requireUnset("bias", "none");
        json.requireUnset("layer_replication");
        json.requireUnset("loftq_config");
        json.requireUnset("use_qalora");
        json.requireUnset("eva_config");
        json.requireUnset("trainable_token_indices");
        for (String unsupported : new String[] {"alora_invocation_tokens", "arrow_config", "use_bdlora", "kasa_config",
                "lora_ga_config", "monteclora_config", "velora_config", "megatron_config"}) {
            json.requireUnset(unsupported);
        }
        LoraInit init = LoraInit.fromPeft(json.stringOrBoolean("init_lora_weights", "true"));
        CordaMethod cordaMethod = CordaMethod.IPM;
        Path covarianceFile = null;
        if (init == LoraInit.CORDA) {
            PeftConfigJson corda = json.object("corda_config");
            if (corda == null || corda.string("covariance_file", null) == null) {
                throw new IllegalArgumentException(json.source() + ": a CorDA adapter needs corda_config.covariance_file, "
                        + "the input covariances its base is decomposed with");
            }
            corda.requireUnset("cache_file");
            corda.requireUnset("use_float16_for_covariance");
            cordaMethod = CordaMethod.fromPeft(corda.string("corda_method", "ipm"));
            covarianceFile = Paths.get(corda.string("covariance_file", null));
        } else {
            json.requireUnset("corda_config");
        }
        return new LoraSpec(readTargets(json), json.integer("r", 8), json.number("lora_alpha", 8),
                json.number("lora_dropout", 0.0), json.bool("use_rslora", false), json.bool("use_dora", false), init,
                json.integerMap("rank_pattern"), json.numberMap("alpha_pattern"), cordaMethod, covarianceFile);
    }

    @Override
    public String toString() {
        return "LoraSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",alpha=" + alpha
                + ",dropout=" + dropout + ",useRsLora=" + useRsLora + ",useDora=" + useDora + ",initialisation="
                + initialisation + (rankPattern.isEmpty() ? "" : ",rankPattern=" + rankPattern)
                + (alphaPattern.isEmpty() ? "" : ",alphaPattern=" + alphaPattern)
                + (initialisation == LoraInit.CORDA ? ",cordaMethod=" + cordaMethod + ",covarianceFile=" + covarianceFile : "")
                + ")";
    }
}
