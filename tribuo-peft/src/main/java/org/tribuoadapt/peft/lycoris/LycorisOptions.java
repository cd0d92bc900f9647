package org.tribuoadapt.peft.lycoris;

import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.Map;

/**
 * The options LoHa and LoKr share, as one value for their constructors.
 *
 * @param rank The rank r.
 * @param alpha The scaling numerator (scaling = alpha / r).
 * @param rankDropout The probability of dropping a row of the update in training.
 * @param moduleDropout The probability of skipping the adapter in a training step.
 * @param useEffectiveConv2d Factor kernels larger than 1x1 with a CP core.
 * @param rankPattern Per-layer ranks.
 * @param alphaPattern Per-layer alphas.
 */
public record LycorisOptions(int rank, double alpha, double rankDropout, double moduleDropout, boolean useEffectiveConv2d,
                             Map<String, Integer> rankPattern, Map<String, Double> alphaPattern) {

    /**
     * Options without dropout, CP decomposition or patterns.
     * @param rank The rank.
     * @param alpha The scaling numerator.
     * @return The options.
     */
    public static LycorisOptions of(int rank, double alpha) {
        return new LycorisOptions(rank, alpha, 0.0, 0.0, false, Map.of(), Map.of());
    }

    /**
     * Reads PEFT's shared LyCORIS fields ({@code r}, {@code alpha}, {@code rank_dropout}, {@code module_dropout},
     * {@code use_effective_conv2d}, {@code rank_pattern}, {@code alpha_pattern}).
     * @param json The configuration.
     * @return The options, with PEFT's defaults for absent fields.
     */
    public static LycorisOptions fromPeftConfig(PeftConfigJson json) {
        return new LycorisOptions(json.integer("r", 8), json.number("alpha", 8), json.number("rank_dropout", 0.0),
                json.number("module_dropout", 0.0), json.bool("use_effective_conv2d", false),
                json.integerMap("rank_pattern"), json.numberMap("alpha_pattern"));
    }
}
