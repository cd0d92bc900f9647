package org.tribuoadapt.reproduce;

import java.util.List;

/**
 * The outcome of reproducing one recorded model or evaluation.
 *
 * @param name The provenance entry's name.
 * @param passed Whether the reproduction matched.
 * @param details Human-readable lines: hashes, metric comparisons, provenance differences.
 */
public record ReproductionCheck(String name, boolean passed, List<String> details) {

    /**
     * Creates a check.
     * @param name The entry name.
     * @param passed Whether it matched.
     * @param details The details.
     */
    public ReproductionCheck {
        details = List.copyOf(details);
    }

    /**
     * A check that could not be carried out.
     * @param name The entry name.
     * @param reason Why.
     * @return A failed check.
     */
    public static ReproductionCheck failed(String name, String reason) {
        return new ReproductionCheck(name, false, List.of(reason));
    }
}
