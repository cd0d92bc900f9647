package org.tribuoadapt.peft;

import com.oracle.labs.mlrg.olcut.config.PropertyException;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Per-layer overrides of an adapter's rank and alpha (PEFT's {@code rank_pattern} and {@code alpha_pattern}). A key
 * applies to a layer when the layer's path matches {@code (.*\.)?(key)} as a whole, as PEFT's
 * {@code get_pattern_key} does; the first matching key wins.
 */
public final class RankPatterns implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int rank;
    private final double alpha;
    private final Map<String, Integer> rankPattern;
    private final Map<String, Double> alphaPattern;

    /**
     * Creates the overrides.
     * @param rank The default rank, positive.
     * @param alpha The default alpha, positive.
     * @param rankPattern Rank by layer key.
     * @param alphaPattern Alpha by layer key.
     * @throws PropertyException naming the field if a rank or alpha is not positive or a key is not a regex.
     */
    public RankPatterns(int rank, double alpha, Map<String, Integer> rankPattern, Map<String, Double> alphaPattern) {
        if (rank < 1) {
            throw new PropertyException("", "rank", "rank must be a positive integer, found " + rank);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new PropertyException("", "alpha", "alpha must be positive and finite, found " + alpha);
        }
        for (Map.Entry<String, Integer> e : rankPattern.entrySet()) {
            check(e.getKey(), "rankPattern");
            if (e.getValue() == null || e.getValue() < 1) {
                throw new PropertyException("", "rankPattern", "rankPattern['" + e.getKey()
                        + "'] must be a positive integer, found " + e.getValue());
            }
        }
        for (Map.Entry<String, Double> e : alphaPattern.entrySet()) {
            check(e.getKey(), "alphaPattern");
            if (e.getValue() == null || !(e.getValue() > 0) || e.getValue().isInfinite()) {
                throw new PropertyException("", "alphaPattern", "alphaPattern['" + e.getKey()
                        + "'] must be positive and finite, found " + e.getValue());
            }
        }
        this.rank = rank;
        this.alpha = alpha;
        this.rankPattern = new LinkedHashMap<>(rankPattern);
        this.alphaPattern = new LinkedHashMap<>(alphaPattern);
    }

    private static void check(String key, String field) {
        try {
            Pattern.compile(key);
        } catch (PatternSyntaxException e) {
            throw new PropertyException(e, "", field, field + " key '" + key + "' is not a regular expression: "
                    + e.getDescription());
        }
    }

    /**
     * The rank of the layer at a path.
     * @param path The layer's dotted path.
     * @return The override, or the default rank.
     */
    public int rank(String path) {
        return lookup(rankPattern, path, rank);
    }

    /**
     * The alpha of the layer at a path.
     * @param path The layer's dotted path.
     * @return The override, or the default alpha.
     */
    public double alpha(String path) {
        return lookup(alphaPattern, path, alpha);
    }

    private static <T> T lookup(Map<String, T> pattern, String path, T fallback) {
        for (Map.Entry<String, T> e : pattern.entrySet()) {
            if (Pattern.compile("(.*\\.)?(" + e.getKey() + ")").matcher(path).matches()) {
                return e.getValue();
            }
        }
        return fallback;
    }
}
