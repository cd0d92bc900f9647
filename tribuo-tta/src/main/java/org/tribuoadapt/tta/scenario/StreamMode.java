package org.tribuoadapt.tta.scenario;

/**
 * How the domains of a shifted test stream follow each other, as in the online test-time adaptation benchmark of
 * Marsden, Döbler and Yang (2024, "Universal Test-time Adaptation through Weight Ensembling, Diversity Weighting,
 * and Prior Correction", and its {@code test-time-adaptation} repository), whose settings are
 * {@code reset_each_shift}, {@code continual} and {@code mixed_domains}.
 */
public enum StreamMode {
    /** Domain after domain; the adapted model is reset to the source model when the domain changes. */
    RESET,
    /** Domain after domain with no reset: the model keeps adapting across shifts (Wang et al. 2022, CoTTA). */
    CONTINUAL,
    /** All domains' examples shuffled together, so consecutive examples likely come from different domains. */
    MIXED
}
