package org.tribuoadapt.peft.diffora;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The maths of DiffoRA's module choice (Jiang et al. 2025): the continuous relaxation of a module's binary choice and
 * the discretisation to a budget of modules.
 * <p>
 * Each candidate module chooses between two operations, no adapter and its LoRA adapter. The relaxation mixes them
 * with a softmax over their logits, as DARTS does over candidate operations; the logit of "no adapter" is fixed at 0
 * (a softmax is unchanged by a common shift), so the LoRA branch's weight is {@code softmax(0, a)_1 = sigmoid(a)},
 * which is also the module's learned importance.
 */
public final class ModuleSelection {

    /** Slack below an integer product {@code ratio * n}, so that 0.3 * 10 keeps 3 modules, not 4. */
    private static final double RATIO_SLACK = 1e-9;

    private ModuleSelection() {}

    /**
     * The weight of the LoRA branch in the relaxed mixture, {@code exp(a) / (exp(0) + exp(a))}.
     * @param logit The module's logit {@code a}.
     * @return The weight, in (0, 1).
     */
    public static double mixingWeight(double logit) {
        return logit >= 0 ? 1.0 / (1.0 + Math.exp(-logit)) : Math.exp(logit) / (1.0 + Math.exp(logit));
    }

    /**
     * The number of modules kept for a budget ratio: {@code ceil(ratio * n)}, so at least one.
     * @param candidates The number of candidate modules n.
     * @param ratio The budget ratio, in (0, 1].
     * @return The number kept k.
     * @throws IllegalArgumentException if there is no candidate or the ratio is outside (0, 1].
     */
    public static int budget(int candidates, double ratio) {
        requireRatio(ratio);
        if (candidates < 1) {
            throw new IllegalArgumentException("DiffoRA needs at least one candidate module, found " + candidates);
        }
        return Math.max(1, Math.min(candidates, (int) Math.ceil(ratio * candidates - RATIO_SLACK)));
    }

    /**
     * Checks a budget ratio.
     * @param ratio The ratio.
     * @throws IllegalArgumentException unless it is in (0, 1].
     */
    static void requireRatio(double ratio) {
        if (!(ratio > 0 && ratio <= 1)) {
            throw new IllegalArgumentException("the budget ratio must be in (0, 1], found " + ratio);
        }
    }

    /**
     * The discretisation: the {@link #budget} modules of largest importance, ties broken by the modules' order.
     * @param importances Each candidate module's importance, in the network's order.
     * @param ratio The budget ratio.
     * @return The kept modules, in the network's order.
     * @throws IllegalArgumentException if there is no candidate, an importance is NaN, or the ratio is outside (0, 1].
     */
    public static List<String> topK(Map<String, Double> importances, double ratio) {
        int k = budget(importances.size(), ratio);
        List<String> order = new ArrayList<>(importances.keySet());
        for (String path : order) {
            if (Double.isNaN(importances.get(path))) {
                throw new IllegalArgumentException("the importance of module '" + path + "' is NaN");
            }
        }
        List<String> ranked = new ArrayList<>(order);
        ranked.sort(Comparator.comparingDouble((String p) -> importances.get(p)).reversed());
        List<String> kept = ranked.subList(0, k);
        List<String> out = new ArrayList<>();
        for (String path : order) {
            if (kept.contains(path)) {
                out.add(path);
            }
        }
        return out;
    }
}
